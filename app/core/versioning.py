"""No lost updates: a row changes only from the version its user saw, in one conditional UPDATE."""

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db


def update_if(obj, *conditions, **values) -> bool:
    """Write ``values`` to ``obj``'s row and move it to its next version, only while
    ``conditions`` hold. Of two requests racing on one row exactly one wins; True when this one
    did, and ``obj`` then holds the new values. On False nothing was written.

    The caller rolls back and tells its user what the row is now (see ``refresh_after_losing``).
    """
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


def refresh_after_losing(obj) -> None:
    """Drop the failed unit of work and load the row as it is now."""
    db.session.rollback()
    db.session.refresh(obj)
