"""Writing audit events. The caller's unit of work commits them with the change itself."""

from sqlalchemy import insert

from app.audit.models import AuditEvent
from app.core.db import utcnow
from app.extensions import db

PERSONAL_FIELDS = frozenset({"phone", "display_name", "full_name", "consent_witness", "notes"})


def mask_value(field: str, value):
    if field in PERSONAL_FIELDS and value not in (None, ""):
        return "•••"
    return value


def place_of(actor, obj) -> int | None:
    """The area an event belongs to: the record's own (a model says it by ``audit_area_id``),
    else the actor's home area."""
    area_id = getattr(obj, "audit_area_id", None)
    return area_id if area_id is not None else getattr(actor, "home_area_id", None)


def _event(actor, action: str, obj, changes: dict | None) -> dict:
    masked = None
    if changes:
        masked = {
            field: [mask_value(field, v) for v in value] if isinstance(value, list | tuple)
            else mask_value(field, value)
            for field, value in changes.items()
        }
    return {
        "actor_id": getattr(actor, "id", None),
        "action": action,
        "object_type": type(obj).__tablename__ if obj is not None else None,
        "object_id": getattr(obj, "id", None),
        "changes": masked,
        "area_id": place_of(actor, obj),
    }


def record(actor, action: str, obj=None, changes: dict | None = None) -> AuditEvent:
    """Add an event; ``changes`` maps field -> new value or [old, new]; personal values are masked."""
    event = AuditEvent(**_event(actor, action, obj, changes))
    db.session.add(event)
    return event


def record_now(actor, obj, *events: tuple[str, dict | None]) -> None:
    """Write events about ``obj`` (which has its id) at once, in one INSERT past the unit of
    work: ``events`` are (action, changes) pairs, masked as ``record`` masks them. For the
    hot write paths; the caller's transaction still commits them with the change."""
    at = utcnow()
    db.session.execute(_INSERT_EVENT, [{"at": at, **_event(actor, action, obj, changes)} for action, changes in events])


_INSERT_EVENT = insert(AuditEvent.__table__)
