"""Synthetic province-scale data for benchmarks: the 69 real communes, ~1,725 villages,
~2,000 field volunteers in ~300 teams, ~450,000 households and ~1,000,000 help logs over the
last twelve months at ``scale=1``, and ~1,000 trainees in ~40 training sessions.

One generator with a size option: later issues add their own parts (logs, tasks, training
results) as further steps of ``seed_bench``. Rows go in by bulk statements of ``CHUNK`` rows
(COPY on PostgreSQL for households), and every account shares one password hash, since hashing
is deliberately slow.
"""

import random
import time
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import func, insert, select, text, update

from app.accounts.models import Role, User
from app.accounts.passwords import hash_password
from app.areas.loader import load_province, read_communes
from app.areas.models import Area, AreaKind
from app.core.db import utcnow
from app.core.text import search_key
from app.coverage import summaries
from app.demo.bench_logs import seed_logs
from app.demo.bench_tasks import seed_tasks
from app.demo.bench_training import seed_training
from app.demo.bulk import CHUNK, bulk_write, chunks, scaled
from app.demo.names import mobile_number, person_name, shop_name
from app.demo.seed import seed_services
from app.demo.villages import village_plan
from app.extensions import db
from app.households.consent import CONSENT_VERSION
from app.households.models import ConsentMethod, Household
from app.teams.models import MemberRole, Membership, Team, team_villages

BENCH_PASSWORD = "gocua-bench"
VILLAGES_PER_COMMUNE = 25
HOUSEHOLDS_PER_COMMUNE = 6_500  # ~450,000 over the 69 communes (DESIGN §2)
TEAMS = 300
FIELD_USERS = 2_000


VERBAL, SIGNED = str(ConsentMethod.VERBAL_WITNESSED), str(ConsentMethod.SIGNED)


class BenchRefused(RuntimeError):
    """The database already holds households; seeding needs ``force``."""


@dataclass
class BenchWorld:
    """What the steps hand each other (ids only: nothing is loaded as ORM objects)."""

    rng: random.Random
    scale: float
    prefix: str
    province: Area
    communes: list[Area]
    villages: dict[int, list[int]] = field(default_factory=dict)  # commune id -> village ids
    field_user_ids: list[int] = field(default_factory=list)
    team_villages: dict[int, list[int]] = field(default_factory=dict)  # team id -> village ids
    counts: dict[str, int] = field(default_factory=dict)
    training_scale: float | None = None  # the training step's own scale (default: ``scale``)


def _insert_returning_ids(model, rows: list[dict]) -> list[int]:
    ids = []
    for chunk in chunks(rows):
        ids += db.session.execute(insert(model).returning(model.id, sort_by_parameter_order=True), chunk).scalars()
    return ids


@lru_cache(maxsize=65_536)
def _key(name: str) -> str:
    return search_key(name)


def seed_villages(world: BenchWorld) -> None:
    rows_by_code = {row.code: row for row in read_communes()}
    now = utcnow()
    rows, parents = [], []
    for commune in world.communes:
        plan = village_plan(rows_by_code[commune.code], world.rng, VILLAGES_PER_COMMUNE)
        declared = HOUSEHOLDS_PER_COMMUNE / len(plan)
        for name, former in plan:
            rows.append({"kind": AreaKind.VILLAGE, "name": name, "search_key": _key(name),
                         "parent_id": commune.id, "path": "", "former_commune": former,
                         # Some communes have not declared every village yet: those show "—".
                         "declared_households": round(world.rng.uniform(0.9, 1.1) * declared)
                         if world.rng.random() < 0.9 else None,
                         "is_active": True, "created_at": now})
            parents.append(commune)
    ids = _insert_returning_ids(Area, rows)
    for chunk in chunks([{"id": i, "path": f"{p.path}{i}/"} for i, p in zip(ids, parents, strict=True)]):
        db.session.execute(update(Area), chunk)
    for village_id, commune in zip(ids, parents, strict=True):
        world.villages.setdefault(commune.id, []).append(village_id)
    world.counts["villages"] = len(ids)


def _user_row(world: BenchWorld, username: str, role: Role, home_area_id: int, password_hash: str, now) -> dict:
    name = person_name(world.rng)
    return {"username": username, "full_name": name, "search_key": _key(name), "password_hash": password_hash,
            "role": role, "home_area_id": home_area_id, "is_active": True, "must_change_password": False,
            "created_at": now}


def seed_people_and_teams(world: BenchWorld) -> None:
    """Office accounts, then teams spread over the communes, each covering a slice of its
    commune's villages, with one leader and the rest volunteers."""
    password_hash = hash_password(BENCH_PASSWORD)  # once: every bench account shares it
    now = utcnow()
    p = world.prefix
    office = [_user_row(world, f"{p}.admin", Role.ADMIN, world.province.id, password_hash, now),
              _user_row(world, f"{p}.staff", Role.STAFF, world.province.id, password_hash, now)]
    office += [_user_row(world, f"{p}.staff.{c.code}", Role.STAFF, c.id, password_hash, now)
               for c in world.communes]
    _insert_returning_ids(User, office)

    team_count = scaled(TEAMS, world.scale)
    field_count = max(scaled(FIELD_USERS, world.scale), 2 * team_count)
    team_communes = [world.communes[i % len(world.communes)] for i in range(team_count)]
    team_rows = [{"name": f"Tổ công nghệ số cộng đồng {c.name.split(' ', 1)[-1]} {i // len(world.communes) + 1}",
                  "commune_id": c.id, "is_active": True, "created_at": now} for i, c in enumerate(team_communes)]
    for row in team_rows:
        row["search_key"] = _key(row["name"])
    team_ids = _insert_returning_ids(Team, team_rows)

    per_commune: dict[int, list[int]] = {}
    for team_id, commune in zip(team_ids, team_communes, strict=True):
        per_commune.setdefault(commune.id, []).append(team_id)
    links = []
    for commune_id, teams in per_commune.items():
        villages = world.villages.get(commune_id, [])
        for n, team_id in enumerate(teams):
            covered = villages[n::len(teams)]
            world.team_villages[team_id] = covered
            links += [{"team_id": team_id, "village_id": v} for v in covered]
    for chunk in chunks(links):
        db.session.execute(insert(team_villages), chunk)

    members = [(team_ids[i % team_count], i < team_count) for i in range(field_count)]
    user_rows = [_user_row(world, f"{p}.tnv{i + 1:05d}", Role.LEADER if leads else Role.VOLUNTEER,
                           team_communes[i % team_count].id, password_hash, now)
                 for i, (_, leads) in enumerate(members)]
    world.field_user_ids = _insert_returning_ids(User, user_rows)
    membership_rows = [{"team_id": team_id, "user_id": user_id, "created_at": now,
                        "role": MemberRole.LEADER if leads else MemberRole.MEMBER}
                       for user_id, (team_id, leads) in zip(world.field_user_ids, members, strict=True)]
    for chunk in chunks(membership_rows):
        db.session.execute(insert(Membership), chunk)
    world.counts.update(users=len(office) + len(user_rows), teams=len(team_ids),
                        memberships=len(membership_rows))


def _household_rows(world: BenchWorld):
    """Households village by village, as dicts, in chunks. Names and days are drawn from
    pools made once: the same distribution as drawing each, in a fraction of the time."""
    rng, now = world.rng, utcnow()
    collectors = world.field_user_ids
    people = [person_name(rng) for _ in range(50_000)]
    shops = [shop_name(rng) for _ in range(2_000)]
    days = [now - timedelta(days=n) for n in range(1, 366)]
    chunk = []
    for village_ids in world.villages.values():
        mean = HOUSEHOLDS_PER_COMMUNE * world.scale / len(village_ids)
        for village_id in village_ids:
            for _ in range(max(1, round(rng.uniform(0.8 * mean, 1.2 * mean)))):
                business = rng.random() < 0.12
                name = rng.choice(shops) if business and rng.random() < 0.5 else rng.choice(people)
                verbal = rng.random() < 0.5
                collector = rng.choice(collectors)
                chunk.append({
                    "village_id": village_id, "display_name": name, "search_key": _key(name),
                    "phone": mobile_number(rng) if rng.random() < 0.55 else None,
                    "is_farm": rng.random() < 0.6, "is_business": business,
                    "member_count": rng.randint(1, 7), "notes": None,
                    "consent_version": CONSENT_VERSION,
                    "consent_method": VERBAL if verbal else SIGNED,
                    "consent_witness": rng.choice(people) if verbal else None,
                    "consent_collected_by_id": collector,
                    "consent_collected_at": rng.choice(days),
                    "anonymised_at": None, "created_by_id": collector, "created_at": now, "updated_at": now,
                })
                if len(chunk) == CHUNK:
                    yield chunk
                    chunk = []
    if chunk:
        yield chunk


def _household_columns() -> list[str]:
    return [column.name for column in Household.__table__.columns if column.name != "id"]


def seed_households(world: BenchWorld) -> None:
    world.counts["households"] = bulk_write(Household.__table__, _household_columns(), _household_rows(world))


STEPS = (seed_villages, seed_people_and_teams, seed_households, seed_logs, seed_tasks, seed_training)


def seed_bench(scale: float = 1.0, *, force: bool = False, seed: int = 7,
               training_scale: float | None = None) -> dict[str, float]:
    """Generate the bench data; returns row counts and the seconds taken. Refuses (BenchRefused)
    when households exist, unless ``force``: then it adds another batch beside them. Commits.
    ``training_scale`` sizes the training apart (its figures do not depend on the logs)."""
    started = time.perf_counter()
    if not force and db.session.scalar(select(func.count()).select_from(select(Household.id).limit(1).subquery())):
        raise BenchRefused("the database already has households")
    seed_services()
    province, communes = load_province()
    db.session.flush()
    taken = db.session.scalar(select(func.count()).where(User.username.like("bench%.admin")))
    world = BenchWorld(random.Random(seed), scale, "bench" if not taken else f"bench{taken + 1}",
                       province, communes, training_scale=training_scale)
    world.counts["communes"] = len(communes)
    for step in STEPS:
        step(world)
    world.counts["summary rows"] = sum(summaries.rebuild().values())
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # The planner's statistics for the new rows, and the visibility map that lets reads
        # answer from an index alone (autovacuum would get there later).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))  # SQLite's planner statistics
        db.session.commit()
    return {**world.counts, "seconds": round(time.perf_counter() - started, 1)}
