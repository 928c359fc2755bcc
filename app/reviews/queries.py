"""Read models for reviewing: the queue with its filters, the navigation counts, a log's history."""

from dataclasses import dataclass

from flask import g
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.access import review_filter, team_ids
from app.accounts.models import Role, User
from app.areas.models import Area
from app.extensions import db
from app.helplogs.models import HelpLog, LogStatus, help_log_services
from app.helplogs.queries import LOG_OPTIONS, active_services
from app.teams.models import Membership, team_villages

PER_PAGE = 20


@dataclass
class QueueFilters:
    author_id: int | None = None
    village_id: int | None = None
    service_id: int | None = None

    def args(self) -> dict:
        return {k: v for k, v in (("author", self.author_id), ("village", self.village_id),
                                  ("service", self.service_id)) if v}


def pending_total() -> int:
    """Logs waiting for review in every team: the queue size operators watch."""
    return db.session.scalar(select(func.count()).select_from(HelpLog).where(HelpLog.status == LogStatus.SUBMITTED))


def _waiting(user: User, filters: QueueFilters):
    stmt = select(HelpLog).where(HelpLog.status == LogStatus.SUBMITTED, review_filter(user))
    if filters.author_id:
        stmt = stmt.where(HelpLog.author_id == filters.author_id)
    if filters.village_id:
        stmt = stmt.where(HelpLog.village_id == filters.village_id)
    if filters.service_id:
        stmt = stmt.where(HelpLog.id.in_(
            select(help_log_services.c.log_id).where(help_log_services.c.service_id == filters.service_id)))
    return stmt


def waiting_count(user: User, filters: QueueFilters) -> int:
    """How many logs the queue holds with these filters (after an action in place)."""
    return db.session.scalar(select(func.count()).select_from(_waiting(user, filters).subquery())) or 0


def review_queue(user: User, filters: QueueFilters, *, page: int):
    """Submitted logs in the user's review scope, oldest first."""
    stmt = (_waiting(user, filters).options(*LOG_OPTIONS, selectinload(HelpLog.author))
            .order_by(HelpLog.received_at, HelpLog.id))
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def filter_choices(user: User) -> dict:
    """Volunteers and villages of the teams the user leads (an administrator leading none gets
    the service filter only: the whole province is too long a list), and the services."""
    led = team_ids(user, leading=True)
    people = list(db.session.scalars(
        select(User).where(User.id.in_(select(Membership.user_id).where(Membership.team_id.in_(led))))
        .order_by(User.full_name)
    ))
    villages = list(db.session.scalars(
        select(Area).where(Area.id.in_(select(team_villages.c.village_id).where(team_villages.c.team_id.in_(led))))
        .order_by(Area.name, Area.former_commune)
    ))
    return {"people": people, "villages": villages, "services": active_services()}


def nav_counts(user: User) -> dict[str, int]:
    """Logs waiting for the leader's review, and the user's own returned logs: cheap COUNTs on
    the (team_id, status) and (author_id, …) indexes, once per request."""
    if "nav_counts" in g:
        return g.nav_counts
    counts = {}
    if user.role in (Role.VOLUNTEER, Role.LEADER):
        counts["returned"] = db.session.scalar(
            select(func.count()).select_from(HelpLog)
            .where(HelpLog.author_id == user.id, HelpLog.status == LogStatus.RETURNED))
    if user.role == Role.LEADER:
        counts["pending"] = db.session.scalar(
            select(func.count()).select_from(HelpLog)
            .where(HelpLog.team_id.in_(team_ids(user, leading=True)), HelpLog.status == LogStatus.SUBMITTED))
    g.nav_counts = counts
    return counts

