from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.access import household_filter, village_ids
from app.areas.models import Area, AreaKind
from app.core.text import search_key
from app.extensions import db
from app.households.models import Household


def household_counts(village_ids: list[int]) -> dict[int, int]:
    """Registered households per village (anonymised ones still count)."""
    if not village_ids:
        return {}
    rows = db.session.execute(
        select(Household.village_id, func.count())
        .where(Household.village_id.in_(village_ids))
        .group_by(Household.village_id)
    )
    return dict(rows.all())


PER_PAGE = 20


def search_households(user, area, *, q: str = "", farm: bool = False, business: bool = False,
                      page: int = 1, per_page: int = PER_PAGE):
    """Households of a village, or of a commune's villages, that ``user`` may see: every word
    of ``q`` must appear in the name, accents and đ ignored. Served by the
    (village_id, search_key) index: one village is a few hundred rows at most."""
    stmt = select(Household).where(household_filter(user), Household.anonymised_at.is_(None))
    if area.kind == AreaKind.VILLAGE:
        stmt = stmt.where(Household.village_id == area.id)
    else:
        stmt = stmt.where(Household.village_id.in_(
            select(Area.id).where(Area.subtree(area.path), Area.kind == AreaKind.VILLAGE)
        ))
    for word in search_key(q).split()[:5]:
        stmt = stmt.where(Household.search_key.contains(word, autoescape=True))
    if farm:
        stmt = stmt.where(Household.is_farm)
    if business:
        stmt = stmt.where(Household.is_business)
    stmt = stmt.options(selectinload(Household.village)).order_by(Household.search_key, Household.id)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def movable_to(user) -> list[Area]:
    """The active villages a household can be moved to by ``user``: their teams' villages."""
    return list(db.session.scalars(
        select(Area).where(Area.id.in_(village_ids(user)), Area.is_active).order_by(Area.name)
    ))
