"""What the benchmarks share: a migrated, seeded database and the arithmetic of timings."""

import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Where the SQLite bench files are built once and reused: bench/out/ unless BENCH_OUT names
# another directory (one outside the checkout, shared by several worktrees).
OUT = Path(os.environ.get("BENCH_OUT") or ROOT / "bench" / "out")
sys.path.insert(0, str(ROOT))


def prepare(url: str, scale: float, config: str = "test", seed_options: dict | None = None, **overrides):
    """The app on ``url``, migrated, and filled by seed-bench at ``scale`` (with ``seed_options``)
    when it has no households."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from app.demo.bench import seed_bench
    from app.extensions import db
    from app.households.models import Household

    app = create_app(config, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={}, **overrides)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        if db.session.scalar(select(Household.id).limit(1)) is None:
            counts = seed_bench(scale, **(seed_options or {}))
            print(f"# seeded in {counts['seconds']} s: {counts}", flush=True)
    return app


def percentiles(samples: list[float]) -> tuple[float, float]:
    """Median and 95th percentile."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(fn) -> float:
    """Milliseconds that ``fn()`` took."""
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def machine_note() -> str:
    """How busy the machine is, for the reader of the figures: the load average and the best of
    five runs of a fixed pure-Python loop (sum(range(10**6)): ~10-15 ms on a quiet core)."""
    loop = min(timed(lambda: sum(range(10**6))) for _ in range(5))
    try:
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        load = "?"
    return f"# machine: load average {load} on {os.cpu_count()} cores; reference loop {loop:.0f} ms"


def report(name: str, value: float, unit: str) -> None:
    """One figure, as `make bench` collects them: ``BENCH <name> <value> <unit>``."""
    shown = f"{value:.0f}" if unit in ("statements", "rows", "rps", "bytes", "count") else f"{value:.1f}"
    if unit not in ("statements", "rows", "rps", "bytes", "count") and abs(value) < 1:
        shown = f"{value:.2f}"
    print(f"BENCH {name} {shown} {unit}", flush=True)


@contextmanager
def count_statements():
    """SQL statements sent inside the block (a list), as tests/conftest.py ``count_queries`` counts them."""
    from sqlalchemy import event

    from app.extensions import db

    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def signed_in(app, session_id: str):
    """A test client of ``app`` whose cookie holds the session ``session_id`` (see open_session)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    return client


def databases(stem: str, scale: float, skip_sqlite: bool = False):
    """(name, URL) of each database to measure: the SQLite file ``bench/out/<stem>-<scale>.sqlite``,
    built once and reused, and the PostgreSQL database of ``BENCH_DATABASE_URL`` when it is set."""
    from config import database_url

    OUT.mkdir(parents=True, exist_ok=True)
    if not skip_sqlite:
        yield "sqlite", f"sqlite:///{OUT / f'{stem}-{scale:g}.sqlite'}"
    if os.environ.get("BENCH_DATABASE_URL"):
        yield "postgresql", database_url(os.environ["BENCH_DATABASE_URL"])
