"""Keeping the coverage summaries: the deltas of one write (``SummaryWatcher``), a rebuild from
the raw rows, and a check of the stored summaries against a recomputation.

The write side takes a snapshot of what the named rows contribute before the write and after
it, and adds the difference to the buckets: a household's first day per key (where it lives
now), an approved log's visit, people and volunteer per key (where it happened). Both
snapshots are a few indexed queries over the rows named, whatever the size of the data.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Date, and_, case, cast, delete, func, literal, or_, select, text, union_all, update
from sqlalchemy.dialects import postgresql, sqlite

from app.areas.models import Area
from app.catalog.models import Service
from app.core.changes import Rows
from app.coverage.models import (
    ALL,
    ALL_START,
    ANY,
    DAY,
    FIVE,
    MONTH,
    SKILLS,
    WEEK,
    Bucket,
    LastVisit,
    Registered,
    VolunteerBucket,
    skill_key,
)
from app.coverage.periods import month_end
from app.extensions import db
from app.helplogs.models import HelpLog, LogStatus, help_log_services
from app.households.models import Household

APPROVED = LogStatus.APPROVED.value


def month_start(day: date) -> date:
    return day.replace(day=1)


def week_start(day: date) -> date:
    """The Monday of the week of ``day`` (weeks run Monday to Sunday, as the trend's do)."""
    return day - timedelta(days=day.weekday())


# Snapshots -------------------------------------------------------------------------------

@dataclass
class Reach:
    """Where a household lives (village, commune) and the first day it was reached per key."""

    village_id: int
    commune_id: int
    first: dict[int, date] = field(default_factory=dict)


def first_days(by_service: dict[int, date], skills: dict[int, int]) -> dict[int, date]:
    """Per key, from the first day per service (``skills`` maps service id -> skill)."""
    first = dict(by_service)
    if not by_service:
        return first
    first[ANY] = min(by_service.values())
    per_skill: dict[int, date] = {}
    for service_id, day in by_service.items():
        skill = skills[service_id]
        per_skill[skill] = min(day, per_skill.get(skill, day))
    for skill, day in per_skill.items():
        first[skill_key(skill)] = day
    if all(skill in per_skill for skill in SKILLS):
        first[FIVE] = max(per_skill[skill] for skill in SKILLS)  # the day the last skill was covered
    return first


def reach_of(household_ids: set[int]) -> dict[int, Reach]:
    if not household_ids:
        return {}
    ids = sorted(household_ids)
    places = db.session.execute(
        select(Household.id, Household.village_id, Area.parent_id)
        .join(Area, Area.id == Household.village_id).where(Household.id.in_(ids))
    ).all()
    reach = {hid: Reach(village_id, commune_id) for hid, village_id, commune_id in places}
    by_service: dict[int, dict[int, date]] = defaultdict(dict)
    skills: dict[int, int] = {}
    for hid, service_id, skill, day in db.session.execute(
        select(HelpLog.household_id, help_log_services.c.service_id, Service.skill, func.min(HelpLog.helped_on))
        .join(help_log_services, help_log_services.c.log_id == HelpLog.id)
        .join(Service, Service.id == help_log_services.c.service_id)
        .where(HelpLog.household_id.in_(ids), HelpLog.status == APPROVED)
        .group_by(HelpLog.household_id, help_log_services.c.service_id, Service.skill)
    ):
        by_service[hid][service_id] = day
        skills[service_id] = skill
    for hid, place in reach.items():
        place.first = first_days(by_service.get(hid, {}), skills)
    return reach


@dataclass
class Visit:
    """An approved log's contribution: where, when, how many people, by whom, for which keys."""

    village_id: int
    commune_id: int
    day: date
    people: int
    author_id: int
    household_id: int | None
    keys: set[int] = field(default_factory=lambda: {ANY})


def visits_of(log_ids: set[int]) -> dict[int, Visit]:
    if not log_ids:
        return {}
    visits: dict[int, Visit] = {}
    for log_id, village_id, commune_id, day, people, author_id, household_id, service_id in db.session.execute(
        select(HelpLog.id, HelpLog.village_id, Area.parent_id, HelpLog.helped_on, HelpLog.people_count,
               HelpLog.author_id, HelpLog.household_id, help_log_services.c.service_id)
        .join(Area, Area.id == HelpLog.village_id)
        .join(help_log_services, help_log_services.c.log_id == HelpLog.id)
        .where(HelpLog.id.in_(sorted(log_ids)), HelpLog.status == APPROVED)
    ):
        visit = visits.setdefault(log_id, Visit(village_id, commune_id, day, people, author_id, household_id))
        visit.keys.add(service_id)
    return visits


def households_of_logs(log_ids: set[int]) -> set[int]:
    if not log_ids:
        return set()
    return set(db.session.scalars(
        select(HelpLog.household_id).where(HelpLog.id.in_(sorted(log_ids)), HelpLog.household_id.is_not(None))
    ))


# Deltas ----------------------------------------------------------------------------------

@dataclass
class Deltas:
    buckets: dict[tuple, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    volunteers: Counter = field(default_factory=Counter)
    # Per volunteer bucket: the first and last day of the visits added, and those that lost one.
    volunteer_days: dict[tuple, tuple[date, date]] = field(default_factory=dict)
    volunteer_lost: set[tuple] = field(default_factory=set)

    def _grains(self, area_ids, key, day):
        for area_id in area_ids:
            yield area_id, key, DAY, day
            yield area_id, key, WEEK, week_start(day)
            yield area_id, key, MONTH, month_start(day)
            yield area_id, key, ALL, ALL_START

    def reach(self, place: Reach, key: int, day: date, sign: int) -> None:
        for bucket in self._grains((place.village_id, place.commune_id), key, day):
            self.buckets[bucket][0] += sign

    def visit(self, visit: Visit, sign: int) -> None:
        for key in visit.keys:
            for bucket in self._grains((visit.village_id, visit.commune_id), key, visit.day):
                counts = self.buckets[bucket]
                counts[1] += sign
                counts[2] += sign * visit.people
                if bucket[2] in (WEEK, ALL):
                    continue  # volunteers are counted over days and months only
                volunteer = (*bucket, visit.author_id)
                self.volunteers[volunteer] += sign
                if sign < 0:
                    self.volunteer_lost.add(volunteer)
                else:
                    first, last = self.volunteer_days.get(volunteer, (visit.day, visit.day))
                    self.volunteer_days[volunteer] = (min(first, visit.day), max(last, visit.day))

    def reach_change(self, before: Reach | None, after: Reach | None) -> None:
        keys = set(before.first if before else ()) | set(after.first if after else ())
        for key in keys:
            old = (before.village_id, before.first.get(key)) if before else (None, None)
            new = (after.village_id, after.first.get(key)) if after else (None, None)
            if old == new:
                continue
            if old[1] is not None:
                self.reach(before, key, old[1], -1)
            if new[1] is not None:
                self.reach(after, key, new[1], +1)


def _insert(model):
    """An INSERT of the session's dialect, which takes ON CONFLICT."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    return (postgresql.insert if postgres else sqlite.insert)(model)


def _upsert(model, rows: list[dict], keys: tuple[str, ...], added: tuple[str, ...]) -> None:
    if not rows:
        return
    stmt = _insert(model)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={name: getattr(model, name) + getattr(stmt.excluded, name) for name in added}
    )
    db.session.execute(stmt, rows)


def apply(deltas: Deltas) -> None:
    bucket_rows = [
        {"area_id": a, "key": k, "grain": g, "start": s, "reached": r, "visits": v, "people": p}
        for (a, k, g, s), (r, v, p) in sorted(deltas.buckets.items()) if r or v or p
    ]
    _upsert(Bucket, bucket_rows, ("area_id", "key", "grain", "start"), ("reached", "visits", "people"))
    keep_volunteers(deltas)
    keep_last_visits(deltas)


def _earlier_later():
    postgres = db.session.get_bind().dialect.name == "postgresql"
    return (func.least, func.greatest) if postgres else (func.min, func.max)


def keep_volunteers(deltas: Deltas) -> None:
    """Each volunteer bucket's count of visits, and its first and last day. A visit added can
    only widen the days (kept by the upsert itself, so concurrent writers agree in any order;
    a row back from 0 visits starts afresh). A month that lost a visit reads its days again
    from its day buckets, its row locked first."""
    keys = ("area_id", "key", "grain", "start", "author_id")
    widened = [{"area_id": a, "key": k, "grain": g, "start": s, "author_id": author,
                "logs": deltas.volunteers[(a, k, g, s, author)], "first_day": first, "last_day": last}
               for (a, k, g, s, author), (first, last) in sorted(deltas.volunteer_days.items())]
    if widened:
        stmt = _insert(VolunteerBucket)
        earlier, later = _earlier_later()
        fresh = VolunteerBucket.logs <= 0
        db.session.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_={
            "logs": VolunteerBucket.logs + stmt.excluded.logs,
            "first_day": case((fresh, stmt.excluded.first_day),
                              else_=earlier(VolunteerBucket.first_day, stmt.excluded.first_day)),
            "last_day": case((fresh, stmt.excluded.last_day),
                             else_=later(VolunteerBucket.last_day, stmt.excluded.last_day)),
        }), widened)
    only_lost = sorted(key for key in deltas.volunteer_lost if key not in deltas.volunteer_days)
    for area_id, key, grain, start, author_id in only_lost:
        if deltas.volunteers[(area_id, key, grain, start, author_id)]:
            db.session.execute(
                update(VolunteerBucket)
                .where(VolunteerBucket.area_id == area_id, VolunteerBucket.key == key, VolunteerBucket.grain == grain,
                       VolunteerBucket.start == start, VolunteerBucket.author_id == author_id)
                .values(logs=VolunteerBucket.logs + deltas.volunteers[(area_id, key, grain, start, author_id)])
                .execution_options(synchronize_session=False))
    months = sorted(key for key in deltas.volunteer_lost if key[2] == MONTH)
    if months:
        _reread_days(months)


def _reread_days(months: list[tuple]) -> None:
    """The first and last day of these month buckets (area, key, grain, start, author), read
    from their day buckets with a visit."""
    month = VolunteerBucket.__table__.alias("month")
    day = VolunteerBucket.__table__.alias("day")
    rows = [and_(month.c.area_id == a, month.c.key == k, month.c.grain == g, month.c.start == s,
                 month.c.author_id == author) for a, k, g, s, author in months]
    db.session.execute(select(month.c.area_id).where(or_(*rows)).with_for_update())
    for a, k, _g, s, author in months:
        days = (select(func.min(day.c.start), func.max(day.c.start))
                .where(day.c.area_id == a, day.c.key == k, day.c.grain == DAY, day.c.author_id == author,
                       day.c.logs > 0, day.c.start.between(s, month_end(s))))
        first, last = db.session.execute(days).one()
        db.session.execute(
            update(VolunteerBucket)
            .where(VolunteerBucket.area_id == a, VolunteerBucket.key == k, VolunteerBucket.grain == MONTH,
                   VolunteerBucket.start == s, VolunteerBucket.author_id == author)
            .values(first_day=first or s, last_day=last or s)
            .execution_options(synchronize_session=False))


def newest_visit(area_id):
    """The day of the newest day bucket with an approved visit (any help) of the area
    ``area_id`` (a column of the enclosing query), read backwards along the index: one probe."""
    return (select(Bucket.start)
            .where(Bucket.area_id == area_id, Bucket.key == ANY, Bucket.grain == DAY, Bucket.visits > 0)
            .order_by(Bucket.start.desc()).limit(1).scalar_subquery())


def keep_last_visits(deltas: Deltas) -> None:
    """Each area's last visit after the buckets took ``deltas``. A visit added can only move it
    later: the later of the two days, kept by the upsert itself (concurrent writers agree in
    any order). An area that lost a visit is read again from its buckets, its row locked first
    so that the read sees every writer that got there before."""
    added: dict[int, date] = {}
    lost: set[int] = set()
    for (area_id, key, grain, day), (_reached, visits, _people) in deltas.buckets.items():
        if key == ANY and grain == DAY and visits:
            if visits > 0:
                added[area_id] = max(day, added.get(area_id, day))
            else:
                lost.add(area_id)
    if added:
        stmt = _insert(LastVisit)
        _earlier, later = _earlier_later()
        db.session.execute(stmt.on_conflict_do_update(index_elements=["area_id"],
                                                      set_={"day": later(LastVisit.day, stmt.excluded.day)}),
                           [{"area_id": area_id, "day": day} for area_id, day in sorted(added.items())])
    if lost:
        ids = sorted(lost)
        db.session.execute(select(LastVisit.area_id).where(LastVisit.area_id.in_(ids)).with_for_update())
        newest = newest_visit(LastVisit.area_id)
        db.session.execute(delete(LastVisit).where(LastVisit.area_id.in_(ids), newest.is_(None))
                           .execution_options(synchronize_session=False))
        db.session.execute(update(LastVisit).where(LastVisit.area_id.in_(ids)).values(day=newest)
                           .execution_options(synchronize_session=False))


def recount_registered(village_ids: set[int]) -> None:
    """Set the registered households of these villages and of their communes, counted afresh."""
    if not village_ids:
        return
    villages = sorted(village_ids)
    communes = sorted(set(db.session.scalars(select(Area.parent_id).where(Area.id.in_(villages)))) - {None})
    counts = dict.fromkeys(villages, 0) | dict.fromkeys(communes, 0)
    counts.update(db.session.execute(
        select(Household.village_id, func.count()).where(Household.village_id.in_(villages))
        .group_by(Household.village_id)).all())
    counts.update(db.session.execute(
        select(Area.parent_id, func.count()).select_from(Household).join(Area, Area.id == Household.village_id)
        .where(Area.parent_id.in_(communes)).group_by(Area.parent_id)).all())
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(Registered)
    stmt = stmt.on_conflict_do_update(index_elements=["area_id"], set_={"households": stmt.excluded.households})
    db.session.execute(stmt, [{"area_id": area_id, "households": n} for area_id, n in sorted(counts.items())])


@dataclass
class Before:
    households: set[int]
    reach: dict[int, Reach]
    visits: dict[int, Visit]


class SummaryWatcher:
    """Registered with ``core.changes``: follows every write that names logs or households."""

    def before(self, rows: Rows) -> Before:
        households = rows.households | households_of_logs(rows.help_logs)
        return Before(households, reach_of(households), visits_of(rows.help_logs))

    def after(self, rows: Rows, added: Rows, state: Before | None) -> None:
        state = state or Before(set(), {}, {})
        logs = rows.help_logs | added.help_logs
        households = state.households | added.households | households_of_logs(added.help_logs)
        reach, visits = reach_of(households), visits_of(logs)
        deltas = Deltas()
        for hid in households:
            deltas.reach_change(state.reach.get(hid), reach.get(hid))
        for log_id in logs:
            if log_id in state.visits:
                deltas.visit(state.visits[log_id], -1)
            if log_id in visits:
                deltas.visit(visits[log_id], +1)
        apply(deltas)
        moved = {place.village_id for place in reach.values()} ^ {place.village_id for place in state.reach.values()}
        new_households = {reach[hid].village_id for hid in added.households if hid in reach}
        recount_registered(rows.villages | added.villages | moved | new_households)


# Rebuild and check ------------------------------------------------------------------------

def _month(column, dialect: str):
    if dialect == "postgresql":
        return cast(func.date_trunc("month", column), Date)
    return func.date(column, "start of month")


def _week(column, dialect: str):
    """The Monday of the week of a date column (SQLite: six days back, then on to a Monday)."""
    if dialect == "postgresql":
        return cast(func.date_trunc("week", column), Date)
    return func.date(column, "-6 days", "weekday 1")


def _start(column, grain: str, dialect: str):
    """Where the bucket of ``grain`` that holds the day ``column`` starts."""
    if grain == MONTH:
        return _month(column, dialect)
    return _week(column, dialect) if grain == WEEK else column


def _approved():
    return HelpLog.status == APPROVED


def reach_rows():
    """(household_id, key, first_on) of every household reached, recomputed from the logs."""
    per_service = (
        select(HelpLog.household_id.label("hid"), help_log_services.c.service_id.label("sid"),
               Service.skill.label("skill"), func.min(HelpLog.helped_on).label("first_on"))
        .join(help_log_services, help_log_services.c.log_id == HelpLog.id)
        .join(Service, Service.id == help_log_services.c.service_id)
        .where(_approved(), HelpLog.household_id.is_not(None))
        .group_by(HelpLog.household_id, help_log_services.c.service_id, Service.skill)
    ).cte("per_service")
    per_skill = (
        select(per_service.c.hid, per_service.c.skill, func.min(per_service.c.first_on).label("first_on"))
        .group_by(per_service.c.hid, per_service.c.skill)
    ).cte("per_skill")
    return union_all(
        select(per_service.c.hid, per_service.c.sid.label("key"), per_service.c.first_on),
        select(per_skill.c.hid, (-per_skill.c.skill).label("key"), per_skill.c.first_on),
        select(per_skill.c.hid, literal(ANY).label("key"), func.min(per_skill.c.first_on)).group_by(per_skill.c.hid),
        select(per_skill.c.hid, literal(FIVE).label("key"), func.max(per_skill.c.first_on))
        .where(per_skill.c.skill.in_(SKILLS)).group_by(per_skill.c.hid)
        .having(func.count(per_skill.c.skill.distinct()) == len(SKILLS)),
    ).subquery("reach")


def log_rows():
    """(village_id, commune_id, day, people, author_id, key) of every approved log and key."""
    village = Area.__table__.alias("village")
    base = (select(HelpLog.village_id, village.c.parent_id.label("commune_id"), HelpLog.helped_on.label("day"),
                   HelpLog.people_count.label("people"), HelpLog.author_id)
            .join(village, village.c.id == HelpLog.village_id).where(_approved()))
    return union_all(
        base.add_columns(literal(ANY).label("key")),
        base.add_columns(help_log_services.c.service_id.label("key"))
        .join(help_log_services, help_log_services.c.log_id == HelpLog.id),
    ).subquery("logs")


def _per_area_and_grain(select_for_area_and_grain, grains=(DAY, MONTH)):
    """The UNION ALL of a select over (village, commune) × ``grains``."""
    parts = [select_for_area_and_grain(area, grain) for area in ("village", "commune") for grain in grains]
    return union_all(*parts).subquery()


def recomputed_buckets(dialect: str):
    reach, logs = reach_rows(), log_rows()
    village = Area.__table__.alias("home")

    def reach_part(area, grain):
        area_id = Household.village_id if area == "village" else village.c.parent_id
        start = _start(reach.c.first_on, grain, dialect)
        return (select(area_id.label("area_id"), reach.c.key, literal(grain).label("grain"), start.label("start"),
                       literal(1).label("reached"), literal(0).label("visits"), literal(0).label("people"))
                .join(Household, Household.id == reach.c.hid).join(village, village.c.id == Household.village_id))

    def log_part(area, grain):
        area_id = logs.c.village_id if area == "village" else logs.c.commune_id
        start = _start(logs.c.day, grain, dialect)
        return select(area_id.label("area_id"), logs.c.key, literal(grain).label("grain"), start.label("start"),
                      literal(0).label("reached"), literal(1).label("visits"), logs.c.people.label("people"))

    grains = (DAY, WEEK, MONTH)
    parts = union_all(_per_area_and_grain(reach_part, grains).select(),
                      _per_area_and_grain(log_part, grains).select()).subquery()
    grained = (select(parts.c.area_id, parts.c.key, parts.c.grain, parts.c.start,
                      func.sum(parts.c.reached).label("reached"), func.sum(parts.c.visits).label("visits"),
                      func.sum(parts.c.people).label("people"))
               .group_by(parts.c.area_id, parts.c.key, parts.c.grain, parts.c.start)).subquery()
    # Each area and key's all-time bucket: the sum of its months.
    return union_all(
        select(grained),
        select(grained.c.area_id, grained.c.key, literal(ALL).label("grain"), literal(ALL_START, Date).label("start"),
               func.sum(grained.c.reached), func.sum(grained.c.visits), func.sum(grained.c.people))
        .where(grained.c.grain == MONTH).group_by(grained.c.area_id, grained.c.key),
    )


def recomputed_volunteers(dialect: str):
    logs = log_rows()

    def part(area, grain):
        area_id = logs.c.village_id if area == "village" else logs.c.commune_id
        start = _start(logs.c.day, grain, dialect)
        return select(area_id.label("area_id"), logs.c.key, literal(grain).label("grain"), start.label("start"),
                      logs.c.author_id, logs.c.day)

    parts = _per_area_and_grain(part)
    return (select(parts.c.area_id, parts.c.key, parts.c.grain, parts.c.start, parts.c.author_id, func.count(),
                   func.min(parts.c.day), func.max(parts.c.day))
            .group_by(parts.c.area_id, parts.c.key, parts.c.grain, parts.c.start, parts.c.author_id))


def recomputed_registered():
    village = Area.__table__.alias("village")
    return union_all(
        select(Household.village_id, func.count()).group_by(Household.village_id),
        select(village.c.parent_id, func.count()).select_from(Household)
        .join(village, village.c.id == Household.village_id).group_by(village.c.parent_id),
    )


def recomputed_last_visits():
    """(area_id, day) of the latest approved visit of every village and commune, from the logs."""
    village = Area.__table__.alias("village")
    return union_all(
        select(HelpLog.village_id, func.max(HelpLog.helped_on)).where(_approved()).group_by(HelpLog.village_id),
        select(village.c.parent_id, func.max(HelpLog.helped_on)).join(village, village.c.id == HelpLog.village_id)
        .where(_approved()).group_by(village.c.parent_id),
    )


def last_visits_of_buckets():
    """(area_id, day) of the newest day bucket with a visit (any help) per area: the rebuild's."""
    return (select(Bucket.area_id, func.max(Bucket.start))
            .where(Bucket.key == ANY, Bucket.grain == DAY, Bucket.visits > 0).group_by(Bucket.area_id))


SUMMARIES = (Bucket, VolunteerBucket, Registered, LastVisit)
BUCKET_COLUMNS = ("area_id", "key", "grain", "start", "reached", "visits", "people")
VOLUNTEER_COLUMNS = ("area_id", "key", "grain", "start", "author_id", "logs", "first_day", "last_day")


def rebuild(session=None, models=SUMMARIES) -> dict[str, int]:
    """Every summary recomputed from the raw rows, in the caller's transaction (``session``, by
    default the app's). Returns the row counts. ``models`` names fewer summaries for a
    migration written before the others existed."""
    session = session or db.session
    dialect = session.get_bind().dialect.name
    fills = {
        Bucket: lambda: Bucket.__table__.insert().from_select(BUCKET_COLUMNS, recomputed_buckets(dialect)),
        VolunteerBucket: lambda: VolunteerBucket.__table__.insert().from_select(VOLUNTEER_COLUMNS,
                                                                                recomputed_volunteers(dialect)),
        Registered: lambda: Registered.__table__.insert().from_select(("area_id", "households"),
                                                                      recomputed_registered()),
        LastVisit: lambda: LastVisit.__table__.insert().from_select(("area_id", "day"), last_visits_of_buckets()),
    }
    for model in models:
        session.execute(delete(model))
    for model in models:  # in SUMMARIES' order: the last visits are read from the buckets
        session.execute(fills[model]())
    return {model.__tablename__: session.scalar(select(func.count()).select_from(model)) for model in models}


def analyse() -> None:
    """Fresh planner statistics for the summaries after a rebuild (SQLite has none otherwise)."""
    for model in SUMMARIES:
        db.session.execute(text(f"ANALYZE {model.__tablename__}"))
    db.session.commit()


def _stored_buckets():
    return (select(*(getattr(Bucket, c) for c in BUCKET_COLUMNS))
            .where((Bucket.reached != 0) | (Bucket.visits != 0) | (Bucket.people != 0)))


def drift(limit: int = 20) -> dict[str, list[tuple]]:
    """Rows where the stored summaries and a recomputation disagree, per table (empty: none).
    Each row is ('stored' or 'recomputed', *values): present on that side only."""
    dialect = db.session.get_bind().dialect.name
    pairs = {
        "coverage_buckets": (_stored_buckets(), recomputed_buckets(dialect)),
        "coverage_volunteers": (select(*(getattr(VolunteerBucket, c) for c in VOLUNTEER_COLUMNS))
                                .where(VolunteerBucket.logs != 0), recomputed_volunteers(dialect)),
        "coverage_registered": (select(Registered.area_id, Registered.households).where(Registered.households != 0),
                                recomputed_registered()),
        "coverage_last_visits": (select(LastVisit.area_id, LastVisit.day), recomputed_last_visits()),
    }
    found = {}
    for table, (stored, recomputed) in pairs.items():
        # Plain selects over subqueries: SQLite takes no parenthesised UNION as an EXCEPT operand.
        stored, recomputed = (select(*part.subquery().c) for part in (stored, recomputed))
        rows = [("stored", *row) for row in db.session.execute(stored.except_(recomputed).limit(limit))]
        rows += [("recomputed", *row) for row in db.session.execute(recomputed.except_(stored).limit(limit))]
        if rows:
            found[table] = rows
    return found
