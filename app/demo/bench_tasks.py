"""Tasks for the bench data: four to twelve per team, ~2,400 at ``scale=1``.

Most tasks are active, due from ten days ago (overdue) to a month ahead; some were closed or
cancelled during the year. A third list 20–150 households of their village, the rest cover the
whole village. Some 60% are assigned, the rest open to a claim, a few of those claimed. About
30% of the logs that fit an active task are linked to it, by one set-based UPDATE. Ids are set
here, as for the logs, so that tasks, their services and households go in by bulk statements.
"""

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, text, update

from app.catalog.models import Service
from app.core.db import local_today
from app.demo.bulk import bulk_write
from app.extensions import db
from app.helplogs.models import HelpLog, help_log_services
from app.households.models import Household
from app.tasks.models import Task, TaskScope, TaskStatus, task_households, task_services
from app.teams.models import MemberRole, Membership

TASK_COLUMNS = ["id", "team_id", "village_id", "scope", "target_count", "starts_on", "due_on", "is_open",
                "assignee_id", "note", "status", "version", "created_by_id", "created_at", "updated_at",
                "ended_at"]
NOTES = ["Ưu tiên hộ có người cao tuổi.", "Đi cùng trưởng thôn vào buổi tối.",
         "Mang theo tờ hướng dẫn cài đặt.", "Hẹn lại các hộ vắng nhà vào cuối tuần."]
LINKED_PER_TEN = 3  # of the logs that fit an active task, this many in ten are linked to it


def _teams(world) -> tuple[dict[int, list[int]], dict[int, int]]:
    """Team id -> its volunteers' ids, and team id -> its leader's id, for this batch's teams."""
    volunteers: dict[int, list[int]] = {}
    leaders: dict[int, int] = {}
    for team_id, user_id, role in db.session.execute(
        select(Membership.team_id, Membership.user_id, Membership.role)
        .where(Membership.team_id.in_(list(world.team_villages)))
    ):
        if role == MemberRole.LEADER:
            leaders.setdefault(team_id, user_id)
        else:
            volunteers.setdefault(team_id, []).append(user_id)
    return volunteers, leaders


def _households_by_village(village_ids: list[int]) -> dict[int, list[int]]:
    households: dict[int, list[int]] = {}
    for household_id, village_id in db.session.execute(
        select(Household.id, Household.village_id).where(Household.village_id.in_(village_ids))
    ):
        households.setdefault(village_id, []).append(household_id)
    return households


def _dates(rng, today, status: str):
    """starts_on, due_on and ended_at: active tasks began in the last 60 days; ended ones
    during the year, cancelled ones before their due date."""
    if status == TaskStatus.ACTIVE:
        due_on = today + timedelta(days=rng.randint(-10, 30))
        starts_on = min(today - timedelta(days=rng.randint(0, 60)), due_on - timedelta(days=7))
        return starts_on, due_on, None
    starts_on = today - timedelta(days=rng.randint(45, 330))
    due_on = starts_on + timedelta(days=rng.randint(7, 45))
    worked = timedelta(days=rng.randint(1, (due_on - starts_on).days))
    last = due_on if status == TaskStatus.CLOSED else starts_on + worked
    ended_on = min(max(last + timedelta(days=rng.randint(-3, 5)), starts_on), today - timedelta(days=1))
    return starts_on, due_on, datetime.combine(ended_on, datetime.min.time(), UTC) + timedelta(hours=rng.uniform(1, 11))


def task_rows(world, service_ids: list[int], first_id: int):
    """(task rows, service rows, household rows) for every team of the batch."""
    rng, today = world.rng, local_today()
    volunteers, leaders = _teams(world)
    households = _households_by_village(sorted({v for vs in world.team_villages.values() for v in vs}))
    tasks, services, listed = [], [], []
    for team_id, village_ids in world.team_villages.items():
        villages = [v for v in village_ids if households.get(v)]
        creator = leaders.get(team_id)
        if not villages or creator is None or not service_ids:
            continue
        members = volunteers.get(team_id) or [creator]
        for _ in range(rng.randint(4, 12)):
            task_id = first_id + len(tasks)
            village = rng.choice(villages)
            roll = rng.random()
            status = TaskStatus.ACTIVE if roll < 0.7 else TaskStatus.CLOSED if roll < 0.9 else TaskStatus.CANCELLED
            starts_on, due_on, ended_at = _dates(rng, today, status)
            scope = TaskScope.HOUSEHOLDS if rng.random() < 1 / 3 else TaskScope.VILLAGE
            if scope == TaskScope.HOUSEHOLDS:
                chosen = rng.sample(households[village], min(rng.randint(20, 150), len(households[village])))
                listed += [{"task_id": task_id, "household_id": h} for h in chosen]
                size = len(chosen)
            else:
                size = len(households[village])
            assigned, roll = rng.random() < 0.6, rng.random()
            claimed = not assigned and roll < 0.35
            created_at = datetime.combine(starts_on, datetime.min.time(), UTC) + timedelta(hours=rng.uniform(1, 11))
            tasks.append({
                "id": task_id, "team_id": team_id, "village_id": village, "scope": str(scope),
                "target_count": rng.randint(math.ceil(0.3 * size), size), "starts_on": starts_on,
                "due_on": due_on, "is_open": not assigned,
                "assignee_id": rng.choice(members) if assigned or claimed else None,
                "note": rng.choice(NOTES) if rng.random() < 0.3 else None, "status": str(status),
                "version": 1 + (claimed or ended_at is not None), "created_by_id": creator,
                "created_at": created_at, "updated_at": ended_at or created_at, "ended_at": ended_at,
            })
            services += [{"task_id": task_id, "service_id": s} for s in rng.sample(service_ids, rng.choice((1, 1, 2)))]
    return tasks, services, listed


def link_logs(first_id: int) -> int:
    """Link about three in ten of the logs that fit an active task of this batch (its team,
    village and services, a target household, helped on or after the start) to that task; a log
    that fits two tasks goes to the older one. One UPDATE ... FROM on both databases."""
    listed = exists().where(task_households.c.task_id == Task.id,
                            task_households.c.household_id == HelpLog.household_id)
    fitting = (
        select(HelpLog.id.label("log_id"), func.min(Task.id).label("task_id"))
        .join(Task, and_(Task.team_id == HelpLog.team_id, Task.village_id == HelpLog.village_id,
                         HelpLog.helped_on >= Task.starts_on))
        .join(task_services, task_services.c.task_id == Task.id)
        .join(help_log_services, and_(help_log_services.c.log_id == HelpLog.id,
                                      help_log_services.c.service_id == task_services.c.service_id))
        .where(Task.id >= first_id, Task.status == TaskStatus.ACTIVE, HelpLog.task_id.is_(None),
               HelpLog.id % 10 < LINKED_PER_TEN, or_(Task.scope == TaskScope.VILLAGE, listed))
        .group_by(HelpLog.id)
        .subquery()
    )
    return db.session.execute(
        update(HelpLog).where(HelpLog.id == fitting.c.log_id).values(task_id=fitting.c.task_id)
        .execution_options(synchronize_session=False)
    ).rowcount


def seed_tasks(world) -> None:
    """The bench step: tasks by COPY on PostgreSQL and executemany on SQLite, then the links."""
    service_ids = list(db.session.scalars(select(Service.id).where(Service.is_active).order_by(Service.id)))
    first_id = (db.session.scalar(select(func.max(Task.id))) or 0) + 1
    tasks, services, listed = task_rows(world, service_ids, first_id)
    world.counts["tasks"] = bulk_write(Task.__table__, TASK_COLUMNS, [tasks])
    world.counts["task_services"] = bulk_write(task_services, ["task_id", "service_id"], [services])
    world.counts["task_households"] = bulk_write(task_households, ["task_id", "household_id"], [listed])
    if db.engine.dialect.name == "postgresql" and tasks:
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('tasks', 'id'), max(id)) FROM tasks"))
        # Without statistics on the rows just written, the planner joins a million logs in
        # nested loops: a minute instead of seconds.
        db.session.execute(text("ANALYZE help_logs, help_log_services, tasks, task_services, task_households"))
    world.counts["task_logs"] = link_logs(first_id) if tasks else 0
