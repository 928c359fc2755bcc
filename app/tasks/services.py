"""Tasks: setting them, changing them, claiming and releasing, closing and cancelling.

Every change carries the version its author saw; a task that changed since answers Stale
and is left as it is. A claim is one conditional UPDATE, so of two volunteers claiming at
once exactly one gets the task. Each service is its own unit of work and commits.
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from app.access import can, team_ids
from app.accounts.models import User
from app.areas.models import Area, AreaKind
from app.audit.services import record
from app.catalog.models import Service
from app.core.db import local_today, utcnow
from app.core.domain import RuleError
from app.core.privacy import privacy_problem
from app.core.text import clean_text
from app.core.versioning import Stale, claim, claim_version
from app.extensions import db
from app.households.models import Household
from app.tasks.models import NOTE_MAX, Task, TaskScope, TaskStatus, task_households
from app.tasks.queries import live_in, reached_since, scope_size
from app.teams.models import Membership, Team, team_villages

MAX_DAYS_AHEAD = 366


class TaskError(RuleError):
    """A refused task change (see RuleError)."""


class Choose:
    """How a new task's households are chosen."""

    VILLAGE = "village"  # every household of the village
    UNREACHED = "unreached"  # those not yet reached for the task's services
    LISTED = "listed"  # the ones the leader ticked

    ALL = (VILLAGE, UNREACHED, LISTED)


@dataclass
class TaskInput:
    service_ids: list[int]
    due_on: date | None
    target_count: int | None = None
    assignee_id: int | None = None  # None: open to a claim
    note: str | None = None
    team_id: int | None = None
    village_id: int | None = None
    choose: str = Choose.VILLAGE
    household_ids: list[int] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)


def _services(data: TaskInput) -> list[Service]:
    services = list(db.session.scalars(
        select(Service).where(Service.id.in_(data.service_ids), Service.is_active).order_by(Service.sort_order)
    )) if data.service_ids else []
    if not services or len(services) != len(set(data.service_ids)):
        raise TaskError(_l("Choose at least one kind of help."), "service_ids")
    return services


def _check_common(team: Team, data: TaskInput, today: date, *, due_changed: bool = True) -> None:
    """The rules a new task and a changed one share: services, due date, assignee, note."""
    data.services = _services(data)
    if data.due_on is None:
        raise TaskError(_l("Enter the due date."), "due_on")
    if due_changed and data.due_on < today:
        raise TaskError(_l("The due date cannot be in the past."), "due_on")
    if (data.due_on - today).days > MAX_DAYS_AHEAD:
        raise TaskError(_l("The due date must be within a year."), "due_on")
    if data.assignee_id is not None:
        member = db.session.scalar(
            select(User.id).join(Membership)
            .where(Membership.team_id == team.id, User.id == data.assignee_id, User.is_active)
        )
        if member is None:
            raise TaskError(_l("Choose a member of the team, or leave the task open."), "assignee_id")
    data.note = clean_text(data.note) or None
    if data.note and len(data.note) > NOTE_MAX:
        raise TaskError(_l("At most %(max)d characters.", max=NOTE_MAX), "note")
    problem = privacy_problem(data.note)
    if problem:
        raise TaskError(problem, "note")


def _check_target(data: TaskInput, size: int) -> int:
    target = size if data.target_count is None else data.target_count
    if target < 1:
        raise TaskError(_l("The target must be at least one household."), "target_count")
    if target > size:
        raise TaskError(_l("The target cannot be more than the %(num)d households of the task.", num=size),
                        "target_count")
    return target


def leads(user: User, team: Team) -> bool:
    """A leader of the team, or an administrator whose home area holds it."""
    return can(user, "manage", team)


def create_task(leader: User, data: TaskInput, *, today: date | None = None) -> Task:
    """Set a task for one of the leader's teams. Raises TaskError; nothing is saved then."""
    today = today or local_today()
    team = db.session.get(Team, data.team_id) if data.team_id else None
    if team is None or not team.is_active or not leads(leader, team):
        raise TaskError(_l("Choose one of the teams you lead."), "team_id")
    village = db.session.scalar(
        select(Area).join(team_villages, team_villages.c.village_id == Area.id)
        .where(team_villages.c.team_id == team.id, Area.id == (data.village_id or 0),
               Area.kind == AreaKind.VILLAGE, Area.is_active)
    )
    if village is None:
        raise TaskError(_l("Choose one of the team's villages."), "village_id")
    _check_common(team, data, today)
    if data.choose not in Choose.ALL:
        raise TaskError(_l("Choose which households the task is for."), "choose")
    household_ids: list[int] = []
    live = set(db.session.scalars(select(Household.id).where(live_in(village.id))))
    if data.choose == Choose.VILLAGE:
        if not live:
            raise TaskError(_l("This village has no registered households yet."), "choose")
    elif data.choose == Choose.UNREACHED:
        household_ids = sorted(live - reached_since(village.id, [s.id for s in data.services]))
        if not household_ids:
            raise TaskError(_l("Every household of this village was already reached for this help."), "choose")
    else:
        household_ids = sorted(set(data.household_ids))
        if not household_ids:
            raise TaskError(_l("Tick the households the task is for."), "household_ids")
        if not set(household_ids) <= live:
            raise TaskError(_l("Some of the households are not in this village of the team. Choose again."),
                            "household_ids")
    size = len(household_ids) if household_ids else len(live)
    target = _check_target(data, size)
    task = Task(
        team=team, village=village, scope=TaskScope.VILLAGE if data.choose == Choose.VILLAGE else TaskScope.HOUSEHOLDS,
        target_count=target, starts_on=today, due_on=data.due_on, is_open=data.assignee_id is None,
        assignee_id=data.assignee_id, note=data.note, services=data.services, created_by=leader,
    )
    db.session.add(task)
    db.session.flush()
    if household_ids:
        db.session.execute(insert(task_households), [{"task_id": task.id, "household_id": h} for h in household_ids])
    record(leader, "task.created", task, {
        "team_id": team.id, "village_id": village.id, "choose": data.choose, "households": size,
        "services": [s.code for s in data.services], "target_count": target, "due_on": data.due_on.isoformat(),
        "assignee_id": data.assignee_id,
    })
    db.session.commit()
    return task


def update_task(leader: User, task: Task, data: TaskInput, *, version: int | None,
                today: date | None = None) -> Task:
    """Change an active task's help, target, due date, assignee or note."""
    today = today or local_today()
    if version != task.version:
        raise Stale(task)
    if not task.is_active:
        raise TaskError(_l("This task has ended and can no longer be changed."))
    if not task.team.is_active:
        raise TaskError(_l("The team of this task is deactivated: reactivate it first."))
    _check_common(task.team, data, today, due_changed=data.due_on != task.due_on)
    target = _check_target(data, scope_size(task))
    # An open task keeps its claim (and the holder may still give it back) unless the
    # leader chooses someone else.
    keeps_claim = task.is_open and data.assignee_id == task.assignee_id
    new_values = {"target_count": target, "due_on": data.due_on, "note": data.note,
                  "assignee_id": data.assignee_id, "is_open": data.assignee_id is None or keeps_claim}
    changes = {}
    for name, value in new_values.items():
        old = getattr(task, name)
        if old != value:
            changes[name] = [old.isoformat() if isinstance(old, date) else old,
                             value.isoformat() if isinstance(value, date) else value]
    old_codes = [s.code for s in task.services]
    new_codes = [s.code for s in data.services]
    if old_codes != new_codes:
        changes["services"] = [old_codes, new_codes]
    if not changes:
        return task
    claim_version(task, version, Task.status == TaskStatus.ACTIVE)
    for name, value in new_values.items():
        setattr(task, name, value)
    task.services = data.services
    task.updated_at = utcnow()
    record(leader, "task.updated", task, changes)
    db.session.commit()
    return task


def end_task(leader: User, task: Task, status: TaskStatus, *, version: int | None) -> Task:
    """Close (the work is done) or cancel (it is no longer wanted) an active task."""
    claim_version(task, version, Task.status == TaskStatus.ACTIVE)
    task.status, task.ended_at, task.updated_at = status, utcnow(), utcnow()
    record(leader, "task.closed" if status == TaskStatus.CLOSED else "task.cancelled", task)
    db.session.commit()
    return task


def claim_task(user: User, task: Task) -> Task:
    """Take an open task nobody holds. Raises Stale when someone claimed it first, or it
    ended; TaskError when the user is not in its team."""
    member = db.session.scalar(select(Team.id).where(Team.id == task.team_id, Team.id.in_(team_ids(user))))
    if member is None:
        raise TaskError(_l("Only the team's members can take this task."), status=403)
    claim(task, Task.status == TaskStatus.ACTIVE, Task.is_open, Task.assignee_id.is_(None),
          assignee_id=user.id, updated_at=utcnow())
    record(user, "task.claimed", task)
    db.session.commit()
    db.session.expire(task, ["assignee"])  # loaded again for the answer
    return task


def release_task(user: User, task: Task) -> Task:
    """Give a claimed task back: its holder, or a leader of the team, may."""
    if not task.is_open:
        raise TaskError(_l("The leader gave this task to its volunteer; ask the leader to change who does it."),
                        status=409)
    if task.assignee_id is None:
        raise TaskError(_l("Nobody has taken this task, so there is nothing to give back."), status=409)
    if task.assignee_id != user.id and not leads(user, task.team):
        raise TaskError(_l("Only the volunteer who took this task, or a leader, can give it back."), status=403)
    holder = task.assignee_id
    claim(task, Task.status == TaskStatus.ACTIVE, Task.assignee_id == holder, assignee_id=None, updated_at=utcnow())
    record(user, "task.released", task, {"assignee_id": holder})
    db.session.commit()
    db.session.expire(task, ["assignee"])  # loaded again for the answer
    return task
