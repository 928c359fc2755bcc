"""Read models for the account pages, scoped to the administrator looking at them."""

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.access import user_filter
from app.accounts.models import User
from app.areas.models import Area, AreaKind
from app.core.text import search_key
from app.extensions import db

PER_PAGE = 25
HOME_AREA_KINDS = (AreaKind.PROVINCE, AreaKind.DISTRICT, AreaKind.COMMUNE)


def user_list(actor: User, *, q: str | None = None, role: str | None = None, page: int = 1):
    """A page of the accounts ``actor`` manages; ``q`` matches name or username, accents ignored."""
    stmt = select(User).where(user_filter(actor)).options(selectinload(User.home_area))
    key = search_key(q)
    if key:
        stmt = stmt.where(or_(User.search_key.contains(key, autoescape=True),
                              User.username.contains(key, autoescape=True)))
    if role:
        stmt = stmt.where(User.role == role)
    stmt = stmt.order_by(User.is_active.desc(), User.search_key, User.id)
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def assignable_areas(actor: User, current: Area | None = None) -> list[Area]:
    """Home areas ``actor`` may give: the province and communes inside their own area
    (and the user's current one, so editing never silently changes it)."""
    stmt = select(Area).where(Area.kind.in_(HOME_AREA_KINDS), Area.is_active)
    if actor.home_area is not None:
        stmt = stmt.where(Area.subtree(actor.home_area.path))
    areas = list(db.session.scalars(stmt))
    if current is not None and current not in areas:
        areas.append(current)
    return sorted(areas, key=lambda area: (area.depth, area.search_key))
