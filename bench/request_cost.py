"""What one request costs the app, in-process: CPU time, statements and time in the database
per request, for a volunteer's log submission and for two pages, with the production settings
(CSRF on, compression, secure session cookie).

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gocua_load .venv/bin/python bench/request_cost.py
    .venv/bin/python bench/request_cost.py --requests 300 --profile submit   # and cProfile's top lines
    .venv/bin/python bench/request_cost.py --requests 1500 --sample submit   # shares by stack sampling

CPU milliseconds are ``time.process_time()`` over the requests through the Flask test client
(the test client's own work included, ~0.2 ms), so they hold on a busy machine where wall time
does not. ``db`` is the wall time spent between sending a statement and reading its rows;
``beyond_db`` is the rest of the request's wall time: what the app adds to its own queries.
Prints ``BENCH request_<case>_<cpu|statements|db|beyond_db>_<db> <value> <unit>``.
"""

import argparse
import cProfile
import io
import pstats
import re
import signal
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, machine_note, report  # noqa: E402
from common import prepare as prepare_database

from config import database_url  # noqa: E402

SEARCHES = ["nguyen van", "tran thi h", "duc", "le thi", "pham", "hoang minh", "ng", "huong"]


class Statements:
    """Counts statements and the wall time between sending each and having its answer."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.count, self.seconds, self._started, self.shown = 0, 0.0, {}, None
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self.count += 1
        self._started[id(cursor)] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        elapsed = time.perf_counter() - self._started.pop(id(cursor), time.perf_counter())
        self.seconds += elapsed
        if self.shown is not None:
            self.shown.append((elapsed, " ".join(statement.split())))

    def reset(self):
        self.count, self.seconds = 0, 0.0


def volunteer_and_village(app):
    """A bench volunteer who leads no team, one of their villages and a few of its households."""
    from sqlalchemy import select

    from app.access import village_ids
    from app.accounts.models import Role, User
    from app.catalog.models import Service
    from app.extensions import db
    from app.households.models import Household
    from app.teams.models import MemberRole, Membership

    with app.app_context():
        leaders = select(Membership.user_id).where(Membership.role == MemberRole.LEADER)
        services = list(db.session.scalars(select(Service.id).where(Service.is_active)))
        for user in db.session.scalars(select(User).where(User.role == Role.VOLUNTEER, User.is_active,
                                                          User.id.not_in(leaders)).order_by(User.id).limit(50)):
            village = db.session.scalar(village_ids(user).limit(1))
            households = list(db.session.scalars(select(Household.id).where(Household.village_id == village)
                                                 .limit(40))) if village else []
            if households:
                return user.id, village, households, services
    raise RuntimeError("no volunteer with a village of households")


def signed_in_client(app, user_id):
    from app.accounts.models import User
    from app.accounts.sessions import open_session
    from app.extensions import db

    client = app.test_client()
    with app.app_context():
        session_id = open_session(db.session.get(User, user_id))
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
    page = client.get("/logs/new", headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
    return client, re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


def cases(client, csrf, village, households, services):
    from app.core.db import local_today

    today = local_today().isoformat()
    counter = [0]

    def submit():
        counter[0] += 1
        # The test client speaks https (PREFERRED_URL_SCHEME): CSRF then checks the referrer, as a browser sends it.
        response = client.post("/logs/new", headers={"HX-Request": "true", "Accept-Encoding": "br, gzip",
                                                     "Referer": "https://localhost/logs/new"}, data={
            "csrf_token": csrf, "client_uuid": str(uuid.uuid4()), "village_id": village, "mode": "existing",
            "household_id": households[counter[0] % len(households)],
            "service_ids": services[counter[0] % len(services)], "outcome": "done", "people_count": "1",
            "helped_on": today, "note": "",
        })
        assert response.status_code == 200 and response.headers["X-Log-Result"] == "saved", response.status_code

    def page():
        response = client.get("/account/", headers={"Accept-Encoding": "br, gzip"})
        assert response.status_code == 200, response.status_code

    def search():
        counter[0] += 1
        response = client.get(f"/areas/{village}/households", query_string={"q": SEARCHES[counter[0] % len(SEARCHES)]},
                              headers={"HX-Request": "true", "Accept-Encoding": "br, gzip"})
        assert response.status_code == 200, response.status_code

    return {"submit": submit, "page": page, "search": search}


class StackSampler:
    """Every 0.5 ms of the process's CPU time (SIGPROF), the functions on the stack: each one's
    share of the samples is its share of the CPU, callees included. cProfile's per-call cost
    inflates code that makes many small calls (a proxied request global, a template); sampling
    does not."""

    def __init__(self):
        self.samples, self.counts = 0, Counter()

    def _sample(self, signum, frame):
        self.samples += 1
        seen = set()
        while frame is not None:
            code = frame.f_code
            seen.add(f"{code.co_filename.split('site-packages/')[-1]}:{code.co_firstlineno}({code.co_name})")
            frame = frame.f_back
        self.counts.update(seen)

    def __enter__(self):
        signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, 0.0005, 0.0005)
        return self

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, signal.SIG_DFL)

    def report(self, lines: int) -> str:
        return "\n".join([f"# {self.samples} samples; share of the CPU, callees included"] + [
            f"# {100 * count / self.samples:5.1f} %  {name}" for name, count in self.counts.most_common(lines)])


def measure(fn, statements, requests: int, profile: bool, sample: bool = False):
    for _ in range(20):
        fn()
    statements.reset()
    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU time: waiting is not work
    sampler = StackSampler() if sample else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    if sampler:
        sampler.__enter__()
    for _ in range(requests):
        fn()
    if sampler:
        sampler.__exit__()
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"cpu_ms": cpu * 1000 / requests, "wall_ms": wall * 1000 / requests,
            "statements": statements.count / requests, "db_ms": statements.seconds * 1000 / requests,
            "profiler": profiler, "sampler": sampler}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--only", default="submit,page,search")
    parser.add_argument("--profile", default="", help="cases to profile with cProfile (comma-separated)")
    parser.add_argument("--sample", default="", help="cases to profile by stack sampling (comma-separated)")
    parser.add_argument("--lines", type=int, default=40, help="lines of each profile")
    parser.add_argument("--show", action="store_true", help="print the statements of one more request of each case")
    parser.add_argument("--width", type=int, default=160, help="characters of each statement shown")
    parser.add_argument("--scale", type=float, default=1.0, help="seed-bench size when the database is empty")
    args = parser.parse_args()

    import os

    OUT.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{OUT / 'bench.sqlite'}"
    # Production's settings (rate limits, sign-in only, in REDIS_URL or a local Redis).
    app = prepare_database(database_url(url), args.scale, "production", SECRET_KEY="bench-only-secret",
                           RATELIMIT_STORAGE_URI=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
                           LOG_LEVEL="WARNING")
    user_id, village, households, services = volunteer_and_village(app)
    client, csrf = signed_in_client(app, user_id)
    with app.app_context():
        from app.extensions import db

        statements = Statements(db.engine)
    name = "postgresql" if url.startswith("postgres") else "sqlite"
    print(machine_note())
    profiles = set(filter(None, args.profile.split(",")))
    sampled = set(filter(None, args.sample.split(",")))
    for case, fn in cases(client, csrf, village, households, services).items():
        if case not in args.only.split(","):
            continue
        figures = measure(fn, statements, args.requests, case in profiles, case in sampled)
        report(f"request_{case}_cpu_{name}", figures["cpu_ms"], "ms")
        report(f"request_{case}_statements_{name}", figures["statements"], "statements")
        report(f"request_{case}_db_{name}", figures["db_ms"], "ms")
        report(f"request_{case}_beyond_db_{name}", figures["wall_ms"] - figures["db_ms"], "ms")
        if args.show:
            statements.shown = []
            fn()
            for elapsed, statement in statements.shown:
                print(f"#   {elapsed * 1000:5.2f} ms  {statement[:args.width]}")
            statements.shown = None
        if figures["sampler"]:
            print(figures["sampler"].report(args.lines))
        if figures["profiler"]:
            out = io.StringIO()
            stats = pstats.Stats(figures["profiler"], stream=out)
            stats.sort_stats("cumulative").print_stats(args.lines)
            stats.sort_stats("tottime").print_stats(args.lines)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
