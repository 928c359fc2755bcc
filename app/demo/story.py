"""The province's story in the demo data: teams in communes of the old Kỳ Anh, Thạch Hà, Can Lộc
and Nghi Xuân areas, six months of help logs, and this year's targets, so that province staff
open a coverage page with something to read: villages well covered, villages nobody has visited,
villages not visited for a month or more, communes ahead of their target and communes behind.

Households, logs and their kinds of help go in by the bulk writers (``demo.bulk``); teams and
people are a few dozen ORM rows. Ids are set here, so the logs name their households without
reading anything back.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import func, select, text

from app.accounts.models import Role, User
from app.areas.models import Area
from app.catalog.models import Service
from app.core.db import local_today, utcnow
from app.core.text import search_key
from app.coverage.models import ANY, Target
from app.demo.bulk import bulk_write
from app.demo.names import mobile_number, person_name, shop_name
from app.extensions import db
from app.helplogs.models import HelpLog, LogStatus, Outcome, help_log_services
from app.households.consent import CONSENT_VERSION
from app.households.models import ConsentMethod, Household
from app.teams.models import MemberRole, Membership, Team

DAYS = 182  # about six months

# How a village the team covers has gone: households in the app's list (share of those the
# commune declared), share of them reached, and when the visits were (days ago, newest, oldest).
PROFILES = {
    "strong": (0.9, 0.85, 0, DAYS),
    "good": (0.75, 0.6, 0, DAYS),
    "medium": (0.55, 0.4, 0, DAYS),
    "weak": (0.35, 0.2, 0, DAYS),
    "stale": (0.45, 0.35, 35, DAYS),  # nobody has been there for over a month
    "recent": (0.4, 0.3, 0, 40),  # a team that started six weeks ago
    "never": (0.15, 0.0, 0, 0),  # on the team's list, never visited yet
}


@dataclass(frozen=True)
class StoryTeam:
    commune_code: str
    name: str
    slug: str  # for the usernames of its people
    villages: tuple[str, ...]  # one profile per village it covers (the commune's first villages)
    pace: float  # this year's target is met at this share of the year's schedule (<1: behind)


STORY = (
    # Former Kỳ Anh district and town
    StoryTeam("18775", "Tổ công nghệ số cộng đồng Kỳ Anh", "kyanh",
              ("strong", "strong", "good", "good", "medium", "stale", "never"), 1.08),
    StoryTeam("18766", "Tổ công nghệ số cộng đồng Kỳ Xuân", "kyxuan",
              ("good", "medium", "medium", "weak", "stale", "never"), 0.7),
    StoryTeam("18823", "Đội hình thanh niên tình nguyện Vũng Áng", "vungang",
              ("medium", "stale", "stale", "stale", "never"), 0.45),
    # Former Thạch Hà district
    StoryTeam("18601", "Tổ công nghệ số cộng đồng Việt Xuyên", "vietxuyen",
              ("strong", "good", "good", "medium", "weak"), 1.05),
    # Former Can Lộc district
    StoryTeam("18406", "Tổ công nghệ số cộng đồng Can Lộc", "canloc",
              ("strong", "strong", "strong", "good", "good", "medium", "never"), 1.12),
    StoryTeam("18484", "Tổ công nghệ số cộng đồng Đồng Lộc", "dongloc",
              ("good", "medium", "medium", "weak", "never"), 0.85),
    # Former Nghi Xuân district
    StoryTeam("18373", "Tổ công nghệ số cộng đồng Tiên Điền", "tiendien",
              ("strong", "good", "good", "medium", "stale"), 1.04),
    StoryTeam("18394", "Tổ công nghệ số cộng đồng Cổ Đạm", "codam",
              ("weak", "weak", "stale", "stale", "never", "never"), 0.4),
    StoryTeam("18352", "Đội hình thanh niên tình nguyện Nghi Xuân", "nghixuan",
              ("recent", "recent", "recent", "never"), 0.5),
)
MEMBERS_PER_TEAM = 4
# The demo journeys' commune, behind its target; a province target above the communes' sum.
JOURNEY_PACE = {"18562": 0.6}
PROVINCE_SHARE = 1.3
# Kinds of help, by how a household is met: first visit, then what follows.
FIRST = (("VNEID",), ("VNEID", "DVC"), ("DVC",), ("VNEID", "CKS"))
FIRST_WEIGHTS = (50, 25, 15, 3)
LATER = ("TTKDTM", "ATTT", "KNS", "DVC", "YTASXH", "PAHT", "KHAC")
LATER_WEIGHTS = (30, 25, 18, 10, 8, 6, 3)
FIVE_SKILLS = (("VNEID", "DVC"), ("TTKDTM", "ATTT"), ("TMDT", "KNS"))  # three visits cover all five
RETURN_REASONS = ("wrong_household", "wrong_service", "missing_details")


@lru_cache(maxsize=8192)
def _key(name: str) -> str:
    return search_key(name)


def story_people() -> dict[str, tuple[str, Role, str]]:
    """The story teams' leaders and volunteers: username -> (name, role, home commune code)."""
    rng = random.Random(1665)  # the resolution that merged the communes
    people = {}
    for team in STORY:
        people[f"tt.{team.slug}"] = (person_name(rng), Role.LEADER, team.commune_code)
        for n in range(1, MEMBERS_PER_TEAM + 1):
            people[f"tnv.{team.slug}.{n}"] = (person_name(rng), Role.VOLUNTEER, team.commune_code)
    return people


@dataclass
class Story:
    """What the steps hand each other."""

    rng: random.Random
    today: date
    services: dict[str, int]
    next_household: int
    next_log: int
    households: list[dict] = field(default_factory=list)
    logs: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)
    reached: dict[str, set[int]] = field(default_factory=dict)  # commune code -> households reached
    now: datetime = field(default_factory=utcnow)


def _teams(areas_by_code: dict[str, Area], users: dict[str, User]) -> list[tuple[StoryTeam, Team, list[Area]]]:
    """The story's teams, made when missing; none when they all exist (seeded before)."""
    existing = set(db.session.scalars(select(Team.name).where(Team.name.in_([t.name for t in STORY]))))
    made = []
    for spec in STORY:
        if spec.name in existing:
            continue
        commune = areas_by_code[spec.commune_code]
        villages = list(db.session.scalars(
            select(Area).where(Area.parent_id == commune.id).order_by(Area.id).limit(len(spec.villages))))
        team = Team(name=spec.name, search_key=search_key(spec.name), commune=commune, villages=villages)
        team.memberships = (
            [Membership(user=users[f"tt.{spec.slug}"], role=MemberRole.LEADER)]
            + [Membership(user=users[f"tnv.{spec.slug}.{n}"], role=MemberRole.MEMBER)
               for n in range(1, MEMBERS_PER_TEAM + 1)])
        db.session.add(team)
        made.append((spec, team, villages))
    db.session.flush()
    return made


def _household(story: Story, village: Area, collector: int, now: datetime, names: list[str]) -> dict:
    rng = story.rng
    business = rng.random() < 0.1
    name = shop_name(rng) if business and rng.random() < 0.5 else rng.choice(names)
    verbal = rng.random() < 0.6
    row = {
        "id": story.next_household, "village_id": village.id, "display_name": name, "search_key": _key(name),
        "phone": mobile_number(rng) if rng.random() < 0.5 else None, "is_farm": rng.random() < 0.6,
        "is_business": business, "member_count": rng.randint(1, 7), "notes": None,
        "consent_version": CONSENT_VERSION,
        "consent_method": str(ConsentMethod.VERBAL_WITNESSED if verbal else ConsentMethod.SIGNED),
        "consent_witness": rng.choice(names) if verbal else None,
        "consent_collected_by_id": collector,
        "consent_collected_at": now - timedelta(days=rng.randint(DAYS, DAYS + 60)),
        "anonymised_at": None, "created_by_id": collector, "created_at": now, "updated_at": now,
    }
    story.next_household += 1
    story.households.append(row)
    return row


def _log(story: Story, team: Team, village: Area, household: int | None, codes, days_ago: int,
         author: int, leader: int, people: int | None = None) -> None:
    rng = story.rng
    helped_on = story.today - timedelta(days=days_ago)
    received = datetime.combine(helped_on, datetime.min.time(), UTC) + timedelta(hours=rng.uniform(1, 11))
    received = min(received, story.now - timedelta(minutes=rng.randint(5, 120)))  # today's: not in the future
    roll = rng.random()
    status = (LogStatus.SUBMITTED if days_ago < 10 and roll < 0.35 else
              LogStatus.RETURNED if roll < 0.03 else LogStatus.APPROVED)
    if author == leader:
        status = LogStatus.APPROVED  # a leader's own logs are approved as they are saved
    reviewed = status != LogStatus.SUBMITTED
    story.logs.append({
        "id": story.next_log, "client_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "author_id": author, "team_id": team.id, "village_id": village.id, "household_id": household,
        "people_count": people or rng.choice((1, 1, 1, 2, 2, 3)),
        "outcome": rng.choices((Outcome.DONE, Outcome.PARTLY, Outcome.FOLLOW_UP), (85, 10, 5))[0],
        "helped_on": helped_on, "received_at": received, "updated_at": received, "note": None,
        "status": status, "version": 1,
        "return_reason": rng.choice(RETURN_REASONS) if status == LogStatus.RETURNED else None,
        "return_comment": None,
        "reviewed_by_id": leader if reviewed else None,
        "reviewed_at": min(received + timedelta(hours=rng.randint(2, 40)), story.now) if reviewed else None,
    })
    story.links += [{"log_id": story.next_log, "service_id": story.services[code]} for code in codes]
    if status == LogStatus.APPROVED and household is not None:
        story.reached.setdefault(team.commune.code, set()).add(household)
    story.next_log += 1


def _visits(story: Story, row: dict, newest: int, oldest: int) -> list[tuple[tuple[str, ...], int]]:
    """The visits to one household reached: kinds of help and days ago, first visit first."""
    rng = story.rng
    first = int(rng.triangular(newest, oldest, newest + (oldest - newest) * 0.35))
    if rng.random() < 0.18:  # met three times: all five skills
        plan = list(FIVE_SKILLS)
    else:
        plan = [rng.choices(FIRST, FIRST_WEIGHTS)[0]]
        for _ in range(rng.choices((0, 1, 2), (55, 35, 10))[0]):
            later = rng.choices(LATER, LATER_WEIGHTS)[0]
            if row["is_business"] and rng.random() < 0.6:
                later = "QR"
            elif row["is_farm"] and rng.random() < 0.25:
                later = "TMDT"
            plan.append((later,))
    days, visits = first, []
    for codes in plan:
        visits.append((codes, days))
        days = max(newest, days - rng.randint(3, 30))
    return visits


def _village(story: Story, spec_team: Team, village: Area, profile: str, people: list[int], leader: int,
             names: list[str], now: datetime) -> None:
    rng = story.rng
    listed, reached, newest, oldest = PROFILES[profile]
    declared = village.declared_households or 220
    rows = [_household(story, village, rng.choice(people), now, names)
            for _ in range(max(3, round(declared * listed * rng.uniform(0.9, 1.1))))]
    if not reached:
        return
    for row in rng.sample(rows, round(len(rows) * reached * rng.uniform(0.9, 1.1))):
        for codes, days in _visits(story, row, newest, oldest):
            _log(story, spec_team, village, row["id"], codes, days, rng.choice(people), leader)
    for _ in range(rng.randint(1, 3)):  # group sessions at the village's hall
        _log(story, spec_team, village, None, rng.sample(("KNS", "ATTT", "VNEID", "TTKDTM"), 2),
             rng.randint(newest, oldest), rng.choice(people), leader, people=rng.randint(15, 45))


def _targets(story: Story, areas_by_code: dict[str, Area], paces: dict[str, float]) -> None:
    """This year's targets (any kind of help): each commune's set so that it is ``pace`` of its
    schedule today, and the province's above the sum of its communes'."""
    year = story.today.year
    first = date(year, 1, 1)
    elapsed = ((story.today - first).days + 1) / ((date(year, 12, 31) - first).days + 1)
    existing = set(db.session.scalars(select(Target.area_id).where(Target.year == year, Target.key == ANY)))
    total = 0
    for code, pace in paces.items():
        reached = len(story.reached.get(code, ()))
        area = areas_by_code[code]
        if not reached:
            continue
        households = max(10, round(reached / (elapsed * pace), -1))
        total += households
        if area.id not in existing:
            db.session.add(Target(area_id=area.id, year=year, key=ANY, households=households))
    province = next(a for a in areas_by_code.values() if a.parent_id is None)
    if total and province.id not in existing:
        db.session.add(Target(area_id=province.id, year=year, key=ANY,
                              households=round(total * PROVINCE_SHARE, -2)))


def _journey_reached(codes: list[str]) -> dict[str, set[int]]:
    """Households already reached in the journeys' communes (seeded by the ORM before this)."""
    village, commune = Area.__table__.alias("village"), Area.__table__.alias("commune")
    found: dict[str, set[int]] = {}
    for code, household in db.session.execute(
        select(commune.c.code, HelpLog.household_id)
        .join(village, village.c.id == HelpLog.village_id).join(commune, commune.c.id == village.c.parent_id)
        .where(HelpLog.status == LogStatus.APPROVED, HelpLog.household_id.is_not(None), commune.c.code.in_(codes))
    ):
        found.setdefault(code, set()).add(household)
    return found


def seed_province_story(areas_by_code: dict[str, Area], users: dict[str, User], rng: random.Random) -> None:
    """The story's teams, households, logs and targets; nothing when its teams already exist."""
    teams = _teams(areas_by_code, users)
    if not teams:
        return
    db.session.flush()
    story = Story(rng, local_today(), dict(db.session.execute(select(Service.code, Service.id)).all()),
                  (db.session.scalar(select(func.max(Household.id))) or 0) + 1,
                  (db.session.scalar(select(func.max(HelpLog.id))) or 0) + 1)
    names = [person_name(rng) for _ in range(3_000)]
    now = utcnow()
    for spec, team, villages in teams:
        leader = users[f"tt.{spec.slug}"].id
        people = [leader] + [users[f"tnv.{spec.slug}.{n}"].id for n in range(1, MEMBERS_PER_TEAM + 1)]
        for village, profile in zip(villages, spec.villages, strict=False):
            _village(story, team, village, profile, people, leader, names, now)
    bulk_write(Household.__table__, list(story.households[0]), [story.households])
    bulk_write(HelpLog.__table__, list(story.logs[0]), [story.logs])
    bulk_write(help_log_services, ["log_id", "service_id"], [story.links])
    if db.engine.dialect.name == "postgresql":  # the ids were set here: move the sequences past them
        for table in ("households", "help_logs"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"))
    story.reached.update(_journey_reached(list(JOURNEY_PACE)))
    _targets(story, areas_by_code, {**{t.commune_code: t.pace for t, _, _ in teams}, **JOURNEY_PACE})
