"""Read models for finding places, scoped to the viewer."""

from typing import TYPE_CHECKING

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from app.access import area_filter
from app.areas.models import Area, AreaKind
from app.core.text import search_key
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User


def child_order(area: Area) -> tuple:
    """Vietnamese order: communes by their accent-free name; a commune's villages grouped by
    former commune, then in the order they were entered, so Thôn 1, 2, … 10 stay in order."""
    if area.kind == AreaKind.COMMUNE:
        return func.coalesce(Area.former_commune, ""), Area.id
    return Area.search_key, Area.id


_KIND_ORDER = case({AreaKind.PROVINCE: 0, AreaKind.DISTRICT: 1, AreaKind.COMMUNE: 2}, value=Area.kind, else_=3)
SEARCH_PER_PAGE = 20


def search_areas(user: "User", q: str, *, within: Area | None = None, page: int = 1,
                 per_page: int = SEARCH_PER_PAGE):
    """Active areas ``user`` may see whose name or a former name holds every word of ``q``,
    accents and đ ignored; None when ``q`` has no words. A province has ~1,800 areas, so a
    scan of the names is cheap."""
    words = search_key(q).split()[:5]
    if not words:
        return None
    names = Area.search_key + " " + func.coalesce(Area.former_names_key, "")
    stmt = select(Area).where(area_filter(user), Area.is_active)
    if within is not None:
        stmt = stmt.where(Area.subtree(within.path), Area.id != within.id)
    for word in words:
        stmt = stmt.where(names.contains(word, autoescape=True))
    stmt = (stmt.options(selectinload(Area.parent))
            .order_by(_KIND_ORDER, Area.search_key, func.coalesce(Area.former_commune, ""), Area.id))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)
