"""Log submissions under load: gunicorn (2 workers) on the province-scale data, real forms posted
by wrk from a second process on loopback for a bounded time, then the same for a bare Flask
endpoint under the same gunicorn settings (the floor).

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gocua_bench .venv/bin/python bench/submit_load.py
    .venv/bin/python bench/submit_load.py            # SQLite under bench/out/

The database is filled by `flask seed-bench` first when it has no households (a few minutes at
full size). Needs wrk (Debian: apt-get install wrk). Prints BENCH submit_rps_<db>, submit_p99_<db>,
floor_rps_<db> and floor_p99_<db>, and checks that no answered submission was lost: the logs stored
are at least the 200 answers counted, and at most that plus what wrk still had in flight.
"""

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, ROOT, machine_note, report  # noqa: E402
from common import prepare as prepare_database

from config import database_url  # noqa: E402

# gunicorn.conf.py's workers, or others to compare: BENCH_WORKER (class), BENCH_WORKERS, BENCH_THREADS
# (a sync worker needs BENCH_THREADS=1: with more threads gunicorn runs gthread instead).
OVERRIDES = {"--worker-class": "BENCH_WORKER", "--workers": "BENCH_WORKERS", "--threads": "BENCH_THREADS"}
GUNICORN = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
            *(part for flag, name in OVERRIDES.items() if os.environ.get(name) for part in (flag, os.environ[name])),
            "--log-level", "warning"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port}")


def serve(target: str, env: dict) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen([*GUNICORN, "--bind", f"127.0.0.1:{port}", target], cwd=ROOT, env=env,
                               start_new_session=True)
    wait_for(port)
    return process, port


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def server_cpu_seconds(master: int) -> float:
    """CPU time (user + system) used so far by the gunicorn master and its workers: what the
    server spends, whatever else the machine runs."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(stat.parent.name), int(fields[1])
        if master in (pid, parent):
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk(port: int, forms: Path, seconds: int, connections: int, master: int | None = None,
        acked: Path | None = None) -> dict[str, float]:
    cpu = server_cpu_seconds(master) if master else 0.0
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "-s", str(ROOT / "bench" / "submit.lua"), f"http://127.0.0.1:{port}"],
        env={**os.environ, "BENCH_FORMS": str(forms), **({"BENCH_ACKED": str(acked)} if acked else {})},
        capture_output=True, text=True, check=True,
    )
    raw = re.search(r"BENCH_RAW (.*)", result.stdout).group(1)
    figures = {k: int(v) for k, v in (pair.split("=") for pair in raw.split())}
    good = figures["requests"] - figures["errors"]
    if figures["errors"]:
        print("wrk errors:", {k: figures[k] for k in ("status", "connect", "read", "write", "timeout")})
    cpu = server_cpu_seconds(master) - cpu if master else 0.0
    return {"rps": good / (figures["duration_us"] / 1e6), "p50_ms": figures["p50_us"] / 1000,
            "p99_ms": figures["p99_us"] / 1000, "ok": good, "errors": figures["errors"],
            "cpu_ms": cpu * 1000 / max(figures["requests"], 1)}


def sign_in_volunteers(app, users: int, forms: Path) -> None:
    """Sign in ``users`` bench volunteers (through the app, sharing its SECRET_KEY) and write one
    line per volunteer: session cookie, CSRF token, a village of theirs, its households, services."""
    from sqlalchemy import select

    from app.access import village_ids
    from app.accounts.models import Role, User
    from app.accounts.sessions import open_session
    from app.catalog.models import Service
    from app.core.db import local_today
    from app.extensions import db
    from app.households.models import Household

    lines = []
    with app.app_context():
        services = [str(s) for s in db.session.scalars(select(Service.id).where(Service.is_active))]
        volunteers = db.session.scalars(
            select(User).where(User.role == Role.VOLUNTEER, User.is_active).order_by(User.id).limit(users * 3)
        ).all()
        for user in volunteers:
            village = db.session.scalar(village_ids(user).limit(1))
            if village is None:
                continue
            households = [str(h) for h in db.session.scalars(
                select(Household.id).where(Household.village_id == village).limit(60))]
            if not households:
                continue
            client = app.test_client()
            with app.app_context():  # a request context of its own: flask-wtf keeps the token on g
                session_id = open_session(user)
                db.session.commit()
                with client.session_transaction() as session:
                    session["_user_id"] = session_id
                page = client.get("/logs/new").get_data(as_text=True)
            csrf = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
            name = app.config["SESSION_COOKIE_NAME"]  # __Host-session in production
            cookie = client.get_cookie(name).value
            lines.append("\t".join([f"{name}={cookie}", csrf, str(village), ",".join(households),
                                    ",".join(services), local_today().isoformat()]))
            if len(lines) == users:
                break
    forms.write_text("\n".join(lines) + "\n")


def missing_logs(app, acked: Path) -> tuple[int, int]:
    """(acknowledged, of those not stored): each id the server answered with must be a stored log."""
    from sqlalchemy import select

    from app.extensions import db
    from app.helplogs.models import HelpLog

    ids = sorted({int(line) for line in acked.read_text().split()})
    stored = set()
    with app.app_context():
        for start in range(0, len(ids), 5000):
            stored.update(db.session.scalars(select(HelpLog.id).where(HelpLog.id.in_(ids[start:start + 5000]))))
    return len(ids), len(set(ids) - stored)


def count_logs(app) -> int:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.helplogs.models import HelpLog

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(HelpLog))


def settled_count(app) -> int:
    """The logs stored once no request is still being answered: the count, when it held for a second."""
    count = count_logs(app)
    while True:
        time.sleep(1)
        again = count_logs(app)
        if again == count:
            return count
        count = again


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--scale", type=float, default=1.0, help="seed-bench size when the database is empty")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{OUT / 'bench.sqlite'}"
    env = {**os.environ, "GOCUA_CONFIG": "production", "SECRET_KEY": "bench-only-secret", "DATABASE_URL": url,
           "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"), "GOCUA_INSTANCE": str(OUT),
           "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")}  # production requires one
    os.environ.update(env)

    from sqlalchemy import func, select

    from app.extensions import db
    from app.households.models import Household

    app = prepare_database(database_url(url), args.scale, "production", SECRET_KEY=env["SECRET_KEY"],
                           RATELIMIT_STORAGE_URI=env["REDIS_URL"])
    with app.app_context():
        households = db.session.scalar(select(func.count()).select_from(Household))

    forms = Path(tempfile.mkstemp(prefix="gocua-forms-", suffix=".tsv")[1])
    sign_in_volunteers(app, args.users, forms)
    before = count_logs(app)
    server, port = serve('app:create_app("production")', env)
    try:
        wrk(port, forms, 3, args.connections)  # warm up
        warm = settled_count(app)  # the warm-up's last requests finished (seconds, on a busy machine)
        acked = forms.with_suffix(".acked")
        submit = wrk(port, forms, args.seconds, args.connections, server.pid, acked)
        stored = settled_count(app) - warm
    finally:
        stop(server)
    floor_server, floor_port = serve("bench.floor_app:app", env)
    try:
        wrk(floor_port, forms, 3, args.connections)
        floor = wrk(floor_port, forms, args.seconds, args.connections, floor_server.pid)
    finally:
        stop(floor_server)

    print(machine_note())
    print(f"database {url.split('://')[0]}, {households:,} households, {before:,} logs before; "
          f"gunicorn {' '.join(GUNICORN[3:-2]) or 'as gunicorn.conf.py'}; "
          f"wrk 2 threads, {args.connections} connections, {args.seconds} s")
    name = "postgresql" if url.startswith("postgres") else "sqlite"
    report(f"submit_rps_{name}", submit["rps"], "rps")
    report(f"submit_p50_{name}", submit["p50_ms"], "ms")
    report(f"submit_p99_{name}", submit["p99_ms"], "ms")
    report(f"submit_errors_{name}", submit["errors"], "errors")
    report(f"submit_server_cpu_{name}", submit["cpu_ms"], "ms")
    report(f"floor_rps_{name}", floor["rps"], "rps")
    report(f"floor_p99_{name}", floor["p99_ms"], "ms")
    report(f"floor_server_cpu_{name}", floor["cpu_ms"], "ms")
    report(f"submit_share_of_floor_{name}", submit["rps"] / floor["rps"], "ratio")
    acknowledged, missing = missing_logs(app, acked)
    report(f"submit_acknowledged_not_stored_{name}", missing, "logs")
    print(f"accepted {submit['ok']} submissions ({acknowledged} acknowledged log ids, each looked up: "
          f"{missing} missing), stored {stored} new logs")
    # Requests still in flight when wrk stops (one per connection per wrk thread) are stored but
    # not counted as completed; a client_uuid is stored at most once (a unique constraint).
    return 0 if missing == 0 and acknowledged == submit["ok"] and submit["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
