"""Read models for the volunteer's screens: today's logs, what needs fixing, the village choices."""


from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.access import village_ids
from app.accounts.models import User
from app.areas.models import Area
from app.audit.models import AuditEvent
from app.catalog.models import Service
from app.extensions import db
from app.helplogs.models import HelpLog, LogStatus, help_log_services

PER_PAGE = 20
FAVOURITES = 5  # services shown first on the log form, the rest behind "More…"
HABIT_LOGS = 200  # how far back the form looks for a volunteer's usual services
# What a log's history shows, and how each step reads.
HISTORY = {
    "helplog.submitted": _l("Sent for review"),
    "helplog.updated": _l("Changed"),
    "helplog.resubmitted": _l("Resubmitted"),
    "helplog.returned": _l("Returned"),
    "helplog.approved": _l("Approved"),
}
LOG_OPTIONS = (selectinload(HelpLog.services), joinedload(HelpLog.household), joinedload(HelpLog.village))


def my_villages(user: User) -> list[Area]:
    return list(db.session.scalars(
        select(Area).where(Area.id.in_(village_ids(user)), Area.is_active)
        .order_by(Area.parent_id, Area.former_commune, Area.id)
    ))


def last_village_id(user: User) -> int | None:
    """The village of the user's latest log: the form starts there."""
    return db.session.scalar(
        select(HelpLog.village_id).where(HelpLog.author_id == user.id)
        .order_by(HelpLog.received_at.desc(), HelpLog.id.desc()).limit(1)
    )


def active_services() -> list[Service]:
    return list(db.session.scalars(select(Service).where(Service.is_active).order_by(Service.sort_order)))


def favourite_service_ids(user: User) -> list[int]:
    """The services ``user`` logged most in their latest logs, most used first (ties in the
    catalogue's order): one query, bounded by the author index."""
    latest = (select(HelpLog.id).where(HelpLog.author_id == user.id)
              .order_by(HelpLog.received_at.desc(), HelpLog.id.desc()).limit(HABIT_LOGS).subquery())
    uses = func.count()
    return list(db.session.scalars(
        select(help_log_services.c.service_id)
        .join(Service, Service.id == help_log_services.c.service_id)
        .where(help_log_services.c.log_id.in_(select(latest.c.id)), Service.is_active)
        .group_by(help_log_services.c.service_id, Service.sort_order)
        .order_by(uses.desc(), Service.sort_order).limit(FAVOURITES)
    ))


def today_screen(user: User) -> dict:
    """Returned logs first (with the leader's reason), then the latest logs, and the counts."""
    returned = list(db.session.scalars(
        select(HelpLog).where(HelpLog.author_id == user.id, HelpLog.status == LogStatus.RETURNED)
        .options(*LOG_OPTIONS).order_by(HelpLog.reviewed_at.desc().nulls_last(), HelpLog.id.desc()).limit(20)
    ))
    recent = list(db.session.scalars(
        select(HelpLog).where(HelpLog.author_id == user.id, HelpLog.status != LogStatus.RETURNED)
        .options(*LOG_OPTIONS).order_by(HelpLog.received_at.desc(), HelpLog.id.desc()).limit(10)
    ))
    return {"returned": returned, "recent": recent}


def my_logs(user: User, *, status: str | None, page: int):
    stmt = select(HelpLog).where(HelpLog.author_id == user.id)
    if status in set(LogStatus):
        stmt = stmt.where(HelpLog.status == status)
    stmt = stmt.options(*LOG_OPTIONS).order_by(HelpLog.received_at.desc(), HelpLog.id.desc())
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def history_label(action: str) -> str:
    return str(HISTORY.get(action, action))


def log_history(log: HelpLog) -> list[AuditEvent]:
    """What happened to the log, oldest first, with who did it: one query."""
    return list(db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == HelpLog.__tablename__, AuditEvent.object_id == log.id,
               AuditEvent.action.in_(HISTORY))
        .options(joinedload(AuditEvent.actor)).order_by(AuditEvent.at, AuditEvent.id)
    ))

