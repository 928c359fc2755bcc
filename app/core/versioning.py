"""No lost updates: a row changes only from the version its user saw, in one conditional UPDATE."""

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db


class Stale(Exception):
    """The row changed since its user saw it (another request won the race): nothing was
    saved, and ``obj`` holds the row as it is now."""

    def __init__(self, obj):
        super().__init__(f"{type(obj).__name__} {obj.id} changed")
        self.obj = obj


def update_if(obj, *conditions, **values) -> bool:
    """Write ``values`` to ``obj``'s row and move it to its next version, only while
    ``conditions`` hold. Of two requests racing on one row exactly one wins; True when this one
    did, and ``obj`` then holds the new values. On False nothing was written."""
    model = type(obj)
    version = db.session.execute(
        update(model).where(model.id == obj.id, *conditions)
        .values(version=model.version + 1, **values)
        .returning(model.version)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if version is None:
        return False
    set_committed_value(obj, "version", version)
    for name, value in values.items():
        set_committed_value(obj, name, value)
    return True


def claim(obj, *conditions, **values) -> None:
    """``update_if``, or Stale with the unit of work dropped and ``obj`` loaded as it is now."""
    if not update_if(obj, *conditions, **values):
        db.session.rollback()
        db.session.refresh(obj)
        raise Stale(obj)


def claim_version(obj, seen: int | None, *conditions) -> None:
    """Move ``obj`` to its next version if it is still at ``seen`` (the version its user's
    page showed) and ``conditions`` hold; Stale otherwise."""
    claim(obj, type(obj).version == (seen if seen is not None else -1), *conditions)
