"""Server time and SQL statements of the training pages at seed-bench scale: the results of the
biggest session (200 trainees x 20 questions, pre- and post-test) and the province training
overview (~1,000 trainees in ~40 sessions).

    .venv/bin/python bench/training.py [--scale 0.05] [--requests 30]

Uses the seed-bench database of bench/out/training-<scale>.sqlite (or the PostgreSQL database
named by BENCH_DATABASE_URL), built once and reused. The training figures do not depend on the
logs, so a small scale serves: a database built here gets the training of scale 1 (1,000
trainees, 40 sessions), and a bench database built without training data gets it added
(``seed_bench_training``). Times through the
Flask test client, signed in as the province's trainer (template rendering included), after 5
warm-up requests. Prints ``BENCH <metric>_<p50|p95|cpu_p50|statements>_<db> <value> <ms|statements>``
(``cpu_p50``: the process's CPU time, what a request costs on a busy machine; SQLite's own work
included, PostgreSQL's not).
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    count_statements,
    databases,
    machine_note,
    percentiles,
    prepare,
    report,
    signed_in,
    timed,
)
from sqlalchemy import func, select  # noqa: E402

from app.accounts.sessions import open_session  # noqa: E402
from app.demo.bench_training import QUIZ_TITLE, seed_bench_training  # noqa: E402
from app.extensions import db  # noqa: E402
from app.training.models import Attempt, Quiz, Stage, TrainingSession  # noqa: E402


def ensure_training(trainees: int = 1_000, sessions: int = 40, biggest: int = 200) -> str:
    """Add the training data when the bench database has none; what was found or added."""
    if db.session.scalar(select(Quiz.id).where(Quiz.title == QUIZ_TITLE)) is None:
        started = time.perf_counter()
        counts = seed_bench_training(random.Random(11), trainees, sessions, biggest)
        db.session.commit()
        return f"training added in {time.perf_counter() - started:.1f} s: {counts}"
    return "training data found"


def biggest_session() -> tuple[TrainingSession, int]:
    """The session with the most post-tests handed in, and that count."""
    session_id, count = db.session.execute(
        select(Attempt.session_id, func.count()).where(Attempt.stage == Stage.POST, Attempt.submitted_at.is_not(None))
        .group_by(Attempt.session_id).order_by(func.count().desc(), Attempt.session_id).limit(1)).one()
    return db.session.get(TrainingSession, session_id), count


def measure(app, label: str, request, requests: int, db_name: str, note: str, warm_up: int = 5) -> None:
    """Time ``request()`` after the warm-ups, then count the statements of one more."""
    samples, cpu = [], []
    for n in range(requests + warm_up):
        started = time.process_time()
        elapsed = timed(request)
        if n >= warm_up:
            samples.append(elapsed)
            cpu.append((time.process_time() - started) * 1000)
    with app.app_context(), count_statements() as statements:
        response = request()
    assert response.status_code == 200, (label, response.status_code)
    p50, p95 = percentiles(samples)
    print(f"# {label}: {note}", flush=True)
    report(f"{label}_p50_{db_name}", p50, "ms")
    report(f"{label}_p95_{db_name}", p95, "ms")
    report(f"{label}_cpu_p50_{db_name}", percentiles(cpu)[0], "ms")
    report(f"{label}_statements_{db_name}", len(statements), "statements")


def run(app, db_name: str, requests: int, warm_up: int = 5) -> None:
    """The measurements themselves, on an app whose database holds the training data."""
    with app.app_context():
        session, trainees = biggest_session()
        session_id = session.id
        trainer = session.trainer
        totals = db.session.execute(select(func.count(TrainingSession.id.distinct()), func.count(Attempt.id))
                                    .join(Attempt, Attempt.session_id == TrainingSession.id)
                                    .where(Attempt.stage == Stage.POST)).one()
        questions = len(session.post_quiz.items)
        cookie = open_session(trainer)
        db.session.commit()
    client = signed_in(app, cookie)
    measure(app, "training_results", lambda: client.get(f"/training/sessions/{session_id}/results"), requests,
            db_name, f"session {session_id}: {trainees} trainees x {questions} questions", warm_up)
    measure(app, "training_overview", lambda: client.get("/training/overview"), requests, db_name,
            f"{totals[0]} sessions, {totals[1]} post-tests", warm_up)


def bench(name: str, url: str, scale: float, requests: int) -> None:
    started = time.perf_counter()
    app = prepare(url, scale, seed_options={"training_scale": 1.0})
    with app.app_context():
        print(f"# {name}: {ensure_training()}; ready in {time.perf_counter() - started:.1f} s", flush=True)
    run(app, name, requests)
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    print(machine_note(), flush=True)
    for name, url in databases("training", args.scale, args.skip_sqlite):
        bench(name, url, args.scale, args.requests)
    print(machine_note(), flush=True)


if __name__ == "__main__":
    main()
