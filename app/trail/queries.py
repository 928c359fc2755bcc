"""What the audit trail screen reads: the events a user may see, filtered and paged.

Pages are keyset pages on the event id, newest first: ``before`` is the last id of the page
above, so a page costs the same at the millionth event as at the first.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.access import audit_filter
from app.accounts.models import Role, User
from app.areas.models import Area, AreaKind
from app.audit.actions import ACTION_LABELS, VALUE_LABELS, action_label, field_label, object_label
from app.audit.models import AuditEvent
from app.catalog.models import Service
from app.core.db import LOCAL_TZ, local_today
from app.core.domain import RuleError
from app.core.forms import parse_id
from app.core.i18n import format_day, format_day_time
from app.core.text import search_key
from app.coverage.targets import key_label
from app.extensions import db
from app.helplogs.models import Outcome, ReturnReason
from app.households.models import ConsentMethod
from app.training.models import Stage

if TYPE_CHECKING:
    from app.accounts.models import User as Actor

PER_PAGE = 50
ACTOR_LENGTH = 64
FIRST_DAY = date(2000, 1, 1)


class FilterError(RuleError):
    pass


@dataclass(frozen=True)
class TrailFilters:
    """The screen's query: a commune (one of the user's), who acted (a username or part of a
    name), the action, and the days it happened (local days, both ends included)."""

    commune: Area | None = None
    actor: str = ""
    action: str = ""
    start: date | None = None
    end: date | None = None

    def args(self) -> dict:
        """The query string that asks for these filters again (pager and export links)."""
        found = {"commune": self.commune.id if self.commune else None, "actor": self.actor or None,
                 "action": self.action or None, "start": self.start.isoformat() if self.start else None,
                 "end": self.end.isoformat() if self.end else None}
        return {name: value for name, value in found.items() if value is not None}

    def audit(self) -> dict:
        return {"commune_id": self.commune.id if self.commune else None, "actor": self.actor or None,
                "action": self.action or None, "start": self.start.isoformat() if self.start else None,
                "end": self.end.isoformat() if self.end else None}


def action_choices() -> list[tuple[str, str]]:
    """(action, words) of every action the trail knows, in the user's language, by words."""
    return sorted(((action, action_label(action)) for action in ACTION_LABELS), key=lambda pair: pair[1].lower())


def commune_choices(user: Actor) -> list[Area]:
    """The communes the user's trail spans: all under their home area (one for a commune's staff;
    every commune for an administrator without one, none for staff without one)."""
    if user.home_area is None and user.role != Role.ADMIN:
        return []
    if user.home_area is not None and user.home_area.kind == AreaKind.COMMUNE:
        return [user.home_area]
    stmt = select(Area).where(Area.kind == AreaKind.COMMUNE)
    if user.home_area is not None:
        stmt = stmt.where(Area.subtree(user.home_area.path))
    return list(db.session.scalars(stmt.order_by(Area.name)))


def _day(args, name: str) -> date | None:
    text = (args.get(name) or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise FilterError(_l("Enter the date as dd/mm/yyyy."), name) from None
    if day < FIRST_DAY or day > local_today() + timedelta(days=366):
        raise FilterError(_l("Choose dates between %(first)s and next year.", first="01/01/2000"), name)
    return day


def filters_from(args, commune: Area | None) -> TrailFilters:
    """The filters the query asks for; ``commune`` was loaded through the user's scope.
    Raises FilterError (400) for an action not in the list or a date that is not one."""
    action = (args.get("action") or "").strip()
    if action and action not in ACTION_LABELS:
        raise FilterError(_l("Choose an action from the list."), "action")
    start, end = _day(args, "start"), _day(args, "end")
    if start and end and end < start:
        raise FilterError(_l("The period ends before it starts."), "end")
    actor = " ".join((args.get("actor") or "").split())[:ACTOR_LENGTH]
    return TrailFilters(commune, actor, action, start, end)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL_TZ)


def conditions(user: Actor, filters: TrailFilters) -> list:
    found = [audit_filter(user)]
    if filters.commune is not None:
        found.append(AuditEvent.area_id.in_(select(Area.id).where(Area.subtree(filters.commune.path))))
    if filters.actor:
        key = search_key(filters.actor)
        found.append(AuditEvent.actor_id.in_(select(User.id).where(or_(
            User.username == filters.actor.lower(), User.search_key.contains(key, autoescape=True)))))
    if filters.action:
        found.append(AuditEvent.action == filters.action)
    if filters.start:
        found.append(AuditEvent.at >= _local_midnight(filters.start))
    if filters.end:
        found.append(AuditEvent.at < _local_midnight(filters.end + timedelta(days=1)))
    return found


@dataclass
class TrailPage:
    events: list[AuditEvent]
    places: dict[int, Area]
    before: int | None  # the id to ask for the next (older) page with; None on the last page
    first: bool
    services: dict[int | str, Service] = dataclasses.field(default_factory=dict)  # by id and by code


def trail_page(user: Actor, filters: TrailFilters, *, before: int | None = None) -> TrailPage:
    """One page of events, newest first, with the places they belong to and name, and the kinds
    of help they name: four statements (three when no event names a kind of help)."""
    stmt = select(AuditEvent).where(*conditions(user, filters))
    if before is not None:
        stmt = stmt.where(AuditEvent.id < before)
    events = list(db.session.scalars(
        stmt.options(selectinload(AuditEvent.actor)).order_by(AuditEvent.id.desc()).limit(PER_PAGE + 1)))
    more = len(events) > PER_PAGE
    events = events[:PER_PAGE]
    return TrailPage(events, places_of(events), events[-1].id if more else None, before is None,
                     services_of(events))


def places_of(events: list[AuditEvent]) -> dict[int, Area]:
    """The places the events belong to and the places their fields name, by id: one statement.
    Names of places are no one's personal data; a household or an account stays an id."""
    ids = {event.area_id for event in events if event.area_id is not None}
    for event in events:
        for field, value in (event.changes or {}).items():
            if field in _PLACES:
                ids.update(_ints(value))
    if not ids:
        return {}
    return {area.id: area for area in db.session.scalars(
        select(Area).where(Area.id.in_(sorted(ids))).options(joinedload(Area.parent)))}


def services_of(events: list[AuditEvent]) -> dict[int | str, Service]:
    """The kinds of help the page's events name, by id (a target's key, which may also be "any
    help" or "all five skills", not rows) and by code (a log's or a task's services, an export's
    filter): one statement, none when no event names one."""
    ids, codes = set(), set()
    for event in events:
        changes = event.changes or {}
        ids.update(_ints(changes.get("key")))
        codes.update(_strings([changes.get(name) for name in _SERVICE_CODES]))
    if not ids and not codes:
        return {}
    found = {}
    for service in db.session.scalars(select(Service).where(or_(Service.id.in_(sorted(ids)),
                                                                Service.code.in_(sorted(codes))))):
        found[service.id] = found[service.code] = service
    return found


def _strings(value) -> list[str]:
    if isinstance(value, list | tuple):
        return [found for item in value for found in _strings(item)]
    return [value] if isinstance(value, str) else []


def _ints(value) -> list[int]:
    """The ids a stored value holds, those a row could have."""
    if isinstance(value, list | tuple):
        return [found for item in value for found in _ints(item)]
    return [value] if parse_id(value) is not None else []


# Fields whose stored values a labelled enum reads; days and moments stored as ISO text; fields
# whose value is itself a list, so that a pair of lists is a change and a pair of items is not.
_ENUMS = {"outcome": Outcome, "role": Role, "reason": ReturnReason, "consent_method": ConsentMethod, "stage": Stage}
_DAYS = frozenset({"helped_on", "due_on", "start", "end"})
_MOMENTS = frozenset({"until"})
_LISTS = frozenset({"services", "log_ids", "village_ids"})
# Fields that hold kinds of help by code, read by their short names as lists show them.
_SERVICE_CODES = ("services", "service")
# Fields that name places, read by name.
_PLACES = frozenset({"area_id", "commune_id", "village_id", "parent_id", "home_area_id", "village_ids"})


def _shown(field: str, value, page: TrailPage) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if isinstance(value, list | tuple):
        return ", ".join(_shown(field, item, page) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{field_label(key)}: {_shown(key, item, page)}" for key, item in value.items())
    if field in _PLACES and isinstance(value, int) and value in page.places:
        return page.places[value].label  # two villages of a commune may share a name
    if field == "key" and isinstance(value, int) and not isinstance(value, bool):
        return key_label(value, page.services)
    if field in _SERVICE_CODES and isinstance(value, str) and value in page.services:
        return page.services[value].short_name
    if isinstance(value, str):
        words = VALUE_LABELS.get(field, {}).get(value)
        if words is not None:
            return str(words)
        if field in _ENUMS:
            return _ENUMS[field].label_of(value)
        try:
            if field in _DAYS:
                return format_day(date.fromisoformat(value))
            if field in _MOMENTS:
                return format_day_time(datetime.fromisoformat(value))
        except ValueError:
            pass
    if isinstance(value, int) and field.endswith(("_id", "_ids")):
        return f"#{value}"
    return str(value)


def _is_change(field: str, value) -> bool:
    """Whether a stored value is an [old, new] pair rather than a value that is a list."""
    if not isinstance(value, list) or len(value) != 2:
        return False
    if field in _LISTS:
        return all(isinstance(item, list) for item in value)
    return True


def describe(event: AuditEvent, page: TrailPage | None = None) -> dict:
    """How a row reads: the action in words, the record it names, and each field in words with
    its value as stored (``Field: old → new`` for a change, personal values already masked;
    stored codes, days and ids read as the rest of the app shows them; the places and kinds of
    help ``page`` loaded, by name)."""
    page = page or TrailPage([], {}, None, True)
    changes = []
    for field, value in (event.changes or {}).items():
        if _is_change(field, value):
            old, new = (_shown(field, item, page) for item in value)
            changes.append((field_label(field), f"{old} → {new}"))
        else:
            changes.append((field_label(field), _shown(field, value, page)))
    record = f"{object_label(event.object_type)} #{event.object_id}" if event.object_id is not None \
        else object_label(event.object_type)
    return {"action": action_label(event.action), "record": record, "changes": changes}
