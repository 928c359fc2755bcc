"""Server time of household search at province scale, on SQLite and (with BENCH_DATABASE_URL)
PostgreSQL.

    .venv/bin/python bench/household_search.py [--scale 1.0] [--queries 200] [--explain]

Builds the seed-bench data once per database (a SQLite file under bench/out/; an empty
PostgreSQL database named by BENCH_DATABASE_URL) and reuses it afterwards. Measures
``search_households`` directly and the real route through the Flask test client, signed in as a
team leader (one of their villages) and as the province administrator (a whole commune), over
realistic prefixes typed on a phone. Prints ``BENCH <metric>_<db> <value> ms`` lines;
``--explain`` adds the query plans of the statements the app sends.
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import databases, percentiles, prepare, timed  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

from app.accounts.models import Role, User  # noqa: E402
from app.accounts.sessions import open_session  # noqa: E402
from app.areas.models import Area  # noqa: E402
from app.extensions import db  # noqa: E402
from app.households.models import Household  # noqa: E402
from app.households.queries import search_households  # noqa: E402
from app.teams.models import MemberRole, Membership, team_villages  # noqa: E402

# What people type: a family name, family + middle, a given name, part of a word, a shop.
PREFIXES = ["nguyen van", "tran thi h", "duc", "le thi", "pham", "nguyen van duc", "hoang minh",
            "thi lan", "ng", "vo van t", "tap hoa", "huong", "dang thi mai", "bui", "van hung", "h"]





def pick_people(app):
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.role == Role.ADMIN, User.username.like("bench%"))
                                  .order_by(User.id).limit(1))
        leader_id, = db.session.execute(
            select(Membership.user_id).where(Membership.role == MemberRole.LEADER).order_by(Membership.id).limit(1)
        ).one()
        leader = db.session.get(User, leader_id)
        villages = list(db.session.scalars(
            select(team_villages.c.village_id).join(Membership, Membership.team_id == team_villages.c.team_id)
            .where(Membership.user_id == leader_id)
        ))
        village = db.session.get(Area, villages[0])
        return admin.id, leader.id, [v for v in villages], village.parent_id


def run_case(app, label, user_id, area_ids, queries, rng, extra):
    """Direct calls and HTTP requests; returns the lines to print."""
    direct, http = [], []
    client = app.test_client()
    with app.app_context():
        user = db.session.get(User, user_id)
        session_id = open_session(user)
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
        areas = [db.session.get(Area, i) for i in area_ids]
        plan = [(rng.choice(areas), rng.choice(PREFIXES)) for _ in range(queries + 20)]
        for n, (area, q) in enumerate(plan):
            elapsed = timed(lambda area=area, q=q: search_households(user, area, q=q).items)
            if n >= 20:  # the first ones warm the caches
                direct.append(elapsed)
    for n, (area_id, q) in enumerate((a.id, q) for a, q in plan):
        def get(area_id=area_id, q=q):
            response = client.get(f"/areas/{area_id}/households", query_string={"q": q})
            assert response.status_code == 200, response.status_code
        elapsed = timed(get)
        if n >= 20:
            http.append(elapsed)
    lines = []
    for kind, samples in (("", direct), ("_http", http)):
        p50, p95 = percentiles(samples)
        lines.append(f"BENCH household_search_{label}{kind}_p50_{extra} {p50:.1f} ms")
        lines.append(f"BENCH household_search_{label}{kind}_p95_{extra} {p95:.1f} ms")
    return lines


def explain(app, user_id, area_id, q):
    """The plans of the statements search_households sends."""
    with app.app_context():
        user = db.session.get(User, user_id)
        area = db.session.get(Area, area_id)
        statements = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            statements.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", capture)
        list(search_households(user, area, q=q).items)
        event.remove(db.engine, "before_cursor_execute", capture)
        postgres = db.engine.dialect.name == "postgresql"
        prefix = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " if postgres else "EXPLAIN QUERY PLAN "
        for statement, parameters in statements:
            if "households" not in statement:
                continue
            print("#", " ".join(statement.split())[:400])
            rows = db.session.connection().exec_driver_sql(prefix + statement, parameters).all()
            for row in rows:
                print("#    ", row[-1] if not postgres else row[0])


def bench(name: str, url: str, scale: float, queries: int, show_plans: bool) -> None:
    started = time.perf_counter()
    app = prepare(url, scale)
    with app.app_context():
        households = db.session.scalar(select(func.count()).select_from(Household))
        size = ""
        if url.startswith("sqlite:///"):
            size = f" size_mb={Path(url[len('sqlite:///'):]).stat().st_size / 1e6:.0f}"
        elif db.engine.dialect.name == "postgresql":
            size = f" size_mb={db.session.scalar(select(func.pg_database_size(func.current_database()))) / 1e6:.0f}"
    print(f"# {name}: {households:,} households, ready in {time.perf_counter() - started:.1f} s", flush=True)
    admin_id, leader_id, leader_villages, commune_id = pick_people(app)
    print(f"# {name}: households={households}{size}", flush=True)
    extra = name
    rng = random.Random(42)
    for line in run_case(app, "village", leader_id, leader_villages, queries, rng, extra):
        print(line, flush=True)
    with app.app_context():
        commune_ids = list(db.session.scalars(select(Area.id).where(Area.kind == "commune")))
    for line in run_case(app, "commune", admin_id, rng.sample(commune_ids, 10), queries, rng, extra):
        print(line, flush=True)
    if show_plans:
        print(f"# plans on {name}: village (leader), then commune (administrator)")
        explain(app, leader_id, leader_villages[0], "nguyen van")
        explain(app, admin_id, commune_id, "nguyen van")
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    for name, url in databases("bench", args.scale, args.skip_sqlite):
        bench(name, url, args.scale, args.queries, args.explain)


if __name__ == "__main__":
    main()
