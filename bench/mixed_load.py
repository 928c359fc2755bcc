"""Mixed load: volunteers submitting logs, leaders reviewing (approve one, send one back, approve
several at once) and staff reading pages (coverage of the province and of a commune, household
search, which is the administrator's: staff see no named household), all at once against gunicorn for a bounded time.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gocua_mixed .venv/bin/python bench/mixed_load.py
    .venv/bin/python bench/mixed_load.py --seconds 20        # SQLite under bench/out/, for a quick look

The database is migrated and, when it has no households, filled by `flask seed-bench --scale`
(447k households and 1M logs at 1.0). The app is served by gunicorn with the production config
(2 gthread workers x 4 threads, as bench/submit_load.py serves it; REDIS_URL from the
environment, else the local Redis), and driven by a plain-Python driver (threads on kept-alive
HTTP/1.1 connections, nothing to install) from this process, on loopback.
Each simulated user is one thread that sends its next request as soon as the last one answered
(plus --think seconds).

Prints `BENCH mixed_<action>_<p50|p95|p99>_<db> <v> ms` per action, the requests per second of
each and overall, and `BENCH mixed_errors_<db> <n> count`: any request without a whole answer or
with another status than the one expected counts. Exits 1 when there was any error, or when the
logs stored differ from the submissions acknowledged.
"""

import argparse
import os
import random
import re
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from live import Browser, NoAnswer, Server, session_cookie, volunteer_form  # noqa: E402

ACTIONS = ("submit", "review_queue", "approve", "send_back", "bulk_approve", "coverage_province",
           "coverage_commune", "household_search")
ROW = re.compile(r'name="log" value="(\d+):(\d+)"')
PREFIXES = ("nguyen", "nguyen van", "tran thi", "le", "pham", "hoang", "duc", "lan", "h", "vu thi")


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(int)
        self.examples = []
        self.submitted = 0

    def send(self, action: str, browser: Browser, method: str, path: str, form=None, htmx: bool = False,
             expected: int = 200):
        try:
            answer = browser.request(method, path, form, htmx=htmx)
        except NoAnswer as error:
            self.error(action, f"{method} {path}: {error}")
            return None
        with self.lock:
            self.times[action].append(answer.ms)
        if answer.status != expected:
            self.error(action, f"{method} {path}: {answer.status} {answer.body[:160]!r}")
            return None
        return answer

    def error(self, action: str, detail: str) -> None:
        with self.lock:
            self.errors[action] += 1
            if len(self.examples) < 10:
                self.examples.append(f"{action}: {detail}")


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def cast(app, leaders_wanted: int, volunteers_wanted: int) -> dict:
    """Who plays: leaders whose teams do not overlap, volunteers of those teams, the province's
    staff and its administrator, and the commune of the biggest village (staff see aggregates
    only: named households are searched by the administrator, across that commune)."""
    from sqlalchemy import func, select

    from app.access import team_ids
    from app.accounts.models import Role, User
    from app.areas.models import Area, AreaKind
    from app.extensions import db
    from app.households.models import Household
    from app.teams.models import MemberRole, Membership

    with app.app_context():
        leaders, volunteers, taken = [], [], set()
        candidates = select(User).where(User.role == Role.LEADER, User.is_active).order_by(User.id)
        for leader in db.session.scalars(candidates):
            teams = set(db.session.scalars(team_ids(leader, leading=True)))
            if not teams or teams & taken:
                continue
            members = db.session.scalars(
                select(User).join(Membership, Membership.user_id == User.id)
                .where(Membership.team_id.in_(teams), Membership.role == MemberRole.MEMBER,
                       User.role == Role.VOLUNTEER, User.is_active).order_by(User.id)).all()
            forms = [f for f in (volunteer_form(m) for m in members) if f is not None]
            if not forms:
                continue
            taken |= teams
            leaders.append(leader.id)
            volunteers.extend(forms)
            if len(leaders) == leaders_wanted:
                break
        province = db.session.scalar(select(Area.id).where(Area.kind == AreaKind.PROVINCE).order_by(Area.id).limit(1))
        village_households = (select(Household.village_id, func.count().label("n"))
                              .group_by(Household.village_id).subquery())
        village, commune = db.session.execute(
            select(Area.id, Area.parent_id).join(village_households, village_households.c.village_id == Area.id)
            .where(Area.kind == AreaKind.VILLAGE, Area.is_active)
            .order_by(village_households.c.n.desc(), Area.id).limit(1)).one()

        def one(role, area_id):
            return db.session.scalar(select(User.id).where(User.role == role, User.is_active,
                                                           User.home_area_id == area_id).order_by(User.id).limit(1))

        cast = {"leaders": leaders, "volunteers": volunteers[:volunteers_wanted], "province": province,
                "commune": commune, "village": village, "province_staff": one(Role.STAFF, province),
                "administrator": one(Role.ADMIN, province)}
    missing = [k for k in ("leaders", "volunteers", "province_staff", "administrator") if not cast[k]]
    if missing:
        raise RuntimeError(f"the database has no {', '.join(missing)} to play")
    return cast


def browser_for(app, server: Server, user_id: int, page: str) -> Browser:
    from app.accounts.models import User
    from app.extensions import db

    with app.app_context():
        cookie = session_cookie(app, db.session.get(User, user_id))
        db.session.remove()
    browser = Browser(server.port, app.config["SESSION_COOKIE_NAME"], cookie)
    answer = browser.open_page(page)
    if answer.status != 200 or not browser.token:
        raise RuntimeError(f"{page} answered {answer.status} without a form token")
    return browser


def volunteer(recorder: Recorder, browser: Browser, form, until: float, think: float, rng: random.Random) -> None:
    while time.time() < until:
        answer = recorder.send("submit", browser, "POST", "/logs/new", form.form(pick=rng.randrange(10**6)), htmx=True)
        if answer is not None:
            with recorder.lock:
                recorder.submitted += 1
        time.sleep(think)


def leader(recorder: Recorder, browser: Browser, until: float, think: float, bulk: int) -> None:
    while time.time() < until:
        answer = recorder.send("review_queue", browser, "GET", "/review")
        rows = ROW.findall(answer.body) if answer else []
        time.sleep(think)
        if len(rows) < 3:
            continue
        (first, first_version), (second, second_version), *rest = rows
        recorder.send("approve", browser, "POST", f"/review/{first}/approve", {"version": first_version}, htmx=True)
        time.sleep(think)
        recorder.send("send_back", browser, "POST", f"/review/{second}/return",
                      {"version": second_version, "reason": "missing_details",
                       "comment": "Ghi thêm số người được giúp."}, htmx=True)
        time.sleep(think)
        if rest:
            recorder.send("bulk_approve", browser, "POST", "/review/approve",
                          [("log", f"{i}:{v}") for i, v in rest[:bulk]], htmx=True)
            time.sleep(think)


def staff(recorder: Recorder, browser: Browser, pages: list[tuple[str, str]], until: float, think: float,
          rng: random.Random) -> None:
    while time.time() < until:
        for action, path in pages:
            if "{q}" in path:
                path = path.replace("{q}", rng.choice(PREFIXES).replace(" ", "+"))
            recorder.send(action, browser, "GET", path, htmx=action == "household_search")
            time.sleep(think)


def count_logs(app) -> int:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.helplogs.models import HelpLog

    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(HelpLog))
        db.session.remove()
    return count


def drive(app, server: Server, people: dict, seconds: float, think: float, bulk: int, staff_users: int,
          seed: int | None) -> tuple[Recorder, float]:
    rng = random.Random(seed)
    recorder = Recorder()
    threads = []
    until = time.time() + 3600  # set below, once everyone is signed in
    plans = []
    for form in people["volunteers"]:
        plans.append((volunteer, browser_for(app, server, form.user_id, "/logs/new"), form))
    for leader_id in people["leaders"]:
        plans.append((leader, browser_for(app, server, leader_id, "/review"), None))
    for number in range(staff_users):
        if number % 2 == 0:
            user, pages = people["province_staff"], [("coverage_province", f"/coverage/{people['province']}"),
                                                     ("coverage_commune", f"/coverage/{people['commune']}")]
        else:
            search = f"/areas/{people['commune']}/households?q={{q}}"
            user, pages = people["administrator"], [("household_search", search),
                                                    ("coverage_commune", f"/coverage/{people['commune']}")]
        plans.append((staff, browser_for(app, server, user, f"/coverage/{people['commune']}"), pages))
    started = time.time()
    until = started + seconds
    for role, browser, extra in plans:
        own = random.Random(rng.random())
        if role is volunteer:
            args = (recorder, browser, extra, until, think, own)
        elif role is leader:
            args = (recorder, browser, until, think, bulk)
        else:
            args = (recorder, browser, extra, until, think, own)
        threads.append(threading.Thread(target=role, args=args))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return recorder, time.time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--volunteers", type=int, default=8, help="volunteers submitting at once")
    parser.add_argument("--leaders", type=int, default=3, help="leaders reviewing at once (teams apart)")
    parser.add_argument("--staff", type=int, default=2, help="readers at once: the province's staff (coverage), "
                        "then its administrator (household search), in turn")
    parser.add_argument("--think", type=float, default=0.0, help="seconds each user waits between requests")
    parser.add_argument("--bulk", type=int, default=15, help="logs per bulk approval, at most")
    parser.add_argument("--scale", type=float, default=1.0, help="seed-bench size when the database is empty")
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()

    from common import OUT, machine_note, report
    from common import prepare as prepare_database

    from config import database_url

    OUT.mkdir(parents=True, exist_ok=True)
    url = database_url(os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{OUT / f'mixed-{args.scale:g}.sqlite'}")
    secret = "bench-only-secret"
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    env = {**os.environ, "GOCUA_CONFIG": "production", "SECRET_KEY": secret, "DATABASE_URL": url,
           "REDIS_URL": redis_url, "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"), "GOCUA_INSTANCE": str(OUT)}
    os.environ.update(env)
    app = prepare_database(url, args.scale, "production", SECRET_KEY=secret, RATELIMIT_STORAGE_URI=redis_url)
    db_name = "postgresql" if url.startswith("postgresql") else "sqlite"
    people = cast(app, args.leaders, args.volunteers)
    before = count_logs(app)

    server = Server("app:create_app('production')", env)
    server.start()
    try:
        print(machine_note(), flush=True)
        cpu = time.process_time()
        recorder, elapsed = drive(app, server, people, args.seconds, args.think, args.bulk, args.staff, args.seed)
        cpu = time.process_time() - cpu
        print(machine_note(), flush=True)
    finally:
        server.stop()
    added = count_logs(app) - before

    total = sum(len(t) for t in recorder.times.values())
    print(f"# {db_name}: gunicorn 2 gthread workers x 4 threads; {len(people['volunteers'])} volunteers, "
          f"{len(people['leaders'])} leaders, {args.staff} staff at once for {elapsed:.0f} s, think {args.think} s; "
          f"{total} requests ({total / elapsed:.0f} a second); the driver itself used {cpu:.0f} s of CPU "
          f"({cpu / elapsed:.0%} of a core), on the same machine", flush=True)
    for action in ACTIONS:
        ordered = sorted(recorder.times.get(action, []))
        if not ordered:
            print(f"# {action}: no request", flush=True)
            continue
        print(f"# {action}: {len(ordered)} requests, {len(ordered) / elapsed:.1f} a second, "
              f"{recorder.errors.get(action, 0)} errors", flush=True)
        for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
            report(f"mixed_{action}_{name}_{db_name}", percentile(ordered, share), "ms")
    report(f"mixed_rps_{db_name}", total / elapsed, "rps")
    errors = sum(recorder.errors.values())
    report(f"mixed_errors_{db_name}", errors, "count")
    print(f"# error rate {errors / max(total, 1):.4%} ({errors} of {total} requests)", flush=True)
    for example in recorder.examples:
        print(f"# error {example}")
    print(f"# submissions acknowledged {recorder.submitted}, logs added {added}", flush=True)
    lost_or_doubled = added != recorder.submitted
    if lost_or_doubled:
        print("# FAILED the logs added differ from the submissions acknowledged")
    missing = [a for a in ACTIONS if not recorder.times.get(a)]
    if missing:
        print(f"# FAILED no request for {', '.join(missing)}")
    return 1 if errors or lost_or_doubled or missing else 0


if __name__ == "__main__":
    sys.exit(main())
