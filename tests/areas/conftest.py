"""The areas' helpers."""

from sqlalchemy import func, select

from app.areas.models import Area


def village_count(db, commune) -> int:
    return db.session.scalar(select(func.count()).where(Area.parent_id == commune.id))
