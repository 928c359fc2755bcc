"""Server time and SQL statements of the task pages on the seed-bench data: a leader's task
list, a volunteer's Today, the biggest task, and the new-task form listing a whole village.

    .venv/bin/python bench/task_pages.py [--scale 1.0] [--requests 50]

Builds the seed-bench data (households, ~1,000,000 logs and ~2,400 tasks at scale 1) once in
bench/out/tasks-<scale>.sqlite (or the empty PostgreSQL database named by BENCH_DATABASE_URL)
and reuses it. Picks the leader whose team has the most active tasks and the volunteer with the
most tasks on their Today screen, then times through the Flask test client (signed in, template
rendering included), after 5 warm-up requests: GET /tasks as the leader, GET / as the
volunteer, GET /tasks/<id> of the leader's biggest active task, and the htmx redraw POST
/tasks/new (refresh=1, choose=listed) for the leader's biggest village.
Prints ``BENCH <metric>_<p50|p95|statements>_<db> <value> <ms|statements>`` lines.
"""

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import count_statements, databases, percentiles, prepare, report, signed_in, timed  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from app.access import team_ids  # noqa: E402
from app.accounts.models import Role, User  # noqa: E402
from app.accounts.sessions import open_session  # noqa: E402
from app.extensions import db  # noqa: E402
from app.helplogs.models import HelpLog, LogStatus  # noqa: E402
from app.households.models import Household  # noqa: E402
from app.tasks.models import Task, TaskStatus, task_services  # noqa: E402
from app.tasks.queries import scope_size  # noqa: E402
from app.teams.models import MemberRole, Membership, team_villages  # noqa: E402


def pick_leader() -> tuple[User, int, int]:
    """The leader whose team has the most active tasks, with that count and their pending logs."""
    team_id, active = db.session.execute(
        select(Task.team_id, func.count()).where(Task.status == TaskStatus.ACTIVE)
        .where(Task.team_id.in_(select(Membership.team_id).join(User, User.id == Membership.user_id)
                                .where(Membership.role == MemberRole.LEADER, User.role == Role.LEADER)))
        .group_by(Task.team_id).order_by(func.count().desc(), Task.team_id).limit(1)
    ).one()
    leader = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.team_id == team_id, Membership.role == MemberRole.LEADER, User.role == Role.LEADER).limit(1))
    pending = db.session.scalar(select(func.count()).select_from(HelpLog).where(
        HelpLog.team_id.in_(team_ids(leader, leading=True)), HelpLog.status == LogStatus.SUBMITTED))
    return leader, active, pending


def pick_volunteer() -> tuple[User, int]:
    """The volunteer with the most tasks on Today: theirs, and their teams' unclaimed open ones."""
    active = Task.status == TaskStatus.ACTIVE
    tasks = Counter(dict(db.session.execute(
        select(Task.assignee_id, func.count()).where(active, Task.assignee_id.is_not(None)).group_by(Task.assignee_id))
        .all()))
    unclaimed = dict(db.session.execute(
        select(Task.team_id, func.count()).where(active, Task.is_open, Task.assignee_id.is_(None))
        .group_by(Task.team_id)).all())
    for user_id, team_id in db.session.execute(
        select(Membership.user_id, Membership.team_id).join(User, User.id == Membership.user_id)
        .where(User.role == Role.VOLUNTEER)
    ):
        tasks[user_id] += unclaimed.get(team_id, 0)
    volunteers = set(db.session.scalars(select(User.id).where(User.role == Role.VOLUNTEER)))
    user_id, count = max(((u, n) for u, n in tasks.items() if u in volunteers), key=lambda pair: (pair[1], -pair[0]))
    return db.session.get(User, user_id), count


def biggest_task(leader: User) -> tuple[Task, int]:
    tasks = db.session.scalars(select(Task).where(Task.team_id.in_(team_ids(leader, leading=True)),
                                                  Task.status == TaskStatus.ACTIVE))
    return max(((task, scope_size(task)) for task in tasks), key=lambda pair: (pair[1], -pair[0].id))


def biggest_village(leader: User) -> tuple[int, int, int, list[int]]:
    """The team and village of the leader's with the most households, and the services its
    active tasks share most (so that the redraw marks households other tasks cover)."""
    team_id, village_id, size = db.session.execute(
        select(team_villages.c.team_id, team_villages.c.village_id, func.count(Household.id))
        .join(Household, Household.village_id == team_villages.c.village_id)
        .where(team_villages.c.team_id.in_(team_ids(leader, leading=True)))
        .group_by(team_villages.c.team_id, team_villages.c.village_id)
        .order_by(func.count(Household.id).desc(), team_villages.c.village_id).limit(1)
    ).one()
    service_ids = list(db.session.scalars(
        select(task_services.c.service_id).join(Task, Task.id == task_services.c.task_id)
        .where(Task.village_id == village_id, Task.status == TaskStatus.ACTIVE)
        .group_by(task_services.c.service_id).order_by(func.count().desc(), task_services.c.service_id).limit(2)
    ))
    if not service_ids:
        service_ids = list(db.session.scalars(select(task_services.c.service_id).limit(1)))
    return team_id, village_id, size, service_ids


def measure(app, label: str, request, requests: int, extra: str) -> None:
    """Time ``request()`` after 5 warm-ups, then count the statements of one more."""
    samples = []
    for n in range(requests + 5):
        elapsed = timed(request)
        if n >= 5:
            samples.append(elapsed)
    with app.app_context(), count_statements() as statements:
        response = request()
    assert response.status_code == 200, (label, response.status_code)
    p50, p95 = percentiles(samples)
    print(f"# {label}: {extra}", flush=True)
    db_name = extra.split()[0].removeprefix("db=")
    report(f"{label}_p50_{db_name}", p50, "ms")
    report(f"{label}_p95_{db_name}", p95, "ms")
    report(f"{label}_statements_{db_name}", len(statements), "statements")


def bench(name: str, url: str, scale: float, requests: int) -> None:
    started = time.perf_counter()
    app = prepare(url, scale)
    with app.app_context():
        tasks = db.session.scalar(select(func.count()).select_from(Task))
        leader, active, pending = pick_leader()
        volunteer, today_count = pick_volunteer()
        task, task_size = biggest_task(leader)
        team_id, village_id, village_size, service_ids = biggest_village(leader)
        leader_id, volunteer_id, task_id = open_session(leader), open_session(volunteer), task.id
        db.session.commit()
        print(f"# {name}: {tasks:,} tasks; leader {leader.username} with {active} active tasks and {pending} "
              f"pending logs; volunteer {volunteer.username} with {today_count} tasks; task {task_id} of "
              f"{task_size} households; village {village_id} of {village_size} households; "
              f"ready in {time.perf_counter() - started:.1f} s", flush=True)
    extra = f"db={name} scale={scale:g} tasks={tasks}"
    as_leader, as_volunteer = signed_in(app, leader_id), signed_in(app, volunteer_id)
    redraw = {"refresh": "1", "team_id": team_id, "village_id": village_id, "choose": "listed",
              "service_ids": service_ids, "due_on": ""}
    pages = (
        ("task_list", lambda: as_leader.get("/tasks"), f"active={active}"),
        ("today_volunteer", lambda: as_volunteer.get("/"), f"tasks_today={today_count}"),
        ("task_show_biggest", lambda: as_leader.get(f"/tasks/{task_id}"), f"households={task_size}"),
        ("task_new_listed_redraw", lambda: as_leader.post("/tasks/new", data=redraw, headers={"HX-Request": "true"}),
         f"households={village_size}"),
    )
    for label, request, more in pages:
        measure(app, label, request, requests, f"{extra} {more}")
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    for name, url in databases("tasks", args.scale, args.skip_sqlite):
        bench(name, url, args.scale, args.requests)


if __name__ == "__main__":
    main()
