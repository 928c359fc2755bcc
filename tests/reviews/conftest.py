"""The reviews' helpers: a log read afresh, and its audit trail."""

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.helplogs.models import HelpLog

HTMX = {"HX-Request": "true"}


def actions(db, log):
    return list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "help_logs", AuditEvent.object_id == log.id)
        .order_by(AuditEvent.id)))


def fresh(db, log):
    db.session.expire_all()
    return db.session.get(HelpLog, log.id)
