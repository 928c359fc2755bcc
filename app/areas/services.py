"""Creating places in the area tree."""

from app.areas.models import Area, AreaKind
from app.core.text import clean_text, search_key
from app.extensions import db

_CHILD_KINDS = {
    None: {AreaKind.PROVINCE},
    AreaKind.PROVINCE: {AreaKind.DISTRICT, AreaKind.COMMUNE},
    AreaKind.DISTRICT: {AreaKind.COMMUNE},
    AreaKind.COMMUNE: {AreaKind.VILLAGE},
    AreaKind.VILLAGE: set(),
}


class AreaError(ValueError):
    pass


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
