"""What each role sees first: a few numbers and links, in a bounded number of queries."""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.access import area_filter, household_filter, team_filter, user_filter
from app.accounts.models import Role, User
from app.areas.models import Area, AreaKind
from app.audit.models import AuditEvent
from app.core.db import local_today
from app.extensions import db
from app.helplogs.queries import today_screen
from app.households.models import Household
from app.households.queries import household_counts
from app.reviews.queries import nav_counts
from app.tasks.queries import overdue_count, progress, today_tasks
from app.teams.models import Membership, Team


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def my_memberships(user: User) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership)
        .join(Team)
        .where(Membership.user_id == user.id, Team.is_active)
        .options(
            selectinload(Membership.team).selectinload(Team.villages),
            selectinload(Membership.team).joinedload(Team.commune),
            selectinload(Membership.team).selectinload(Team.memberships).selectinload(Membership.user),
        )
        .order_by(Team.name)
    ))


def area_totals(user: User) -> dict[str, int]:
    """Communes, villages, teams and registered households within the user's scope."""
    visible = select(Area.id).where(area_filter(user), Area.is_active)
    return {
        "communes": _count(visible.where(Area.kind == AreaKind.COMMUNE)),
        "villages": _count(visible.where(Area.kind == AreaKind.VILLAGE)),
        "teams": _count(select(Team.id).where(team_filter(user), Team.is_active)),
        "households": _count(
            select(Household.id).where(Household.village_id.in_(visible), Household.anonymised_at.is_(None))
        ),
    }


def dashboard(user: User) -> dict:
    context: dict = {"role": user.role}
    if user.role in (Role.VOLUNTEER, Role.LEADER):
        memberships = my_memberships(user)
        villages = {v.id for m in memberships for v in m.team.villages}
        context["memberships"] = memberships
        context["household_counts"] = household_counts(sorted(villages))
        context["my_households"] = _count(select(Household.id).where(household_filter(user)))
        context.update(today_screen(user))
        context["tasks"] = today_tasks(user)
        context["given_tasks"] = [task for task in context["tasks"] if task.assignee_id == user.id]
        context["open_tasks"] = [task for task in context["tasks"] if task.assignee_id is None]
        context["task_progress"] = progress(task.id for task in context["tasks"])
        context["today"] = local_today()
        if user.role == Role.LEADER:
            context["overdue_tasks"] = overdue_count(user, context["today"])
            context["waiting_reviews"] = nav_counts(user).get("pending", 0)
    else:
        context["totals"] = area_totals(user)
        context["home_area"] = user.home_area
    if user.role == Role.ADMIN:
        context["users"] = _count(select(User.id).where(User.is_active, user_filter(user)))
        # What the accounts this administrator manages did (a commune's administrator: its people).
        context["recent_events"] = list(db.session.scalars(
            select(AuditEvent).where(AuditEvent.actor_id.in_(select(User.id).where(user_filter(user))))
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(10)
        ))
    return context


def top_area(user: User) -> Area | None:
    """The widest area the user may see, for the 'Areas' link."""
    if user.role in (Role.ADMIN, Role.STAFF) and user.home_area:  # the role first: no load for the field
        return user.home_area
    return db.session.scalar(
        select(Area).where(area_filter(user)).order_by(func.length(Area.path), Area.name).limit(1)
    )
