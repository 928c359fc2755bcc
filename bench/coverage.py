"""The coverage dashboard at province scale: its server time at each level and filter, the naive
GROUP BY over the logs it replaces, its SQL statements, what keeping the summaries costs
writers, and the streamed log export's time and memory.

    .venv/bin/python bench/coverage.py [--scale 1.0] [--requests 30] [--naive-runs 3]
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gocua_bench .venv/bin/python bench/coverage.py --skip-sqlite

Builds the seed-bench data (69 communes, ~1,725 villages, ~447,000 households, ~1,000,000 logs
at scale 1, the coverage summaries filled) once in bench/out/coverage-<scale>.sqlite (or the
empty PostgreSQL database named by BENCH_DATABASE_URL) and reuses it. Through the Flask test
client, signed in, template rendering included, after 5 warm-up requests:

- the coverage page as the province's staff (province, its biggest commune, that commune's
  biggest village) and as that commune's staff (their commune, the village), each plain (this
  month), with a kind of help, with a six-month custom period, with both, and the service
  matrix tab;
- in the same run, the naive way: the province table and the service matrix, each one GROUP BY
  straight over the logs, and the ratio to the dashboard's page;
- what the summaries cost writers: a 100-log bulk approval and a leader's submission (approved
  on saving, so the summaries follow), with the summary watcher registered and without it;
- the staff log export (/coverage/<province>/export/logs.csv) over periods of ~50,000 and
  ~200,000 logs: time, and peak memory (resident set and Python allocations).

Every write is undone afterwards, the summaries with it, so runs repeat on the same data.
Prints ``BENCH <name> <value> <unit>`` lines.
"""

import argparse
import statistics
import sys
import time
import tracemalloc
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
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
from sqlalchemy import case, delete, distinct, func, select, text, update  # noqa: E402

from app.access import team_ids  # noqa: E402
from app.accounts.models import Role, User  # noqa: E402
from app.accounts.sessions import open_session  # noqa: E402
from app.areas.models import Area, AreaKind  # noqa: E402
from app.core import changes  # noqa: E402
from app.core.changes import changing  # noqa: E402
from app.core.db import local_today  # noqa: E402
from app.coverage.models import Registered  # noqa: E402
from app.extensions import db  # noqa: E402
from app.helplogs.models import HelpLog, LogStatus, help_log_services  # noqa: E402
from app.helplogs.queries import active_services  # noqa: E402
from app.households.models import Household  # noqa: E402
from app.teams.models import MemberRole, Membership, team_villages  # noqa: E402

WARM_UP = 5
APPROVED = LogStatus.APPROVED


@dataclass
class Places:
    """Who and where: the province, its biggest commune and that commune's biggest village, a
    staff member of each of the first two, and the filters the page is asked for."""

    province: int
    commune: int
    village: int
    province_staff: int
    commune_staff: int
    service: int
    start: date
    end: date
    today: date


def biggest(kind: AreaKind, parent_id: int | None = None) -> int:
    stmt = (select(Area.id).join(Registered, Registered.area_id == Area.id)
            .where(Area.kind == kind, Area.is_active).order_by(Registered.households.desc(), Area.id).limit(1))
    if parent_id is not None:
        stmt = stmt.where(Area.parent_id == parent_id)
    return db.session.scalar(stmt)


def staff_of(area_id: int) -> int:
    return db.session.scalar(select(User.id).where(User.role == Role.STAFF, User.is_active,
                                                   User.home_area_id == area_id).order_by(User.id).limit(1))


def find_places() -> Places:
    province = db.session.scalar(select(Area.id).where(Area.kind == AreaKind.PROVINCE).order_by(Area.id).limit(1))
    commune = biggest(AreaKind.COMMUNE)
    today = local_today()
    # The most logged kind of help, so the filtered page has the most to add up.
    service_id = help_log_services.c.service_id
    service = db.session.scalar(
        select(service_id).where(service_id.in_([s.id for s in active_services()]))
        .group_by(service_id).order_by(func.count().desc(), service_id).limit(1))
    # Six months whose edges fall mid-month: whole-month buckets and day buckets at both ends.
    return Places(province, commune, biggest(AreaKind.VILLAGE, commune), staff_of(province), staff_of(commune),
                  service, today - timedelta(days=190), today - timedelta(days=10), today)


# The dashboard ----------------------------------------------------------------------------

def variants(places: Places, matrix: bool) -> list[tuple[str, str]]:
    period = f"period=custom&start={places.start.isoformat()}&end={places.end.isoformat()}"
    service = f"service={places.service}"
    found = [("plain", ""), ("service", service), ("period", period), ("service_period", f"{service}&{period}")]
    if matrix:
        found.append(("matrix", "view=matrix"))
    return found


def cases(places: Places) -> list[tuple[str, str, str]]:
    """(user, level, path) of each page measured."""
    return [
        ("staff", "province", f"/coverage/{places.province}"),
        ("staff", "commune", f"/coverage/{places.commune}"),
        ("staff", "village", f"/coverage/{places.village}"),
        ("commune_staff", "commune", "/coverage"),  # their home: where they land
        ("commune_staff", "village", f"/coverage/{places.village}"),
    ]


def time_page(app, client, path: str, requests: int,
              warm_up: int = WARM_UP) -> tuple[list[float], list[float], int]:
    """Milliseconds of ``requests`` GETs after ``warm_up`` more (wall clock, and this process's
    CPU time: on a busy machine the second says what the request costs, SQLite's work included),
    and the statements one more sends."""
    samples, cpu = [], []
    for n in range(requests + warm_up):
        response = None

        def get():
            nonlocal response
            response = client.get(path)

        started = time.process_time()
        elapsed = timed(get)
        used = (time.process_time() - started) * 1000
        assert response.status_code == 200, (path, response.status_code)
        if n >= warm_up:
            samples.append(elapsed)
            cpu.append(used)
    with app.app_context(), count_statements() as statements:
        assert client.get(path).status_code == 200
    return samples, cpu, len(statements)


def dashboard(app, places: Places, sessions: dict[str, str], requests: int, warm_up: int,
              db_name: str) -> dict[str, float]:
    """Median and p95 of every page and variant; returns the medians by name."""
    clients = {user: signed_in(app, session_id) for user, session_id in sessions.items()}
    medians = {}
    for user, level, path in cases(places):
        for variant, query in variants(places, matrix=level != "village"):
            samples, cpu, statements = time_page(app, clients[user], f"{path}?{query}" if query else path,
                                                 requests, warm_up)
            p50, p95 = percentiles(samples)
            name = f"coverage_{user}_{level}_{variant}"
            medians[name] = p50
            report(f"{name}_p50_{db_name}", p50, "ms")
            report(f"{name}_p95_{db_name}", p95, "ms")
            report(f"{name}_cpu_p50_{db_name}", statistics.median(cpu), "ms")
            report(f"{name}_statements_{db_name}", statements, "statements")
    report(f"coverage_worst_p50_{db_name}", max(medians.values()), "ms")
    return medians


# The naive way ----------------------------------------------------------------------------

def naive_table(start: date, end: date):
    """The province's table straight from the logs, one GROUP BY: per commune, households reached
    by the end of the period, visits, people and volunteers within it, and the last visit."""
    village = Area.__table__.alias("village")
    within = HelpLog.helped_on.between(start, end)
    return (select(village.c.parent_id, func.count(distinct(HelpLog.household_id)),
                   func.sum(case((within, 1), else_=0)), func.sum(case((within, HelpLog.people_count), else_=0)),
                   func.count(distinct(case((within, HelpLog.author_id)))), func.max(HelpLog.helped_on))
            .join(village, village.c.id == HelpLog.village_id)
            .where(HelpLog.status == APPROVED, HelpLog.helped_on <= end)
            .group_by(village.c.parent_id))


def naive_matrix(end: date):
    """The province's service matrix straight from the logs, one GROUP BY: households reached
    per commune and kind of help by the end of the period."""
    village = Area.__table__.alias("village")
    return (select(village.c.parent_id, help_log_services.c.service_id, func.count(distinct(HelpLog.household_id)))
            .join(help_log_services, help_log_services.c.log_id == HelpLog.id)
            .join(village, village.c.id == HelpLog.village_id)
            .where(HelpLog.status == APPROVED, HelpLog.helped_on <= end)
            .group_by(village.c.parent_id, help_log_services.c.service_id))


def naive(app, places: Places, medians: dict[str, float], runs: int, db_name: str) -> dict[str, float]:
    """Each naive query ``runs`` times (median), and how many times faster the dashboard's page is."""
    month_start = places.today.replace(day=1)
    queries = {"table": (naive_table(month_start, places.today), "coverage_staff_province_plain"),
               "matrix": (naive_matrix(places.today), "coverage_staff_province_matrix")}
    ratios = {}
    with app.app_context():
        for label, (query, page) in queries.items():
            rows = 0

            def run(query=query):
                nonlocal rows
                rows = len(db.session.execute(query).all())

            median = statistics.median(timed(run) for _ in range(runs))
            assert rows > 0, label
            ratios[label] = median / medians[page]
            report(f"coverage_naive_{label}_{db_name}", median, "ms")
            report(f"coverage_speedup_{label}_{db_name}", ratios[label], "x")
    return ratios


# What the summaries cost writers -------------------------------------------------------------

def busiest_leader() -> int:
    """The leader whose teams have the most logs waiting for review."""
    led = select(Membership.team_id).join(User, User.id == Membership.user_id).where(
        Membership.role == MemberRole.LEADER, User.role == Role.LEADER)
    team_id = db.session.scalar(
        select(HelpLog.team_id).where(HelpLog.team_id.in_(led)).group_by(HelpLog.team_id)
        .order_by(func.count().desc(), HelpLog.team_id).limit(1))
    return db.session.scalar(select(Membership.user_id).join(User, User.id == Membership.user_id).where(
        Membership.team_id == team_id, Membership.role == MemberRole.LEADER, User.role == Role.LEADER).limit(1))


def pending(leader: User, limit: int) -> list[tuple[int, int]]:
    return db.session.execute(
        select(HelpLog.id, HelpLog.version).where(HelpLog.team_id.in_(team_ids(leader, leading=True)),
                                                  HelpLog.status == LogStatus.SUBMITTED)
        .order_by(HelpLog.received_at, HelpLog.id).limit(limit)).all()


def top_up(leader: User, wanted: int) -> None:
    """At least ``wanted`` logs waiting for the leader: approved ones set back to submitted,
    the summaries following as a return would make them."""
    missing = wanted - len(pending(leader, wanted))
    if missing <= 0:
        return
    ids = list(db.session.scalars(select(HelpLog.id).where(
        HelpLog.team_id.in_(team_ids(leader, leading=True)), HelpLog.status == APPROVED)
        .order_by(HelpLog.received_at.desc(), HelpLog.id).limit(missing)))
    unapprove(ids, watched=True)


def unapprove(ids: list[int], watched: bool) -> None:
    households = db.session.scalars(select(HelpLog.household_id).where(HelpLog.id.in_(ids))).all()
    with changing(help_logs=ids if watched else [], households=households if watched else []):
        db.session.execute(update(HelpLog).where(HelpLog.id.in_(ids))
                           .values(status=LogStatus.SUBMITTED, reviewed_by_id=None, reviewed_at=None))
    db.session.commit()


def without_summaries():
    """Unregister the summary watcher (as if the summaries did not exist); returns the undo."""
    watcher = changes._watchers.pop("coverage")
    return lambda: changes.watch("coverage", watcher)


def bulk_approvals(app, client, leader_id: int, rounds: int) -> dict[bool, list[float]]:
    """``rounds`` pairs of 100-log bulk approvals, watched and not, each undone as it was made."""
    found: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(rounds):
        for watched in (True, False):
            with app.app_context():
                chosen = pending(db.session.get(User, leader_id), 100)
            assert len(chosen) == 100, len(chosen)
            form = {"log": [f"{log_id}:{version}" for log_id, version in chosen]}
            restore = (lambda: None) if watched else without_summaries()
            try:
                response = None

                def post(form=form):
                    nonlocal response
                    response = client.post("/review/approve", data=form)

                elapsed = timed(post)
                assert response.status_code == 303, response.status_code
                with app.app_context():
                    ids = [log_id for log_id, _ in chosen]
                    approved = db.session.scalar(select(func.count()).where(HelpLog.id.in_(ids),
                                                                            HelpLog.status == APPROVED))
                    assert approved == 100, approved
                    unapprove(ids, watched)
            finally:
                restore()
            found[watched].append(elapsed)
    return found


def submission_form(leader: User) -> dict:
    """A household of the leader's team's village and a kind of help, for a log form."""
    team = team_ids(leader, leading=True)
    village_id, household_id = db.session.execute(
        select(team_villages.c.village_id, Household.id)
        .join(Household, Household.village_id == team_villages.c.village_id)
        .where(team_villages.c.team_id.in_(team), Household.anonymised_at.is_(None))
        .order_by(team_villages.c.village_id, Household.id).limit(1)).one()
    return {"village_id": village_id, "mode": "existing", "household_id": household_id,
            "service_ids": [active_services()[0].id], "outcome": "done", "people_count": "1", "note": ""}


def submissions(app, client, leader_id: int, rounds: int, day: date) -> dict[bool, list[float]]:
    """A leader's log form posted ``rounds`` times watched and not (approved on saving: the
    summaries follow); each log is deleted afterwards, the summaries following when watched."""
    with app.app_context():
        form = submission_form(db.session.get(User, leader_id)) | {"helped_on": day.isoformat()}
    found: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(rounds):
        for watched in (True, False):
            client_uuid = str(uuid.uuid4())
            restore = (lambda: None) if watched else without_summaries()
            try:
                response = None

                def post(client_uuid=client_uuid):
                    nonlocal response
                    response = client.post("/logs/new", data=form | {"client_uuid": client_uuid},
                                           headers={"HX-Request": "true"})

                elapsed = timed(post)
                assert response.status_code < 400, response.status_code
                with app.app_context():
                    log_id = db.session.scalar(select(HelpLog.id).where(HelpLog.client_uuid == client_uuid))
                    assert log_id is not None and db.session.get(HelpLog, log_id).status == APPROVED
                    with changing(help_logs=[log_id] if watched else [],
                                  households=[form["household_id"]] if watched else []):
                        db.session.execute(delete(help_log_services).where(help_log_services.c.log_id == log_id))
                        db.session.execute(delete(HelpLog).where(HelpLog.id == log_id))
                    db.session.commit()
            finally:
                restore()
            found[watched].append(elapsed)
    return found


def writers(app, rounds: int, db_name: str) -> None:
    with app.app_context():
        leader = db.session.get(User, busiest_leader())
        top_up(leader, 100)
        leader_id, session_id = leader.id, open_session(leader)
        db.session.commit()
    client = signed_in(app, session_id)
    figures = {"bulk_approve_100": bulk_approvals(app, client, leader_id, rounds),
               "submit_leader": submissions(app, client, leader_id, rounds, local_today())}
    for label, found in figures.items():
        with_summaries, without = statistics.median(found[True]), statistics.median(found[False])
        report(f"coverage_writer_{label}_with_summaries_{db_name}", with_summaries, "ms")
        report(f"coverage_writer_{label}_without_summaries_{db_name}", without, "ms")
        report(f"coverage_writer_{label}_summaries_cost_{db_name}", with_summaries - without, "ms")


# The log export ---------------------------------------------------------------------------

def period_of(province_id: int, rows: int, today: date) -> tuple[date, int]:
    """The first day of the shortest period ending today with at least ``rows`` logs in the
    province (all of them when there are fewer), and how many logs it holds."""
    per_day = db.session.execute(select(HelpLog.helped_on, func.count()).group_by(HelpLog.helped_on)
                                 .where(HelpLog.helped_on <= today).order_by(HelpLog.helped_on.desc())).all()
    total, start = 0, today
    for day, n in per_day:
        total, start = total + n, day
        if total >= rows:
            break
    return start, total


def rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak_rss() -> bool:
    """Linux: VmHWM back to the current resident set (writing 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def download(client, path: str) -> tuple[int, int]:
    """Bytes and lines of the streamed answer, read chunk by chunk as a browser would."""
    response = client.get(path, buffered=False)
    assert response.status_code == 200, response.status_code
    size = lines = 0
    try:
        for chunk in response.response:
            size += len(chunk)
            lines += chunk.count(b"\n")
    finally:
        response.close()
    return size, lines


def export(app, places: Places, sessions: dict[str, str], sizes: list[int], db_name: str) -> None:
    client = signed_in(app, sessions["staff"])
    for wanted in sizes:
        with app.app_context():
            start, rows = period_of(places.province, wanted, places.today)
        path = (f"/coverage/{places.province}/export/logs.csv?period=custom&start={start.isoformat()}"
                f"&end={places.today.isoformat()}")
        label = f"coverage_export_{wanted // 1000}k" if wanted % 1000 == 0 else f"coverage_export_{wanted}"
        measured = reset_peak_rss()
        before = rss_kb("VmRSS")
        started = time.perf_counter()
        size, lines = download(client, path)
        elapsed = (time.perf_counter() - started) * 1000
        assert lines == rows + 1, (lines, rows)  # the header, then one line per log
        report(f"{label}_rows_{db_name}", rows, "rows")
        report(f"{label}_ms_{db_name}", elapsed, "ms")
        report(f"{label}_mb_{db_name}", size / 1e6, "MB")
        if measured:
            report(f"{label}_peak_rss_growth_{db_name}", max(0, rss_kb("VmHWM") - before) / 1024, "MiB")
        tracemalloc.start()
        try:
            download(client, path)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        report(f"{label}_peak_python_alloc_{db_name}", peak / 2**20, "MiB")


# The run ----------------------------------------------------------------------------------

def prepared(app) -> tuple[Places, dict[str, str], int]:
    with app.app_context():
        places = find_places()
        sessions = {"staff": open_session(db.session.get(User, places.province_staff)),
                    "commune_staff": open_session(db.session.get(User, places.commune_staff))}
        db.session.commit()
        logs = db.session.scalar(select(func.count()).select_from(HelpLog))
    return places, sessions, logs


def measure(app, db_name: str, *, requests: int = 30, warm_up: int = WARM_UP, naive_runs: int = 3,
            rounds: int = 3, export_rows: tuple[int, ...] = (50_000, 200_000)) -> None:
    """Every figure of this benchmark on ``app``'s database (seeded), printed as BENCH lines."""
    print(machine_note(), flush=True)
    places, sessions, logs = prepared(app)
    print(f"# {db_name}: {logs:,} logs; province {places.province}, commune {places.commune}, "
          f"village {places.village}, service {places.service}", flush=True)
    medians = dashboard(app, places, sessions, requests, warm_up, db_name)
    naive(app, places, medians, naive_runs, db_name)
    writers(app, rounds, db_name)
    export(app, places, sessions, list(export_rows), db_name)
    print(machine_note(), flush=True)


def vacuumed(app) -> None:
    """On PostgreSQL, the summaries as autovacuum leaves them: after a migration rewrote them,
    their index-only reads visit the table until the visibility map is set again."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ("coverage_buckets", "coverage_volunteers", "coverage_last_visits", "coverage_registered"):
                connection.execute(text(f"VACUUM ANALYZE {table}"))


def bench(name: str, url: str, scale: float, args) -> None:
    started = time.perf_counter()
    app = prepare(url, scale)
    vacuumed(app)
    print(f"# {name}: ready in {time.perf_counter() - started:.1f} s", flush=True)
    measure(app, name, requests=args.requests, naive_runs=args.naive_runs, rounds=args.rounds)
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page and filter")
    parser.add_argument("--naive-runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3, help="writes timed with and without the summaries")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    for name, url in databases("coverage", args.scale, args.skip_sqlite):
        bench(name, url, args.scale, args)


if __name__ == "__main__":
    main()
