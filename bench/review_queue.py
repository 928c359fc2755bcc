"""Server time of the review queue for a leader with a realistic backlog, and of a 100-log bulk
approval, on the seed-bench data.

    .venv/bin/python bench/review_queue.py [--scale 1.0] [--requests 50] [--pending 500]

Builds the seed-bench data (households and ~1,000,000 logs at scale 1) once in
bench/out/reviews-<scale>.sqlite (or the empty PostgreSQL database named by BENCH_DATABASE_URL)
and reuses it. Picks the leader whose teams have the most submitted logs; if fewer than
``--pending`` wait, sets that many of their teams' approved logs back to submitted. Times GET
/review through the Flask test client (signed in, template rendering included) after 5 warm-up
requests, the navigation counts fragment, and one POST /review/approve of 100 logs (one request,
one transaction), which is then undone so the next run measures the same backlog.
Prints ``BENCH <metric>_<db> <value> ms`` lines.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import databases, percentiles, prepare, report, signed_in, timed  # noqa: E402
from sqlalchemy import func, select, update  # noqa: E402

from app.access import team_ids  # noqa: E402
from app.accounts.models import Role, User  # noqa: E402
from app.accounts.sessions import open_session  # noqa: E402
from app.core.changes import changing  # noqa: E402
from app.extensions import db  # noqa: E402
from app.helplogs.models import HelpLog, LogStatus  # noqa: E402
from app.teams.models import MemberRole, Membership  # noqa: E402


def pending_of(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(HelpLog).where(
        HelpLog.team_id.in_(team_ids(user, leading=True)), HelpLog.status == LogStatus.SUBMITTED))


def pick_leader(wanted: int) -> tuple[int, int]:
    """The leader with the biggest backlog, topped up to ``wanted`` submitted logs."""
    led = select(Membership.team_id).join(User, User.id == Membership.user_id).where(
        Membership.role == MemberRole.LEADER, User.role == Role.LEADER)
    busiest = db.session.execute(
        select(HelpLog.team_id, func.count()).where(HelpLog.status == LogStatus.SUBMITTED, HelpLog.team_id.in_(led))
        .group_by(HelpLog.team_id).order_by(func.count().desc()).limit(1)
    ).first()
    leader_id = db.session.scalar(select(Membership.user_id).join(User, User.id == Membership.user_id).where(
        Membership.team_id == busiest[0], Membership.role == MemberRole.LEADER, User.role == Role.LEADER).limit(1))
    leader = db.session.get(User, leader_id)
    missing = wanted - pending_of(leader)
    if missing > 0:
        ids = list(db.session.scalars(select(HelpLog.id).where(
            HelpLog.team_id.in_(team_ids(leader, leading=True)), HelpLog.status == LogStatus.APPROVED)
            .order_by(HelpLog.received_at.desc()).limit(missing)))
        set_back(ids)
    return leader_id, pending_of(leader)


def set_back(ids: list[int]) -> None:
    """These logs back to submitted, the coverage summaries following (as for a return), so that
    the database stays exact for the other benchmarks sharing it."""
    households = db.session.scalars(select(HelpLog.household_id).where(HelpLog.id.in_(ids))).all()
    with changing(help_logs=ids, households=households):
        db.session.execute(update(HelpLog).where(HelpLog.id.in_(ids))
                           .values(status=LogStatus.SUBMITTED, reviewed_by_id=None, reviewed_at=None))
    db.session.commit()



def get_ok(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)


def bench(name: str, url: str, scale: float, requests: int, wanted: int) -> None:
    started = time.perf_counter()
    app = prepare(url, scale)
    with app.app_context():
        logs = db.session.scalar(select(func.count()).select_from(HelpLog))
        leader_id, pending = pick_leader(wanted)
        user = db.session.get(User, leader_id)
        session_id = open_session(user)
        db.session.commit()
    print(f"# {name}: {logs:,} logs; leader {user.username} with {pending} pending; "
          f"ready in {time.perf_counter() - started:.1f} s", flush=True)
    extra = f"db={name} logs={logs} pending={pending}"
    client = signed_in(app, session_id)
    for label, path in (("review_queue", "/review"), ("review_queue_htmx_page3", "/review?page=3"),
                        ("nav_counts", "/nav/counts")):
        headers = {"HX-Request": "true"} if "htmx" in label or label == "nav_counts" else {}
        samples = []
        for n in range(requests + 5):
            elapsed = timed(lambda path=path, headers=headers: client.get(path, headers=headers))
            if n >= 5:
                samples.append(elapsed)
        get_ok(client, path)
        p50, p95 = percentiles(samples)
        report(f"{label}_p50_{name}", p50, "ms")
        report(f"{label}_p95_{name}", p95, "ms")

    with app.app_context():
        chosen = db.session.execute(
            select(HelpLog.id, HelpLog.version).where(
                HelpLog.team_id.in_(team_ids(db.session.get(User, leader_id), leading=True)),
                HelpLog.status == LogStatus.SUBMITTED).order_by(HelpLog.received_at, HelpLog.id).limit(100)
        ).all()
    form = {"log": [f"{log_id}:{version}" for log_id, version in chosen]}
    response = None

    def post():
        nonlocal response
        response = client.post("/review/approve", data=form)

    elapsed = timed(post)
    assert response.status_code == 303, response.status_code
    with app.app_context():
        ids = [log_id for log_id, _ in chosen]
        approved = db.session.scalar(select(func.count()).where(HelpLog.id.in_(ids),
                                                                HelpLog.status == LogStatus.APPROVED))
        set_back(ids)  # undone, so that the next run finds the same backlog
    print(f"# {extra} approved={approved}", flush=True)
    report(f"bulk_approve_{len(chosen)}_{name}", elapsed, "ms")
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--pending", type=int, default=500)
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    for name, url in databases("reviews", args.scale, args.skip_sqlite):
        bench(name, url, args.scale, args.requests, args.pending)


if __name__ == "__main__":
    main()
