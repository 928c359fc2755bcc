"""Idempotent demo data: Hà Tĩnh, villages, teams, households, services and demo accounts."""

import random
import uuid
from datetime import datetime, time, timedelta

from sqlalchemy import func, select, update

from app.accounts.models import Role, User
from app.accounts.passwords import hash_password
from app.accounts.services import create_user
from app.areas.loader import load_province, read_communes
from app.areas.models import Area, AreaKind
from app.catalog.data import SERVICES
from app.catalog.models import Service
from app.core.db import LOCAL_TZ, local_today, utcnow
from app.core.text import search_key
from app.coverage import summaries
from app.demo.bulk import chunks, insert_returning_ids
from app.demo.names import mobile_number, person_name, shop_name
from app.demo.story import seed_province_story, story_people
from app.demo.training import seed_training
from app.demo.villages import village_plan
from app.extensions import db
from app.helplogs.models import HelpLog, LogStatus, Outcome, help_log_services
from app.households.consent import CONSENT_VERSION
from app.households.models import ConsentMethod, Household
from app.tasks.models import Task, TaskScope
from app.teams.models import MemberRole, Membership, Team

DEMO_PASSWORD = "gocua-demo"
DEMO_ACCOUNTS = [
    # username, full name, role, home area code (None: the team's commune)
    ("admin", "Quản trị hệ thống", Role.ADMIN, "42"),
    ("staff", "Nguyễn Văn Hải", Role.STAFF, "42"),
    ("leader", "Trần Thị Hương", Role.LEADER, "18562"),
    ("volunteer", "Lê Văn Nam", Role.VOLUNTEER, "18562"),
]
# name, commune code, how many villages, leader usernames, member usernames
DEMO_TEAMS = [
    ("Tổ công nghệ số cộng đồng Thạch Hà 1", "18562", 4, ["leader"], ["volunteer", "tnv.hoa", "tnv.tuan"]),
    ("Tổ công nghệ số cộng đồng Thạch Hà 2", "18562", 4, ["tt.binh"], ["tnv.mai", "tnv.duc", "volunteer"]),
    ("Đội hình thanh niên tình nguyện Thành Sen", "18073", 3, ["tt.lan"], ["tnv.son", "tnv.trang"]),
]
EXTRA_PEOPLE = {
    "tt.binh": ("Phan Văn Bình", Role.LEADER, "18562"),
    "tt.lan": ("Nguyễn Thị Lan", Role.LEADER, "18073"),
    "tnv.hoa": ("Võ Thị Hoa", Role.VOLUNTEER, "18562"),
    "tnv.tuan": ("Hoàng Minh Tuấn", Role.VOLUNTEER, "18562"),
    "tnv.mai": ("Đặng Thị Mai", Role.VOLUNTEER, "18562"),
    "tnv.duc": ("Bùi Đức Anh", Role.VOLUNTEER, "18562"),
    "tnv.son": ("Hồ Xuân Sơn", Role.VOLUNTEER, "18073"),
    "tnv.trang": ("Ngô Thu Trang", Role.VOLUNTEER, "18073"),
}
HOUSEHOLDS_PER_VILLAGE = 30
LOG_DAYS = 182  # about six months of logs


def seed_services() -> None:
    existing = set(db.session.scalars(select(Service.code)))
    for order, (code, name_vi, name_en, skill) in enumerate(SERVICES):
        if code not in existing:
            db.session.add(Service.from_catalogue(order, code, name_vi, name_en, skill))


def seed_villages(communes: list[Area], rng: random.Random) -> None:
    """~25 villages per commune, in bulk statements: one INSERT … RETURNING, then their paths."""
    with_villages = set(db.session.scalars(
        select(Area.parent_id).where(Area.kind == AreaKind.VILLAGE).distinct()
    ))
    rows_by_code = {row.code: row for row in read_communes()}
    rows, parents = [], []
    for commune in communes:
        if commune.id in with_villages:
            continue
        for name, former in village_plan(rows_by_code[commune.code], rng):
            rows.append({"kind": AreaKind.VILLAGE, "name": name, "search_key": search_key(name),
                         "parent_id": commune.id, "path": "", "former_commune": former,
                         "declared_households": rng.randint(200, 260)})
            parents.append(commune)
    ids = insert_returning_ids(Area, rows)
    for chunk in chunks([{"id": i, "path": f"{p.path}{i}/"} for i, p in zip(ids, parents, strict=True)]):
        db.session.execute(update(Area), chunk)


def seed_people(areas_by_code: dict[str, Area], extra: dict | None = None) -> dict[str, User]:
    """The demo accounts and the teams' people, all with the demo password (hashed once)."""
    people = {username: (name, role, code) for username, name, role, code in DEMO_ACCOUNTS}
    people.update(EXTRA_PEOPLE)
    people.update(extra or {})
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(people)))}
    missing = [username for username in people if username not in users]
    shared = hash_password(DEMO_PASSWORD) if missing else None
    for username in missing:
        name, role, code = people[username]
        users[username] = create_user(None, username=username, full_name=name, password=DEMO_PASSWORD,
                                      role=role, home_area=areas_by_code[code], password_hash=shared)
    return users


def seed_teams(areas_by_code: dict[str, Area], users: dict[str, User]) -> list[Team]:
    teams = []
    taken: dict[int, int] = {}
    for name, code, village_count, leaders, members in DEMO_TEAMS:
        commune = areas_by_code[code]
        team = db.session.scalar(select(Team).where(Team.name == name, Team.commune_id == commune.id))
        if team is None:
            villages = list(db.session.scalars(
                select(Area).where(Area.parent_id == commune.id).order_by(Area.id)
                .offset(taken.get(commune.id, 0)).limit(village_count)
            ))
            team = Team(name=name, search_key=search_key(name), commune=commune, villages=villages)
            team.memberships = (
                [Membership(user=users[u], role=MemberRole.LEADER) for u in leaders]
                + [Membership(user=users[u], role=MemberRole.MEMBER) for u in members]
            )
            db.session.add(team)
        taken[commune.id] = taken.get(commune.id, 0) + village_count
        teams.append(team)
    db.session.flush()
    return teams


def seed_households(teams: list[Team], users: dict[str, User], rng: random.Random) -> None:
    villages = {v.id: v for team in teams for v in team.villages}
    journey_village = teams[0].villages[0].id  # the demo leader's and volunteer's first village
    filled = set(db.session.scalars(
        select(Household.village_id).where(Household.village_id.in_(villages)).distinct()
    ))
    collector = users["volunteer"]
    now = utcnow()
    for village in sorted(villages.values(), key=lambda v: v.id):
        if village.id in filled:
            continue
        names = [person_name(rng) for _ in range(HOUSEHOLDS_PER_VILLAGE)]
        if village.id == journey_village:
            names[0] = "Nguyễn Văn Đức"  # the household the browser journeys look for
        for name in names:
            business = rng.random() < 0.12
            display = shop_name(rng) if business and rng.random() < 0.5 else name
            db.session.add(Household(
                village=village,
                display_name=display,
                search_key=search_key(display),
                phone=mobile_number(rng) if rng.random() < 0.55 else None,
                is_farm=rng.random() < 0.6,
                is_business=business,
                member_count=rng.randint(1, 7),
                consent_version=CONSENT_VERSION,
                consent_method=rng.choice(list(ConsentMethod)),
                consent_collected_by=collector,
                consent_collected_at=now - timedelta(days=rng.randint(1, 120)),
                created_by_id=collector.id,
            ))


RETURN_REASONS = ["wrong_household", "wrong_service", "missing_details"]


def seed_logs(teams: list[Team], rng: random.Random) -> None:
    """Logs across the last six months, mostly approved, so every screen has something to show."""
    if db.session.scalar(select(func.count()).select_from(HelpLog)):
        return
    services = list(db.session.scalars(select(Service).order_by(Service.sort_order)))
    common = [s for s in services if s.code in ("VNEID", "DVC", "TTKDTM", "ATTT", "KNS")]
    today = local_today()
    for team in teams:
        authors = [m.user for m in team.memberships]
        households = list(db.session.scalars(
            select(Household).where(Household.village_id.in_([v.id for v in team.villages]))
        ))
        for household in households:
            if rng.random() > 0.45:
                continue
            for _ in range(rng.randint(1, 3)):
                add_demo_log(team, rng.choice(authors), household.village_id, household.id,
                             rng.sample(common, rng.randint(1, 2)) if rng.random() < 0.8 else [rng.choice(services)],
                             today - timedelta(days=rng.randint(0, LOG_DAYS)), rng)
        for _ in range(3):
            village = rng.choice(team.villages)
            add_demo_log(team, rng.choice(authors), village.id, None, rng.sample(common, 2),
                         today - timedelta(days=rng.randint(0, 60)), rng, people=rng.randint(12, 45))


def add_demo_log(team, author, village_id, household_id, services, helped_on, rng, people=None):
    recent = (local_today() - helped_on).days < 10
    roll = rng.random()
    status = (LogStatus.SUBMITTED if recent and roll < 0.5 else
              LogStatus.RETURNED if roll < 0.08 else LogStatus.APPROVED)
    received = datetime.combine(helped_on, time(9 + rng.randint(0, 8), rng.randint(0, 59)), LOCAL_TZ)
    received = min(received, utcnow() - timedelta(minutes=5))  # today's logs: not in the future
    log = HelpLog(
        client_uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)), author=author, team=team,
        village_id=village_id, household_id=household_id, people_count=people or rng.randint(1, 3),
        outcome=rng.choices(list(Outcome), [8, 1, 1])[0], helped_on=helped_on,
        received_at=received, updated_at=received, status=status, services=services,
    )
    if status != LogStatus.SUBMITTED:
        log.reviewed_at = min(received + timedelta(days=1), utcnow())
        log.reviewed_by = next((m.user for m in team.memberships if m.is_leader), author)
    if status == LogStatus.RETURNED:
        log.return_reason = rng.choice(RETURN_REASONS)
    if any(m.is_leader and m.user is author for m in team.memberships):
        # A leader's own logs are approved as they are saved.
        log.status, log.return_reason, log.reviewed_by = LogStatus.APPROVED, None, author
        log.reviewed_at = received
    db.session.add(log)


# team index, village index, service codes, assignee (None: open), started days ago, due in days, target share
DEMO_TASKS = [
    (0, 1, ["VNEID"], "volunteer", 60, 10, 0.5),
    (0, 2, ["DVC", "TTKDTM"], None, 45, 5, 0.5),
    (0, 3, ["TTKDTM"], "tnv.hoa", 75, -2, 0.4),
    (1, 0, ["ATTT"], None, 30, 21, 0.3),
]


def seed_tasks(teams: list[Team], users: dict[str, User]) -> None:
    """A few tasks, begun some days ago so their progress already shows: one for the demo
    volunteer, open ones to claim, and one overdue."""
    if db.session.scalar(select(func.count()).select_from(Task)):
        return
    services = {s.code: s for s in db.session.scalars(select(Service))}
    today = local_today()
    for team_no, village_no, codes, assignee, started, due, share in DEMO_TASKS:
        team = teams[team_no]
        village = team.villages[village_no]
        size = db.session.scalar(select(func.count()).select_from(Household).where(Household.village_id == village.id))
        leader = next(m.user for m in team.memberships if m.is_leader)
        task = Task(
            team=team, village=village, scope=TaskScope.VILLAGE, target_count=max(1, round(size * share)),
            starts_on=today - timedelta(days=started), due_on=today + timedelta(days=due),
            is_open=assignee is None, assignee=users[assignee] if assignee else None,
            services=[services[code] for code in codes], created_by=leader,
            created_at=utcnow() - timedelta(days=started), updated_at=utcnow() - timedelta(days=started),
        )
        db.session.add(task)
        # Every other fitting household log made since the task began was logged from it.
        fitting = db.session.scalars(
            select(HelpLog).join(help_log_services).where(
                HelpLog.village_id == village.id, HelpLog.team_id == team.id, HelpLog.household_id.is_not(None),
                HelpLog.helped_on >= task.starts_on, help_log_services.c.service_id.in_([s.id for s in task.services]))
            .distinct().order_by(HelpLog.id))
        for log in list(fitting)[::2]:
            log.task = task


def seed_demo() -> dict[str, int]:
    """Create whatever of the demo data is missing; returns row counts. Commits."""
    rng = random.Random(42)
    seed_services()
    province, communes = load_province()
    seed_villages(communes, rng)
    areas_by_code = {a.code: a for a in [province, *communes]}
    users = seed_people(areas_by_code, story_people())
    teams = seed_teams(areas_by_code, users)
    seed_households(teams, users, rng)
    db.session.flush()
    seed_logs(teams, rng)
    seed_tasks(teams, users)
    seed_province_story(areas_by_code, users, rng)
    seed_training(users, rng)
    summaries.rebuild()
    db.session.commit()
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return {
        "communes": len(communes),
        "villages": db.session.scalar(select(func.count()).where(Area.kind == AreaKind.VILLAGE)),
        "teams": count(Team),
        "users": count(User),
        "households": count(Household),
        "logs": count(HelpLog),
        "services": count(Service),
        "tasks": count(Task),
    }


def database_is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(User)) == 0
