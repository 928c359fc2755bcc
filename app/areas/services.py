"""Creating places in the area tree; adding, renaming and deactivating villages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.access import manages_places
from app.areas.models import Area, AreaKind
from app.audit.services import record
from app.core.domain import RuleError
from app.core.i18n import format_number
from app.core.text import clean_text, search_key
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User

_CHILD_KINDS = {
    None: {AreaKind.PROVINCE},
    AreaKind.PROVINCE: {AreaKind.DISTRICT, AreaKind.COMMUNE},
    AreaKind.DISTRICT: {AreaKind.COMMUNE},
    AreaKind.COMMUNE: {AreaKind.VILLAGE},
    AreaKind.VILLAGE: set(),
}
NAME_MAX = 120
DECLARED_MAX = 20_000


class AreaError(RuleError):
    pass


@dataclass
class VillageData:
    name: str
    former_commune: str | None = None
    declared_households: int | None = None


def add_area(kind: AreaKind, name: str, parent: Area | None = None, **fields) -> Area:
    """Add an area under ``parent`` and set its materialized path. Flushes, does not commit."""
    parent_kind = AreaKind(parent.kind) if parent else None
    if kind not in _CHILD_KINDS[parent_kind]:
        raise AreaError(f"a {kind} cannot sit under a {parent_kind}")
    name = clean_text(name)
    area = Area(kind=kind, name=name, search_key=search_key(name), parent=parent, **fields)
    db.session.add(area)
    db.session.flush()
    area.path = f"{parent.path if parent else '/'}{area.id}/"
    return area


def clean_village(data: VillageData) -> VillageData:
    """The village as it will be stored. Raises AreaError."""
    name = clean_text(data.name)
    if not name:
        raise AreaError(_l("Enter the village's name."), "name")
    if len(name) > NAME_MAX:
        raise AreaError(_l("At most %(max)d characters.", max=NAME_MAX), "name")
    if not any(ch.isalnum() for ch in name):
        raise AreaError(_l("Enter a name made of letters or numbers."), "name")
    former = clean_text(data.former_commune) or None
    if former and len(former) > NAME_MAX:
        raise AreaError(_l("At most %(max)d characters.", max=NAME_MAX), "former_commune")
    declared = data.declared_households
    if declared is not None and not 0 <= declared <= DECLARED_MAX:
        raise AreaError(_l("The declared number of households must be between 0 and %(max)s.",
                           max=format_number(DECLARED_MAX)), "declared_households")
    return VillageData(name, former, declared)


def village_identity(name: str | None, former_commune: str | None) -> tuple[str, str]:
    """What tells villages of one commune apart: the name and the former commune, accents ignored."""
    return search_key(name), search_key(former_commune)


def same_village(commune: Area, data: VillageData, *, exclude_id: int | None = None) -> Area | None:
    """The commune's village with the same name and former commune, if there is one."""
    wanted = village_identity(data.name, data.former_commune)
    for village in db.session.scalars(
        select(Area).where(Area.parent_id == commune.id, Area.kind == AreaKind.VILLAGE)
    ):
        if village.id != exclude_id and village_identity(village.name, village.former_commune) == wanted:
            return village
    return None


def _check_may_keep(actor: User, area: Area, kind: AreaKind) -> None:
    if area.kind != kind or not manages_places(actor, area):
        raise AreaError(_l("You can only change villages of the communes in your area."))


def _duplicate_error(existing: Area) -> AreaError:
    return AreaError(_l("This commune already has a village named “%(name)s”. If it is another village, "
                        "give its former commune to tell them apart.", name=existing.name), "name")


def build_village(commune: Area, data: VillageData) -> Area:
    """Add a cleaned village under ``commune``. Flushes, does not commit or audit."""
    return add_area(AreaKind.VILLAGE, data.name, commune, former_commune=data.former_commune,
                    declared_households=data.declared_households)


def add_village(actor: User, commune: Area, data: VillageData) -> Area:
    """Add a village to a commune the actor keeps. Raises AreaError. Commits."""
    _check_may_keep(actor, commune, AreaKind.COMMUNE)
    data = clean_village(data)
    existing = same_village(commune, data)
    if existing:
        raise _duplicate_error(existing)
    village = build_village(commune, data)
    record(actor, "area.created", village, {
        "parent_id": commune.id, "name": village.name, "former_commune": village.former_commune,
        "declared_households": village.declared_households,
    })
    db.session.commit()
    return village


def _renamed(village: Area, new_name: str) -> None:
    """Keep the old name findable: it joins the former names (a name given back leaves them)."""
    names = [n for n in village.former_name_list if search_key(n) != search_key(new_name)]
    if search_key(village.name) != search_key(new_name) and all(
        search_key(n) != search_key(village.name) for n in names
    ):
        names.append(village.name)
    village.former_names = "\n".join(names) or None
    village.former_names_key = " ".join(search_key(n) for n in names) or None
    village.name = new_name
    village.search_key = search_key(new_name)


def update_village(actor: User, village: Area, data: VillageData) -> Area:
    """Rename a village, change its former commune or declared household count. Commits."""
    _check_may_keep(actor, village, AreaKind.VILLAGE)
    data = clean_village(data)
    existing = same_village(village.parent, data, exclude_id=village.id)
    if existing:
        raise _duplicate_error(existing)
    changes = {}
    if data.name != village.name:
        changes["name"] = [village.name, data.name]
        _renamed(village, data.name)
    for name in ("former_commune", "declared_households"):
        old, new = getattr(village, name), getattr(data, name)
        if old != new:
            changes[name] = [old, new]
            setattr(village, name, new)
    if changes:
        record(actor, "area.updated", village, changes)
        db.session.commit()
    return village


def set_village_active(actor: User, village: Area, active: bool) -> Area:
    """Deactivate (hide from pickers, keep with its households and counts) or reactivate. Commits."""
    _check_may_keep(actor, village, AreaKind.VILLAGE)
    if village.is_active != active:
        village.is_active = active
        record(actor, "area.reactivated" if active else "area.deactivated", village)
        db.session.commit()
    return village
