"""Targets (chỉ tiêu): households to reach in a commune or village in a year, for one kind of
help, for any help, or covering all five skills; and how far each has come.

Targets are kept by the staff whose home area holds the place and by administrators
(``manages_places``), as villages are. Each write is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.access import manages_places
from app.areas.models import Area, AreaKind
from app.audit.services import record
from app.catalog.models import Service
from app.core.db import local_today
from app.core.domain import RuleError
from app.core.i18n import format_number
from app.coverage.models import ANY, FIVE, Bucket, Target
from app.coverage.periods import FIRST_DAY, spanned
from app.coverage.queries import View, denominators, root_area
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User

YEARS_BACK, YEARS_AHEAD = 1, 5
# A target above twice the households the place has is a typo, not an ambition.
SANITY_FACTOR = 2
KINDS_WITH_TARGETS = (AreaKind.COMMUNE, AreaKind.VILLAGE)
# How a CSV names the keys that are not a service.
ANY_CODE, FIVE_CODE = "ALL", "FIVE"


class TargetError(RuleError):
    pass


@dataclass
class TargetInput:
    area_id: int | None
    year: int | None
    key: int | None
    households: int | None


def key_label(key: int, services: dict[int, Service]) -> str:
    if key == ANY:
        return str(_l("Any help"))
    if key == FIVE:
        return str(_l("All five basic digital skills"))
    service = services.get(key)
    return service.name if service else "?"


def key_choices() -> list[tuple[int, str]]:
    """Any help, all five skills, then each active kind of help: what a target can count."""
    services = db.session.scalars(select(Service).where(Service.is_active).order_by(Service.sort_order))
    return [(ANY, key_label(ANY, {})), (FIVE, key_label(FIVE, {}))] + [(s.id, s.name) for s in services]


def year_choices(today: date | None = None) -> list[int]:
    year = (today or local_today()).year
    return list(range(year - YEARS_BACK, year + YEARS_AHEAD + 1))


# Rules shared by the form and the CSV import -------------------------------------------------

def check_year(year: int | None, today: date | None = None) -> int:
    years = year_choices(today)
    if year is None or year not in years:
        raise TargetError(_l("Choose a year from %(first)s to %(last)s.", first=years[0], last=years[-1]), "year")
    return year


def check_key(key: int | None, services: dict[int, Service]) -> int:
    """ANY, FIVE or the id of an active kind of help."""
    if key in (ANY, FIVE):
        return key
    service = services.get(key) if key is not None else None
    if service is None or not service.is_active:
        raise TargetError(_l("Choose a kind of help from the list (it may have been deactivated)."), "key")
    return key


def check_households(households: int | None, place: Area, total: int) -> int:
    """More than 0, and at most twice the households the place has (declared, else in the list)."""
    if households is None or households <= 0:
        raise TargetError(_l("Enter a number of households above 0."), "households")
    if total <= 0:
        raise TargetError(_l("%(place)s has no households yet: enter its declared number of households "
                             "or add its households first.", place=place.label), "households")
    if households > SANITY_FACTOR * total:
        raise TargetError(_l("%(n)s is more than twice the %(total)s households of %(place)s. Check the number.",
                             n=format_number(households), total=format_number(total), place=place.label),
                          "households")
    return households


def household_totals(areas: list[Area]) -> dict[int, int]:
    """N per place, as the coverage table counts it: one query whatever the number of places."""
    if not areas:
        return {}
    view = View(None, areas[0], [], {}, None)  # a staff member's or an administrator's view: whole places
    return denominators(view, [a.id for a in areas])


def active_services() -> dict[int, Service]:
    return {s.id: s for s in db.session.scalars(select(Service))}


# Loading, within the user's places ------------------------------------------------------------

def may_keep(user: User, area: Area | None) -> bool:
    return area is not None and area.kind in KINDS_WITH_TARGETS and manages_places(user, area)


def place_of(user: User, area_id) -> Area | None:
    """The place ``area_id`` names when ``user`` keeps its targets (or may list them, for a
    province); None otherwise, as if it did not exist."""
    area = db.session.get(Area, area_id) if isinstance(area_id, int) else None
    if area is None or area.kind not in (AreaKind.PROVINCE, *KINDS_WITH_TARGETS) or not manages_places(user, area):
        return None
    return area


def start_place(user: User) -> Area | None:
    """Where the targets page opens: the home area (the province for an administrator without one)."""
    area = root_area(user)
    return area if area is not None and manages_places(user, area) else None


def listing_place(user: User, area: Area) -> Area:
    """The page that lists ``area``'s targets: its parent's, when the user may open that one."""
    parent = area.parent
    return parent if parent is not None and place_of(user, parent.id) is not None else area


def get_target(user: User, target_id: int) -> Target | None:
    target = db.session.get(Target, target_id)
    return target if target is not None and may_keep(user, target.area) else None


def places_under(area: Area) -> list[Area]:
    """The places the targets page lists and its form offers: the place and its active children."""
    children = db.session.scalars(
        select(Area).where(Area.parent_id == area.id, Area.is_active, Area.kind.in_(KINDS_WITH_TARGETS))
        .order_by(Area.search_key, Area.id))
    return ([area] if area.kind in KINDS_WITH_TARGETS else []) + list(children)


# Writes ----------------------------------------------------------------------------------------

def _existing(area_id: int, year: int, key: int) -> Target | None:
    return db.session.scalar(select(Target).where(Target.area_id == area_id, Target.year == year,
                                                  Target.key == key))


def set_target(actor: User, data: TargetInput) -> Target:
    """Set the households to reach in a place, a year, for a key; a target already there for
    the same place, year and key changes. Raises TargetError (404 for a place outside the
    actor's, 409 when someone set the same target meanwhile). Commits."""
    area = db.session.get(Area, data.area_id) if data.area_id else None
    if not may_keep(actor, area):
        raise TargetError(_l("Choose a commune or village in your area."), "area_id", 404)
    year = check_year(data.year)
    key = check_key(data.key, active_services())
    households = check_households(data.households, area, household_totals([area]).get(area.id, 0))
    target = _existing(area.id, year, key)
    if target is not None and target.households == households:
        return target
    old = target.households if target else None
    if target is None:
        target = Target(area_id=area.id, year=year, key=key, households=households, created_by_id=actor.id)
        db.session.add(target)
    else:
        target.households = households
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise TargetError(_l("Someone set this target at the same moment. Look at the list and try again."),
                          None, 409) from None
    record(actor, "target.set", target, audit_changes(area.id, year, key, old, households))
    db.session.commit()
    return target


def audit_changes(area_id: int, year: int, key: int, old: int | None, new: int) -> dict:
    return {"area_id": area_id, "year": year, "key": key, "households": [old, new] if old is not None else new}


def delete_target(actor: User, target: Target) -> None:
    """Remove a target. Raises TargetError (404) for a place outside the actor's. Commits."""
    if not may_keep(actor, target.area):
        raise TargetError(_l("Choose a commune or village in your area."), None, 404)
    record(actor, "target.deleted", target, {"area_id": target.area_id, "year": target.year, "key": target.key,
                                             "households": target.households})
    db.session.delete(target)
    db.session.commit()


# Reading: targets with their progress ------------------------------------------------------------

@dataclass
class Progress:
    target: Target
    label: str
    reached: int
    expected: float  # the share of the year gone by: where the target should be by now

    @property
    def share(self) -> float:
        return self.reached / self.target.households

    @property
    def behind(self) -> bool:
        return self.share < self.expected


def year_elapsed(year: int, today: date) -> float:
    """1 for a past year, 0 for a future one, else the share of days gone by today included."""
    if year < today.year:
        return 1.0
    if year > today.year:
        return 0.0
    first, last = date(year, 1, 1), date(year, 12, 31)
    return ((today - first).days + 1) / ((last - first).days + 1)


def progress_of(places: list[Area], year: int, today: date | None = None) -> list[Progress]:
    """The targets of ``places`` for ``year``, with households reached by the end of the year
    (by today for this year): two queries."""
    today = today or local_today()
    ids = [p.id for p in places]
    if not ids:
        return []
    targets = list(db.session.scalars(select(Target).where(Target.area_id.in_(ids), Target.year == year)))
    if not targets:
        return []
    end = min(date(year, 12, 31), today)
    rows = spanned(Bucket, (Bucket.area_id, Bucket.key, Bucket.reached), FIRST_DAY, end,
                   Bucket.area_id.in_(ids), Bucket.key.in_(sorted({t.key for t in targets})))
    reached = {(area_id, key): int(n or 0) for area_id, key, n in db.session.execute(
        select(rows.c.area_id, rows.c.key, func.sum(rows.c.reached)).group_by(rows.c.area_id, rows.c.key)
    )} if end >= FIRST_DAY and year <= today.year else {}
    services = active_services()
    order = {p.id: n for n, p in enumerate(places)}
    keys = [k for k, _ in key_choices()]
    rank = {k: n for n, k in enumerate(keys)}
    expected = year_elapsed(year, today)
    found = [Progress(t, key_label(t.key, services), reached.get((t.area_id, t.key), 0), expected) for t in targets]
    return sorted(found, key=lambda p: (order[p.target.area_id], rank.get(p.target.key, len(rank)), p.target.key))
