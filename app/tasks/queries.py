"""Read models for tasks: progress counted from approved logs, the lists people work from,
and which households other tasks already cover. Each is a fixed number of queries."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.access import helplog_filter, task_filter, team_filter, team_ids
from app.accounts.models import Role, User
from app.core.db import local_today
from app.core.text import search_key
from app.extensions import db
from app.helplogs.models import HelpLog, LogStatus, help_log_services
from app.households.models import Household
from app.tasks.models import Task, TaskScope, TaskStatus, task_households, task_services
from app.teams.models import Membership, Team

PER_PAGE = 20
HOUSEHOLDS_PER_PAGE = 50
# A task row shows its services, village and assignee: one extra query for the services.
TASK_OPTIONS = (selectinload(Task.services), joinedload(Task.village), joinedload(Task.assignee))


def live_in(village_id):
    """Households of the village that a task can be about: every one not anonymised."""
    return and_(Household.village_id == village_id, Household.anonymised_at.is_(None))


def progress(task_ids) -> dict[int, int]:
    """Target households reached per task: distinct households with an approved log for one
    of the task's services since the task began, whether or not the log was linked to it.
    Anonymised households are left out, as they are from the task's household list."""
    task_ids = list(task_ids)
    if not task_ids:
        return {}
    rows = db.session.execute(
        select(Task.id, func.count(HelpLog.household_id.distinct()))
        .select_from(Task)
        .join(task_services, task_services.c.task_id == Task.id)
        .join(help_log_services, help_log_services.c.service_id == task_services.c.service_id)
        .join(HelpLog, and_(HelpLog.id == help_log_services.c.log_id, HelpLog.village_id == Task.village_id))
        # The household is a target: any of the village for a village task, a listed one otherwise.
        # A join on the (task_id, household_id) key, not EXISTS, which PostgreSQL would answer by
        # hashing the whole task_households table.
        .outerjoin(task_households, and_(task_households.c.task_id == Task.id,
                                         task_households.c.household_id == HelpLog.household_id))
        .join(Household, and_(Household.id == HelpLog.household_id, Household.anonymised_at.is_(None)))
        .where(Task.id.in_(task_ids), HelpLog.status == LogStatus.APPROVED,
               HelpLog.helped_on >= Task.starts_on,
               or_(Task.scope == TaskScope.VILLAGE, task_households.c.task_id.is_not(None)))
        .group_by(Task.id)
    )
    return dict(rows.all())


def scope_size(task: Task) -> int:
    """How many households the task is about (anonymised ones no longer count)."""
    if task.scope == TaskScope.VILLAGE:
        return db.session.scalar(
            select(func.count()).select_from(Household)
            .where(live_in(task.village_id))
        ) or 0
    return db.session.scalar(
        select(func.count()).select_from(task_households)
        .join(Household, Household.id == task_households.c.household_id)
        .where(task_households.c.task_id == task.id, Household.anonymised_at.is_(None))
    ) or 0


def today_tasks(user: User, *, limit: int = 20) -> list[Task]:
    """The volunteer's active tasks and the open ones of their teams nobody has claimed, by due date."""
    return list(db.session.scalars(
        select(Task).where(
            Task.status == TaskStatus.ACTIVE, Task.team_id.in_(team_ids(user)),
            or_(Task.assignee_id == user.id, and_(Task.is_open, Task.assignee_id.is_(None))),
        ).options(*TASK_OPTIONS).order_by(Task.due_on, Task.id).limit(limit)
    ))


def overdue_count(user: User, today: date) -> int:
    """Active tasks past their due date in the teams ``user`` leads."""
    return db.session.scalar(
        select(func.count()).select_from(Task).where(
            Task.team_id.in_(team_ids(user, leading=True)), Task.status == TaskStatus.ACTIVE, Task.due_on < today)
    ) or 0


@dataclass
class TaskFilters:
    status: str = TaskStatus.ACTIVE
    team_id: int | None = None
    who: str = "all"  # all, mine, open, overdue

    def args(self) -> dict:
        return {k: v for k, v in (("status", self.status), ("team", self.team_id), ("who", self.who)) if v}


def task_list(user: User, filters: TaskFilters, *, page: int):
    """The tasks of the user's teams, by due date (the latest ended first for ended ones)."""
    stmt = select(Task).where(task_filter(user))
    if filters.status in set(TaskStatus):
        stmt = stmt.where(Task.status == filters.status)
    if filters.team_id:
        stmt = stmt.where(Task.team_id == filters.team_id)
    if filters.who == "mine":
        stmt = stmt.where(Task.assignee_id == user.id)
    elif filters.who == "open":
        stmt = stmt.where(Task.is_open, Task.assignee_id.is_(None))
    elif filters.who == "overdue":
        stmt = stmt.where(Task.status == TaskStatus.ACTIVE, Task.due_on < local_today())
    order = (Task.due_on, Task.id) if filters.status == TaskStatus.ACTIVE else (Task.ended_at.desc(), Task.id.desc())
    stmt = stmt.options(*TASK_OPTIONS).order_by(*order)
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def team_choices(user: User) -> list[Team]:
    """Teams the user may set tasks for: those they lead (for an administrator, every active
    team they may see)."""
    stmt = (select(Team).where(Team.is_active).options(selectinload(Team.villages), joinedload(Team.commune))
            .order_by(Team.name))
    if user.role == Role.ADMIN:
        stmt = stmt.where(team_filter(user))
    else:
        stmt = stmt.where(Team.id.in_(team_ids(user, leading=True)))
    return list(db.session.scalars(stmt))


def team_options(user: User, *, limit: int = 51) -> list:
    """Rows of (id, name) of the active teams whose tasks the user sees, for the list's filter."""
    return list(db.session.execute(
        select(Team.id, Team.name).where(Team.is_active, team_filter(user)).order_by(Team.name, Team.id).limit(limit)
    ))


def member_choices(team: Team) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Membership).where(Membership.team_id == team.id, User.is_active)
        .order_by(User.full_name, User.id)
    ))


def reached_since(village_id: int, service_ids, since: date | None = None) -> set[int]:
    """Households of the village with an approved log for one of ``service_ids`` (since ``since``)."""
    if not service_ids:
        return set()
    stmt = (
        select(HelpLog.household_id.distinct())
        .join(help_log_services, help_log_services.c.log_id == HelpLog.id)
        .where(HelpLog.village_id == village_id, HelpLog.status == LogStatus.APPROVED,
               HelpLog.household_id.is_not(None), help_log_services.c.service_id.in_(list(service_ids)))
    )
    if since is not None:
        stmt = stmt.where(HelpLog.helped_on >= since)
    return set(db.session.scalars(stmt))


def other_tasks_covering(village_id: int, service_ids, *, exclude_task_id: int | None = None) -> dict:
    """Active tasks of the village sharing a service, and the households each covers:
    ``{"village": [tasks covering every household], "households": {household_id: [tasks]}}``."""
    result: dict = {"village": [], "households": {}}
    if not service_ids:
        return result
    stmt = (
        select(Task).where(
            Task.village_id == village_id, Task.status == TaskStatus.ACTIVE,
            Task.team_id.in_(select(Team.id).where(Team.is_active)),
            Task.id.in_(select(task_services.c.task_id).where(task_services.c.service_id.in_(list(service_ids)))),
        ).options(selectinload(Task.assignee), selectinload(Task.services)).order_by(Task.due_on, Task.id)
    )
    if exclude_task_id is not None:
        stmt = stmt.where(Task.id != exclude_task_id)
    tasks = {task.id: task for task in db.session.scalars(stmt)}
    listed = [t.id for t in tasks.values() if t.scope == TaskScope.HOUSEHOLDS]
    result["village"] = [t for t in tasks.values() if t.scope == TaskScope.VILLAGE]
    if listed:
        for task_id, household_id in db.session.execute(
            select(task_households.c.task_id, task_households.c.household_id)
            .where(task_households.c.task_id.in_(listed))
        ):
            result["households"].setdefault(household_id, []).append(tasks[task_id])
    return result


def village_households(village_id: int) -> list[Household]:
    """Every live household of a village, by name: a few hundred at most."""
    return list(db.session.scalars(
        select(Household).where(live_in(village_id))
        .order_by(Household.search_key, Household.id)
    ))


def target_households(task: Task, *, reached: set[int], show: str, page: int, q: str = ""):
    """The task's households, the ones still to reach (``show="todo"``) or reached ones, whose
    name holds every word of ``q`` (accents and đ ignored)."""
    if task.scope == TaskScope.VILLAGE:
        stmt = select(Household).where(live_in(task.village_id))
    else:
        stmt = select(Household).join(task_households, task_households.c.household_id == Household.id).where(
            task_households.c.task_id == task.id, Household.anonymised_at.is_(None))
    ids = list(reached)
    stmt = stmt.where(Household.id.in_(ids) if show == "reached" else Household.id.not_in(ids))
    for word in search_key(q).split()[:5]:
        stmt = stmt.where(Household.search_key.contains(word, autoescape=True))
    stmt = stmt.order_by(Household.search_key, Household.id)
    return db.paginate(stmt, page=page, per_page=HOUSEHOLDS_PER_PAGE, error_out=False)


def linked_logs(task: Task, user: User, *, limit: int = 20) -> list[HelpLog]:
    """The latest logs made for the task that ``user`` may read (a volunteer: their own)."""
    return list(db.session.scalars(
        select(HelpLog).where(HelpLog.task_id == task.id, helplog_filter(user))
        .options(selectinload(HelpLog.household), selectinload(HelpLog.services), selectinload(HelpLog.author))
        .order_by(HelpLog.received_at.desc(), HelpLog.id.desc()).limit(limit)
    ))
