"""Read models for reviewing: the queue with its filters, the navigation counts, a log's history."""

from flask import g
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.access import team_ids
from app.accounts.models import Role, User
from app.areas.models import Area
from app.extensions import db
from app.helplogs.models import HelpLog, LogStatus
from app.helplogs.queries import LOG_OPTIONS, QueueFilters, active_services, waiting_for_review
from app.teams.models import Membership, team_villages

PER_PAGE = 20


def pending_total() -> int:
    """Logs waiting for review in every team: the queue size operators watch."""
    return db.session.scalar(select(func.count()).select_from(HelpLog).where(HelpLog.status == LogStatus.SUBMITTED))


def waiting_count(user: User, filters: QueueFilters) -> int:
    """How many logs the queue holds with these filters (after an action in place)."""
    return db.session.scalar(select(func.count()).select_from(waiting_for_review(user, filters).subquery())) or 0


def review_queue(user: User, filters: QueueFilters, *, page: int):
    """Submitted logs in the user's review scope, oldest first."""
    stmt = (waiting_for_review(user, filters).options(*LOG_OPTIONS, selectinload(HelpLog.author))
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

