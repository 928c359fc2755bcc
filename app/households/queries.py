from sqlalchemy import func, select

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
