"""Read models for the volunteer's screens: today's logs, what needs fixing, the village choices;
and the logs waiting for a leader's review, in the queue's order."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.access import review_filter, village_ids
from app.accounts.models import User
from app.areas.models import Area
from app.audit.models import AuditEvent
from app.catalog.models import Service
from app.core.i18n import format_day_time
from app.extensions import db
from app.helplogs.models import HelpLog, LogStatus, help_log_services
from app.households.models import Household

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
# What the 409 note says happened to a log meanwhile: who did what, and when.
CHANGED_BY = {
    "helplog.approved": _l("%(name)s approved it at %(when)s."),
    "helplog.returned": _l("%(name)s returned it at %(when)s."),
    "helplog.updated": _l("%(name)s changed it at %(when)s."),
    "helplog.resubmitted": _l("%(name)s resubmitted it at %(when)s."),
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


def last_change(log: HelpLog) -> AuditEvent | None:
    """The latest approval, return or edit of the log, with who did it: one query."""
    return db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.object_type == HelpLog.__tablename__, AuditEvent.object_id == log.id,
               AuditEvent.action.in_(CHANGED_BY))
        .options(joinedload(AuditEvent.actor)).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(1)
    )


def change_note(event: AuditEvent | None) -> str | None:
    """The 409 note's sentence, e.g. Trần Thị Hương approved it at 30/11/2026 22:10.; None without
    an event."""
    if event is None or event.action not in CHANGED_BY:
        return None
    name = event.actor.full_name if event.actor else _l("Someone")
    return str(CHANGED_BY[event.action]) % {"name": name, "when": format_day_time(event.at)}


@dataclass
class QueueFilters:
    """The review queue's filters: one volunteer, one village, one kind of help."""

    author_id: int | None = None
    village_id: int | None = None
    service_id: int | None = None

    def args(self) -> dict:
        return {k: v for k, v in (("author", self.author_id), ("village", self.village_id),
                                  ("service", self.service_id)) if v}


def waiting_for_review(user: User, filters: QueueFilters):
    """The logs waiting for ``user``'s review, with the queue's filters."""
    stmt = select(HelpLog).where(HelpLog.status == LogStatus.SUBMITTED, review_filter(user))
    if filters.author_id:
        stmt = stmt.where(HelpLog.author_id == filters.author_id)
    if filters.village_id:
        stmt = stmt.where(HelpLog.village_id == filters.village_id)
    if filters.service_id:
        stmt = stmt.where(HelpLog.id.in_(
            select(help_log_services.c.log_id).where(help_log_services.c.service_id == filters.service_id)))
    return stmt


def next_waiting(user: User, after: HelpLog, filters: QueueFilters | None = None) -> HelpLog | None:
    """The waiting log ``user`` reviews next after ``after``, in the order of the queue with
    ``filters`` (oldest first), starting over from the oldest at the end; None when nothing
    else waits there."""
    waiting = (waiting_for_review(user, filters or QueueFilters()).where(HelpLog.id != after.id)
               .order_by(HelpLog.received_at, HelpLog.id).limit(1))
    later = or_(HelpLog.received_at > after.received_at,
                and_(HelpLog.received_at == after.received_at, HelpLog.id > after.id))
    return db.session.scalar(waiting.where(later)) or db.session.scalar(waiting)


def offline_households(user: User, villages: list[Area]):
    """The minimum a phone keeps for searching households without a connection: id, name,
    village, search key and phone (shown masked), of the user's own teams' active villages
    only, whatever else their role lets them see."""
    return db.session.execute(
        select(Household.id, Household.display_name, Household.village_id, Household.search_key, Household.phone)
        .where(Household.village_id.in_([v.id for v in villages]), Household.village_id.in_(village_ids(user)),
               Household.anonymised_at.is_(None))
        .order_by(Household.village_id, Household.search_key, Household.id)
    ).all()
