"""What the coverage pages show, read from the summaries in a fixed number of queries.

A *view* is an area seen by a user: the children it lists (communes of the province,
villages of a commune) and, for each child, the summary areas that stand for it. A child the
user sees whole stands for itself (its own buckets); a leader, who sees only their teams'
villages, sees a commune as the sum of those villages.
"""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache

from sqlalchemy import (
    ARRAY,
    Date,
    Integer,
    any_,
    bindparam,
    case,
    distinct,
    func,
    literal,
    null,
    select,
    tuple_,
    union_all,
)

from app.access import team_filter, team_ids, village_ids
from app.accounts.models import Role, User
from app.areas.models import Area, AreaKind
from app.catalog.models import Service
from app.core.db import local_today
from app.core.text import search_key
from app.coverage.models import ALL, ANY, DAY, FIVE, MONTH, WEEK, Bucket, LastVisit, Registered, Target, VolunteerBucket
from app.coverage.periods import (
    FIRST_DAY,
    Period,
    month_end,
    read_spans,
    shape,
    span,
    span_values,
    spanned_once,
    spans,
)
from app.extensions import db
from app.helplogs.queries import active_services
from app.teams.models import Team, team_villages

WEEKS = 26
STALE_DAYS = 30


def _read(stmt, values: dict | None = None):
    """The rows of a SELECT of columns, through the session's connection: the ORM's result
    machinery (made for entities) doubles the cost of a province's thousands of rows. Read
    them with ``.all()``: one fetch of every row costs a third less than a fetch per row."""
    return db.session.connection().execute(stmt, values or {})


def without_parallel_workers() -> None:
    """For the rest of the request's transaction, no parallel plan on PostgreSQL: the dashboard's
    statements read a few thousand index entries each, and starting parallel workers (which
    the planner picks for some of a province's) costs more on a small server than it saves:
    a province's custom period reads in half the time without them."""
    if _dialect() == "postgresql":
        db.session.connection().exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")


# The statements a page runs every time are built once per process and shape (``@cache``
# on a builder taking the dialect and the shape), their values given as parameters: building
# a statement and computing its cache key cost more than running it against the summaries
# (some 6 ms for a page's seven, before a single row is read).

def _dialect() -> str:
    return db.engine.dialect.name


def _in(column, name: str, dialect: str):
    """``column IN :name`` in a statement built once: on PostgreSQL one array parameter
    (``= ANY``), elsewhere an expanding IN."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(Integer)))
    return column.in_(bindparam(name, expanding=True))


# Who sees what ---------------------------------------------------------------------------

@dataclass
class View:
    """``area`` as ``user`` may see it: its ``children``, and per child the summary areas that
    stand for it (``members``). ``villages`` limits a leader to their teams' villages."""

    user: User
    area: Area
    children: list[Area]
    members: dict[int, list[int]]
    villages: set[int] | None = None
    district: str | None = None  # a province's communes narrowed to one former district

    @property
    def whole(self) -> bool:
        """The area seen whole: its own target stands for it (not a leader's or a district's part)."""
        return self.villages is None and self.district is None

    @property
    def member_ids(self) -> list[int]:
        return sorted({m for ids in self.members.values() for m in ids})

    def child_of(self) -> dict[int, int]:
        return {member: child for child, ids in self.members.items() for member in ids}


def leader_villages(user: User) -> set[int] | None:
    """A leader's coverage is their teams' villages; staff and administrators see their area whole."""
    if user.role == Role.LEADER:
        return set(db.session.scalars(village_ids(user)))
    return None


def root_area(user: User) -> Area | None:
    """Where the coverage page starts: the home area (the province when an administrator has
    none), or for a leader the commune of their teams (the province if they span several)."""
    if user.role in (Role.STAFF, Role.ADMIN):
        if user.home_area is not None:
            return user.home_area
        if user.role == Role.STAFF:
            return None
        return db.session.scalar(select(Area).where(Area.parent_id.is_(None)).order_by(Area.id).limit(1))
    if user.role != Role.LEADER:
        return None
    communes = db.session.scalars(
        select(Area).where(Area.id.in_(select(Area.parent_id).where(Area.id.in_(village_ids(user)))))
    ).all()
    if len(communes) == 1:
        return communes[0]
    return communes[0].parent if communes else None


def may_see(user: User, area: Area, villages: set[int] | None) -> bool:
    if area.kind not in (AreaKind.PROVINCE, AreaKind.COMMUNE, AreaKind.VILLAGE):
        return False
    if villages is not None:  # a leader: their villages, the communes that hold them, and above
        if area.kind == AreaKind.VILLAGE:
            return area.id in villages
        paths = db.session.scalars(select(Area.path).where(Area.id.in_(villages))).all()
        return any(path.startswith(area.path) for path in paths)
    root = root_area(user)
    return root is not None and area.is_within(root)


def view_of(user: User, area: Area) -> View | None:
    """The view of ``area`` for ``user``; None when it is outside their coverage (a 404)."""
    villages = leader_villages(user)
    if not may_see(user, area, villages):
        return None
    if area.kind == AreaKind.VILLAGE:
        return View(user, area, [], {}, villages)
    children = list(db.session.scalars(
        select(Area).where(Area.parent_id == area.id, Area.is_active).order_by(Area.search_key, Area.id)))
    if villages is None:
        return View(user, area, children, {child.id: [child.id] for child in children}, villages)
    if area.kind == AreaKind.COMMUNE:
        children = [child for child in children if child.id in villages]
        return View(user, area, children, {child.id: [child.id] for child in children}, villages)
    parents = dict(db.session.execute(select(Area.id, Area.parent_id).where(Area.id.in_(villages))).all())
    members: dict[int, list[int]] = defaultdict(list)
    for village_id, commune_id in parents.items():
        members[commune_id].append(village_id)
    children = [child for child in children if child.id in members]
    # A village under an inactive commune has no row to count in.
    return View(user, area, children, {child.id: sorted(members[child.id]) for child in children}, villages)


def view_for(user: User, area_id: int | None) -> View | None:
    """The view of the area ``area_id`` (the user's starting area when None); None when it
    does not exist or is outside the user's coverage (a 404)."""
    area = root_area(user) if area_id is None else db.session.get(Area, area_id)
    return view_of(user, area) if area is not None else None


def split_districts(label: str | None) -> list[str]:
    """A commune merged from two former districts lists both: 'Huyện Kỳ Anh, Thị xã Kỳ Anh'."""
    return [part.strip() for part in (label or "").split(",") if part.strip()]


def former_districts(view: View) -> list[str]:
    """The former districts (huyện cũ) of a province's communes in the view, in alphabetical order."""
    if view.area.kind != AreaKind.PROVINCE:
        return []
    names = {name for child in view.children for name in split_districts(child.former_district)}
    return sorted(names, key=lambda name: (search_key(name), name))


def in_district(view: View, district: str) -> View:
    """The view narrowed to the communes that were (partly) in ``district``."""
    children = [child for child in view.children if district in split_districts(child.former_district)]
    return replace(view, children=children, members={child.id: view.members[child.id] for child in children},
                   district=district)


def breadcrumb(view: View) -> list[Area]:
    """From the user's starting area down to this one."""
    root = root_area(view.user)
    ids = [int(part) for part in view.area.path.strip("/").split("/")]
    # Mostly in the session already (the area, the user's home): only the others are read.
    chain = [area for area in (db.session.get(Area, i) for i in ids) if area is not None]
    start = next((n for n, a in enumerate(chain) if root is not None and a.id == root.id), 0)
    return chain[start:]


# The table --------------------------------------------------------------------------------

@dataclass
class Row:
    area: Area
    households: int = 0  # N: declared by the commune, else in the app's list
    reached: int = 0  # by the end of the period
    five: int = 0  # covering all five skills by the end of the period
    newly: int = 0  # first reached within the period
    visits: int = 0
    people: int = 0
    volunteers: int = 0
    last_day: date | None = None
    target: int | None = None
    expected: float = 0.0  # the share of the year gone by at the period's end

    @property
    def has_data(self) -> bool:
        return self.last_day is not None or self.reached > 0

    @property
    def share(self) -> float | None:
        return self.reached / self.households if self.households else None

    @property
    def five_share(self) -> float | None:
        return self.five / self.households if self.households else None

    @property
    def progress(self) -> float | None:
        return self.reached / self.target if self.target else None

    @property
    def behind(self) -> bool:
        return self.progress is not None and self.progress < self.expected

    @property
    def shortfall(self) -> float:
        """How far behind the target's schedule (0 when on it or without a target)."""
        return max(0.0, self.expected - self.progress) if self.progress is not None else 0.0


def denominators(view: View, member_ids: list[int]) -> dict[int, int]:
    """N per summary area: a village's declared total, else its registered households; a
    commune's, the sum over its villages (or, for a leader, over their villages). Communes are
    summed in the database: a province's 69 rows, not its 1,700 villages."""
    values = {"members": member_ids}
    if view.villages is not None:
        values["villages"] = sorted(view.villages)
    totals: dict[int, int] = defaultdict(int)
    for area_id, n in _read(_denominators_statement(_dialect(), view.villages is not None), values).all():
        totals[area_id] += int(n or 0)
    return totals


@cache
def _denominators_statement(dialect: str, limited: bool):
    village = Area.__table__.alias("village")
    n_village = func.coalesce(village.c.declared_households, func.coalesce(Registered.households, 0))

    def part(*columns):
        stmt = (select(*columns).select_from(village).outerjoin(Registered, Registered.area_id == village.c.id)
                .where(village.c.kind == AreaKind.VILLAGE, village.c.is_active))
        if limited:
            stmt = stmt.where(_in(village.c.id, "villages", dialect))
        return stmt

    villages = part(village.c.id, n_village).where(_in(village.c.id, "members", dialect))
    communes = (part(village.c.parent_id, func.sum(n_village)).where(_in(village.c.parent_id, "members", dialect))
                .group_by(village.c.parent_id))
    return union_all(villages, communes)


def _bucket_sums(member_ids: list[int], key: int, period: Period):
    """Per member area: reached and all-five by the end, newly reached, visits and people within.
    The two ranges are read apart (``part`` 0: up to the end, 1: within the period), since a
    period cut mid-month reads day buckets where "up to the end" reads the month's bucket."""
    by_end, after_end = _up_to(period.end)
    inside = read_spans(period.start, period.end)
    found = _read(_bucket_sums_statement(_dialect(), shape(by_end), shape(inside), shape(after_end)),
                  {"areas": member_ids, "key": key, **span_values("e", by_end), **span_values("w", inside),
                   **span_values("l", after_end)}).all()
    return {row[0]: [int(value or 0) for value in row[1:]] for row in found}


RECENT_DAYS = 31


def _up_to(end: date) -> tuple[list, list]:
    """How "everything up to ``end``" is read: the spans to add, and the spans to take away.
    An end within the last month reads the all-time bucket less the few days after it (no
    visit is dated after today), where the spans from the beginning would read every month
    since the first visit and each day of the end's month: a province's custom period then
    reads a third of the index entries."""
    today = local_today()
    if end < today and (today - end).days <= RECENT_DAYS:
        return read_spans(FIRST_DAY, today), spans(end + timedelta(days=1), today)
    return read_spans(FIRST_DAY, end), []


@cache
def _bucket_sums_statement(dialect: str, by_end: tuple[str, ...], inside: tuple[str, ...],
                           after_end: tuple[str, ...]):
    key = bindparam("key", type_=Integer)
    areas = _in(Bucket.area_id, "areas", dialect)
    columns = (Bucket.area_id, Bucket.key, Bucket.reached, Bucket.visits, Bucket.people)
    both_keys = Bucket.key.in_([key, literal(FIVE)])
    parts = [select(spanned_once(Bucket, (*columns, literal(0).label("part")), by_end, "e", areas, both_keys)),
             select(spanned_once(Bucket, (*columns, literal(1).label("part")), inside, "w", areas, Bucket.key == key))]
    if after_end:  # part 2: after the end, taken away from part 0
        parts.append(select(spanned_once(Bucket, (*columns, literal(2).label("part")), after_end, "l", areas,
                                         both_keys)))
    rows = union_all(*parts).subquery()
    up_to_end, within = rows.c.part != 1, rows.c.part == 1
    signed = case((rows.c.part == 2, -rows.c.reached), else_=rows.c.reached)
    return (select(rows.c.area_id,
                   func.sum(_when(up_to_end & (rows.c.key == key), signed)),
                   func.sum(_when(up_to_end & (rows.c.key == FIVE), signed)),
                   func.sum(_when(within, rows.c.reached)),
                   func.sum(_when(within, rows.c.visits)),
                   func.sum(_when(within, rows.c.people)))
            .group_by(rows.c.area_id))


def _when(condition, value):
    return case((condition, value), else_=0)


def _volunteers(child_of: dict[int, int], member_ids: list[int], key: int, period: Period) -> tuple[dict, int]:
    """Distinct authors with an approved visit in the period: per child, and over the whole view
    (a volunteer active in two villages counts once in the total), counted in the database:
    a province's month holds thousands of (area, volunteer) pairs."""
    whole, values = _authors_values(member_ids, key, period)
    if all(member == child for member, child in child_of.items()):
        stmt = _volunteers_statement(_dialect(), whole)
    else:  # a leader's commune stands for some of its villages: built for this mapping
        active = _authors_statement(_dialect(), whole).cte("active")
        child = case(child_of, value=active.c.area_id)
        stmt = union_all(select(child, func.count(distinct(active.c.author_id))).group_by(child),
                         select(null(), func.count(distinct(active.c.author_id))))
    counts = dict(_read(stmt, values).all())
    return {area: int(n) for area, n in counts.items() if area is not None}, int(counts.get(None) or 0)


@cache
def _volunteers_statement(dialect: str, whole_months: bool):
    """Per area and over them all (the row whose area is NULL). PostgreSQL counts both in one
    pass over the rows (GROUPING SETS: 1.1 ms at a province, against 2.2 ms for the CTE read twice)."""
    if dialect == "postgresql":
        v = VolunteerBucket
        return (select(v.area_id, func.count(distinct(v.author_id))).where(*_authors_conditions(dialect, whole_months))
                .group_by(func.grouping_sets(v.area_id, tuple_())))
    active = _authors_statement(dialect, whole_months).cte("active")
    return union_all(select(active.c.area_id, func.count(distinct(active.c.author_id))).group_by(active.c.area_id),
                     select(null(), func.count(distinct(active.c.author_id))))


def active_authors(member_ids: list[int], key: int, period: Period):
    """(area, author) of every volunteer with an approved visit in the period, read from the
    month buckets of the months it touches: one row per volunteer and month. A month cut by the
    period's start counts if the volunteer's last day in it falls inside, a month cut by its
    end if the first day does. Only a period inside one month, cut at both ends, needs the day
    buckets (the days with a visit between two others are known to neither)."""
    months, values = _authors_values(member_ids, key, period)
    return _authors_statement(_dialect(), months).params(values)


def _authors_values(member_ids: list[int], key: int, period: Period) -> tuple[bool, dict]:
    """Whether ``active_authors`` reads month buckets, and its parameters."""
    start, end = period.start, period.end
    first_month, last_month = start.replace(day=1), end.replace(day=1)
    months = not (first_month == last_month and start > first_month and end < month_end(end))
    return months, {"areas": member_ids, "key": key, "start": start, "end": end,
                    "first_month": first_month, "last_month": last_month}


@cache
def _authors_statement(dialect: str, months: bool):
    v = VolunteerBucket
    return select(v.area_id, v.author_id).where(*_authors_conditions(dialect, months)).distinct()


def _authors_conditions(dialect: str, months: bool) -> tuple:
    v = VolunteerBucket
    start, end = bindparam("start", type_=Date), bindparam("end", type_=Date)
    base = (_in(v.area_id, "areas", dialect), v.key == bindparam("key", type_=Integer), v.logs > 0)
    if not months:
        return (*base, v.grain == DAY, v.start.between(start, end))
    first_month, last_month = bindparam("first_month", type_=Date), bindparam("last_month", type_=Date)
    return (*base, v.grain == MONTH, v.start.between(first_month, last_month),
            (v.start > first_month) | (v.last_day >= start),
            (v.start < last_month) | (v.first_day <= end))


def _last_days(member_ids: list[int], key: int, until: date) -> dict[int, date]:
    """The day of the latest approved visit per area, up to ``until`` (a past period's end)."""
    rows = _read(_last_days_statement(_dialect()), {"areas": member_ids, "key": key, "until": until}).all()
    return {area_id: day for area_id, day in rows if day is not None}


@cache
def _last_days_statement(dialect: str):
    """Per area, the newest day bucket with a visit up to ``until``, as a subquery correlated
    to Area read backwards along the primary key (an index probe per area, not a scan of its
    year of day buckets)."""
    last = (select(Bucket.start)
            .where(Bucket.area_id == Area.id, Bucket.key == bindparam("key", type_=Integer), Bucket.grain == DAY,
                   Bucket.visits > 0, Bucket.start <= bindparam("until", type_=Date))
            .order_by(Bucket.start.desc()).limit(1).correlate(Area).scalar_subquery())
    return select(Area.id, last).where(_in(Area.id, "areas", dialect))


def _targets(view: View, member_ids: list[int], key: int, year: int) -> tuple[dict[int, int], int | None]:
    """Targets per member area (its own, or for a commune without one the sum of its villages'),
    and the target of the view's own area when it is seen whole (a province's own target is
    not the sum of the communes that happen to have one)."""
    own_area = [view.area.id] if view.whole else []
    rows = _read(_targets_statement(_dialect()),
                 {"year": year, "key": key, "areas": member_ids + own_area, "members": member_ids}).all()
    own = {area_id: n for area_id, _, n in rows if area_id in member_ids or area_id in own_area}
    from_villages: dict[int, int] = defaultdict(int)
    for area_id, parent_id, n in rows:
        if parent_id in member_ids and (view.villages is None or area_id in view.villages):
            from_villages[parent_id] += n
    per_member = {area: own.get(area, from_villages.get(area)) for area in member_ids
                  if own.get(area, from_villages.get(area)) is not None}
    return per_member, own.get(view.area.id) if view.whole else None


@cache
def _targets_statement(dialect: str):
    return (select(Target.area_id, Area.parent_id, Target.households).join(Area, Area.id == Target.area_id)
            .where(Target.year == bindparam("year", type_=Integer), Target.key == bindparam("key", type_=Integer),
                   _in(Target.area_id, "areas", dialect) | _in(Area.parent_id, "members", dialect)))


def table(view: View, period: Period, key: int = ANY) -> tuple[list[Row], Row]:
    """One row per child area, and the row of the whole view (never added across units)."""
    members = view.members if view.children else {view.area.id: [view.area.id]}
    member_ids = sorted({m for ids in members.values() for m in ids})
    sums = _bucket_sums(member_ids, key, period)
    n = denominators(view, member_ids)
    last = _last_days(member_ids, key, period.end)
    targets, area_target = _targets(view, member_ids, key, period.year)
    child_of = {member: child for child, ids in members.items() for member in ids}
    volunteers, all_volunteers = _volunteers(child_of, member_ids, key, period)
    expected = period.year_elapsed()
    areas = {a.id: a for a in view.children} or {view.area.id: view.area}
    rows = []
    for child_id, ids in members.items():
        row = Row(areas[child_id], expected=expected)
        for member in ids:
            reached, five, newly, visits, people = sums.get(member, [0, 0, 0, 0, 0])
            row.reached += reached
            row.five += five
            row.newly += newly
            row.visits += visits
            row.people += people
            row.households += n.get(member, 0)
            if last.get(member) and (row.last_day is None or last[member] > row.last_day):
                row.last_day = last[member]
            if member in targets:
                row.target = (row.target or 0) + targets[member]
        row.volunteers = volunteers.get(child_id, 0)
        rows.append(row)
    if not view.children:
        return rows, rows[0]
    total = Row(view.area, expected=expected, volunteers=all_volunteers)
    for row in rows:
        for name in ("households", "reached", "five", "newly", "visits", "people"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        if row.last_day and (total.last_day is None or row.last_day > total.last_day):
            total.last_day = row.last_day
        if row.target:
            total.target = (total.target or 0) + row.target
    if area_target is not None:
        total.target = area_target
    return rows, total


SORTS = {
    "name": lambda row: row.area.search_key,
    "households": lambda row: row.households,
    "reached": lambda row: row.reached,
    "share": lambda row: row.share if row.share is not None else -1,
    "newly": lambda row: row.newly,
    "five": lambda row: row.five_share if row.five_share is not None else -1,
    "visits": lambda row: row.visits,
    "people": lambda row: row.people,
    "volunteers": lambda row: row.volunteers,
    "target": lambda row: row.progress if row.progress is not None else -1,
    "last": lambda row: row.last_day or date.min,
}


def ordered(rows: list[Row], sort: str | None, descending: bool) -> list[Row]:
    """By a column; by default the areas furthest behind their target first, then the lowest coverage."""
    if sort in SORTS:
        return sorted(rows, key=SORTS[sort], reverse=descending)
    return sorted(rows, key=lambda row: (-row.shortfall, row.share if row.share is not None else -1,
                                         row.area.search_key))


# The service matrix -----------------------------------------------------------------------

@dataclass
class Matrix:
    services: list[Service]
    rows: list[tuple[Area, int, dict[int, int]]] = field(default_factory=list)  # area, N, reached per service


def matrix(view: View, period: Period, services: list[Service] | None = None,
           households: dict[int, int] | None = None) -> Matrix:
    """Households reached by the end of the period, per child area and kind of help (of the
    active ``services``, and over the N per child of ``households`` when the page has them
    from its table already)."""
    services = active_services() if services is None else services
    members = view.members if view.children else {view.area.id: [view.area.id]}
    member_ids = sorted({m for ids in members.values() for m in ids})
    reached: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    child = {member: c for c, ids in members.items() for member in ids}
    for area_id, per_service in reached_by_service(member_ids, services, period.end).items():
        for key, count in per_service.items():
            reached[child[area_id]][key] += count
    if households is None:
        n = denominators(view, member_ids)
        households = {child_id: sum(n.get(m, 0) for m in ids) for child_id, ids in members.items()}
    areas = {a.id: a for a in view.children} or {view.area.id: view.area}
    found = Matrix(services)
    for child_id in members:
        found.rows.append((areas[child_id], households.get(child_id, 0), dict(reached.get(child_id, {}))))
    return found


def reached_by_service(area_ids: list[int], services: list[Service], end: date) -> dict[int, dict[int, int]]:
    """Per summary area, households reached by ``end`` for each of ``services`` (absent: none)."""
    found: dict[int, dict[int, int]] = defaultdict(dict)
    if not area_ids or not services:
        return found
    spans_read = read_spans(FIRST_DAY, end)
    for area_id, key, count in _read(_by_service_statement(_dialect(), shape(spans_read)),
                                     {"areas": area_ids, "keys": [s.id for s in services],
                                      **span_values("s", spans_read)}).all():
        if count:
            found[area_id][key] = int(count)
    return found


@cache
def _by_service_statement(dialect: str, grains: tuple[str, ...]):
    rows = spanned_once(Bucket, (Bucket.area_id, Bucket.key, Bucket.reached), grains, "s",
                        _in(Bucket.area_id, "areas", dialect), _in(Bucket.key, "keys", dialect))
    return select(rows.c.area_id, rows.c.key, func.sum(rows.c.reached)).group_by(rows.c.area_id, rows.c.key)


# Gaps and trend ---------------------------------------------------------------------------

@dataclass
class GapGroup:
    """At a province: how many of a commune's villages were never visited, or not lately."""

    area: Area
    never: int = 0
    stale: int = 0


@dataclass
class Gaps:
    # Villages never visited, and those whose last visit is over 30 days old (at a commune or
    # a village; a province counts them per commune in ``groups``).
    never: list[Area] = field(default_factory=list)
    stale: list[tuple[Area, date]] = field(default_factory=list)
    groups: list[GapGroup] = field(default_factory=list)
    never_count: int = 0
    stale_count: int = 0
    # A village: households not yet reached per service, of its N (declared, else in the app's
    # list), and of the households in the app's list (those a task can name).
    unreached: dict[int, int] = field(default_factory=dict)
    listed: dict[int, int] = field(default_factory=dict)
    households: int = 0  # a village's N


def _province_groups(view: View, today: date) -> list[GapGroup]:
    """Per commune of a province's view (narrowed to a former district, limited to a leader's
    villages): its active villages never visited and not visited in 30 days, counted in the
    database from the last visits kept on write. Communes without a gap are left out; the
    rest come most never-visited first."""
    if not view.children:
        return []
    values = {"cut": today - timedelta(days=STALE_DAYS), "communes": [c.id for c in view.children]}
    if view.villages is not None:
        values["villages"] = sorted(view.villages)
    communes = {child.id: child for child in view.children}
    groups = [GapGroup(communes[commune_id], int(never or 0), int(stale or 0))
              for commune_id, never, stale in _read(_groups_statement(_dialect(), view.villages is not None),
                                                    values).all()
              if never or stale]
    return sorted(groups, key=lambda g: (-g.never, -g.stale, g.area.search_key))


@cache
def _groups_statement(dialect: str, limited: bool):
    stmt = (select(Area.parent_id,
                   func.sum(case((LastVisit.day.is_(None), 1), else_=0)),
                   func.sum(case((LastVisit.day < bindparam("cut", type_=Date), 1), else_=0)))
            .outerjoin(LastVisit, LastVisit.area_id == Area.id)
            .where(Area.kind == AreaKind.VILLAGE, Area.is_active, _in(Area.parent_id, "communes", dialect))
            .group_by(Area.parent_id))
    return stmt.where(_in(Area.id, "villages", dialect)) if limited else stmt


def gaps(view: View, today: date, services: list[Service] | None = None) -> Gaps:
    """Villages never visited and not lately (from the last visits kept on write: no visit is
    dated after today); in a village, households not yet reached per active service."""
    found = Gaps()
    if view.area.kind == AreaKind.PROVINCE:
        found.groups = _province_groups(view, today)
        found.never_count = sum(g.never for g in found.groups)
        found.stale_count = sum(g.stale for g in found.groups)
        return found
    villages = [view.area] if view.area.kind == AreaKind.VILLAGE else list(view.children)
    last = dict(_read(_last_visits_statement(_dialect()), {"areas": [v.id for v in villages]}).all())
    for village in villages:
        day = last.get(village.id)
        if day is None:
            found.never.append(village)
        elif day < today - timedelta(days=STALE_DAYS):
            found.stale.append((village, day))
    found.stale.sort(key=lambda pair: (pair[1], pair[0].search_key))
    found.never_count, found.stale_count = len(found.never), len(found.stale)
    if view.area.kind == AreaKind.VILLAGE:
        registered = _read(_registered_statement(), {"area": view.area.id}).scalar() or 0
        declared = view.area.declared_households
        found.households = declared if declared is not None else registered
        spans_read = read_spans(FIRST_DAY, today)
        reached = dict(_read(_village_reached_statement(shape(spans_read)),
                             {"area": view.area.id, **span_values("s", spans_read)}).all())
        ids = [s.id for s in (active_services() if services is None else services)]
        found.unreached = {sid: max(0, found.households - int(reached.get(sid, 0))) for sid in ids}
        found.listed = {sid: max(0, registered - int(reached.get(sid, 0))) for sid in ids}
    return found


@cache
def _last_visits_statement(dialect: str):
    return select(LastVisit.area_id, LastVisit.day).where(_in(LastVisit.area_id, "areas", dialect))


@cache
def _registered_statement():
    return select(Registered.households).where(Registered.area_id == bindparam("area", type_=Integer))


@cache
def _village_reached_statement(grains: tuple[str, ...]):
    rows = spanned_once(Bucket, (Bucket.key, Bucket.reached), grains, "s",
                        Bucket.area_id == bindparam("area", type_=Integer), Bucket.key > 0)
    return select(rows.c.key, func.sum(rows.c.reached)).group_by(rows.c.key)


def task_teams(user: User, village_ids: list[int]) -> dict[int, int]:
    """Per village, a team that covers it and that ``user`` may set tasks for (the teams they
    lead; an administrator's teams): where a gap offers "set a task for these households"."""
    if user.role not in (Role.LEADER, Role.ADMIN) or not village_ids:
        return {}
    stmt = (select(team_villages.c.village_id, Team.id).join(Team, Team.id == team_villages.c.team_id)
            .where(team_villages.c.village_id.in_(village_ids), Team.is_active)
            .order_by(Team.name.desc(), Team.id.desc()))
    if user.role == Role.ADMIN:
        stmt = stmt.where(team_filter(user))
    else:
        stmt = stmt.where(Team.id.in_(team_ids(user, leading=True)))
    return dict(_read(stmt).all())  # the last row wins: the first team by name


@dataclass
class Week:
    start: date
    visits: int
    newly: int
    reached: int  # cumulative, by the week's end


def trend(view: View, today: date, key: int = ANY) -> list[Week]:
    """The last 26 weeks (Monday to Sunday): visits, newly reached, and households reached so far.
    One statement reads the week buckets from the first week on (a province's 26 weeks are some
    1,800 rows, its days 12,000) and the all-time buckets: those reached before the first week
    are all of them less every week read."""
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS - 1)
    per_week, everyone = {}, 0
    for week, visits, reached in _read(_trend_statement(_dialect()), {"areas": view.member_ids or [view.area.id],
                                                                      "key": key, "first": first}).all():
        if week is None:
            everyone = int(reached or 0)
        else:
            per_week[week] = (int(visits or 0), int(reached or 0))
    weeks, running = [], everyone - sum(newly for _, newly in per_week.values())
    for n in range(WEEKS):
        start = first + timedelta(weeks=n)
        visits, newly = per_week.get(start, (0, 0))
        running += newly
        weeks.append(Week(start, visits, newly, running))
    return weeks


@cache
def _trend_statement(dialect: str):
    """(week, visits, newly reached) of each week with any from the first, then (None, 0,
    reached of all time). The weeks come first: a UNION's columns take their types from its
    first SELECT."""
    areas, key = _in(Bucket.area_id, "areas", dialect), Bucket.key == bindparam("key", type_=Integer)
    everyone = select(null(), literal(0), func.sum(Bucket.reached)).where(areas, key, *span(Bucket, ALL))
    weeks = (select(Bucket.start, func.sum(Bucket.visits), func.sum(Bucket.reached))
             .where(areas, key, Bucket.grain == WEEK, Bucket.start >= bindparam("first", type_=Date))
             .group_by(Bucket.start))
    return union_all(weeks, everyone)


def year_target(view: View, year: int, key: int = ANY) -> int | None:
    """The view's target for the year: its own area's when seen whole, else its parts' summed."""
    members = view.member_ids or [view.area.id]
    found, own = _targets(view, members, key, year)
    if own is not None:
        return own
    return sum(found.values()) if found else None
