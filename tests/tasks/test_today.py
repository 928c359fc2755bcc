"""The volunteer's side of tasks: Today lists their tasks and the team's overdue ones, and a log
made for a task links to it (while it runs, in its village) and moves its progress."""

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.db import local_today
from app.helplogs.models import HelpLog
from app.tasks.models import TaskStatus
from app.tasks.queries import progress
from app.tasks.services import end_task
from tests.conftest import make_task, sign_in
from tests.tasks.conftest import approved, households_of


def test_today_lists_my_tasks_and_open_ones_by_due_date(client, world, services, village, db):
    later = make_task(world["team_a"], village, [services["DVC"]], leader=world["leader"],
                      assignee=world["volunteer"], days=20, target=2)
    overdue = make_task(world["team_a"], village, [services["ATTT"]], leader=world["leader"],
                        assignee=world["volunteer"], days=-1, starts_on=local_today() - timedelta(days=10))
    someone_elses = make_task(world["team_a"], village, [services["KNS"]], leader=world["leader"],
                              assignee=world["leader"], days=2)
    approved(world, households_of(db, village)[1], service=services["DVC"])
    sign_in(client, world["volunteer"])
    html = client.get("/").get_data(as_text=True)
    links = re.findall(r'href="/tasks/(\d+)"', html)
    assert links == [str(overdue.id), str(later.id), str(world["task_a"].id)]  # given to me, then open ones
    assert str(someone_elses.id) not in links
    assert "Quá hạn" in html and "1 / 2 hộ" in html


def test_today_leaves_out_tasks_of_a_team_the_volunteer_left(client, world, services, db):
    from app.teams.models import Membership
    task = make_task(world["team_a"], world["village_a1"], [services["DVC"]], leader=world["leader"],
                     assignee=world["volunteer"])
    sign_in(client, world["volunteer"])
    assert f'href="/tasks/{task.id}"' in client.get("/").get_data(as_text=True)
    db.session.execute(Membership.__table__.delete().where(Membership.user_id == world["volunteer"].id))
    db.session.commit()
    assert f'href="/tasks/{task.id}"' not in client.get("/").get_data(as_text=True)
    assert client.get(f"/tasks/{task.id}").status_code == 404


def test_a_leaders_today_points_to_the_teams_overdue_tasks(client, world, services, db):
    overdue = make_task(world["team_a"], world["village_a1"], [services["DVC"]], leader=world["leader"],
                        assignee=world["volunteer"], days=-2)
    sign_in(client, world["leader"])
    html = client.get("/").get_data(as_text=True)
    assert "1 nhiệm vụ của tổ đã quá hạn" in html and 'href="/tasks?who=overdue"' in html
    listed = client.get("/tasks?who=overdue").get_data(as_text=True)
    assert f'href="/tasks/{overdue.id}"' in listed and f'href="/tasks/{world["task_a"].id}"' not in listed
    sign_in(client, world["volunteer"])
    assert "đã quá hạn ›" not in client.get("/").get_data(as_text=True)


def test_a_log_made_for_the_task_links_to_it_and_moves_progress(client, world, services, village, db):
    from app.helplogs.services import LogInput, submit_log
    task = world["task_a"]
    sign_in(client, world["volunteer"])
    form = client.get(f"/logs/new?task_id={task.id}&household_id={world['household_a'].id}").get_data(as_text=True)
    assert f'name="task_id" value="{task.id}"' in form
    assert re.search(rf'value="{services["VNEID"].id}"\s+checked|checked[^>]*value="{services["VNEID"].id}"', form)
    response = client.post("/logs/new", data={
        "client_uuid": str(uuid.uuid4()), "task_id": task.id, "village_id": village.id, "mode": "existing",
        "household_id": world["household_a"].id, "service_ids": [services["VNEID"].id], "outcome": "done",
        "people_count": "1", "helped_on": local_today().isoformat(), "note": ""})
    assert response.status_code == 303
    log = db.session.scalar(select(HelpLog).where(HelpLog.task_id == task.id))
    assert log is not None and progress([task.id]) == {}
    from app.reviews.services import approve_log
    approve_log(world["leader"], log, version=1)
    assert progress([task.id]) == {task.id: 1}
    # The same task from another village of the team is refused, by the task rule.
    from app.helplogs.services import LogError
    world["team_a"].villages.append(world["village_a2"])
    db.session.commit()
    with pytest.raises(LogError) as error:
        submit_log(world["volunteer"], str(uuid.uuid4()), LogInput(
            village_id=world["village_a2"].id, service_ids=[services["VNEID"].id], helped_on=local_today(),
            household_id=None, task_id=task.id))
    assert error.value.field == "task_id"


def test_a_log_for_a_task_of_another_village_is_refused_with_a_message(client, world, services, db):
    world["team_a"].villages.append(world["village_a2"])
    db.session.commit()
    sign_in(client, world["volunteer"])
    response = client.post("/logs/new", data={
        "client_uuid": str(uuid.uuid4()), "task_id": world["task_a"].id, "village_id": world["village_a2"].id,
        "mode": "group", "service_ids": [services["VNEID"].id], "outcome": "done", "people_count": "12",
        "helped_on": local_today().isoformat(), "note": ""})
    assert response.status_code == 400
    assert "nhiệm vụ dành cho thôn khác" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(HelpLog)) == 1


def test_an_ended_task_is_not_offered_and_a_late_log_is_saved_without_it(client, world, services, db):
    task = end_task(world["leader"], world["task_a"], TaskStatus.CANCELLED, version=1)
    sign_in(client, world["volunteer"])
    form = client.get(f"/logs/new?task_id={task.id}").get_data(as_text=True)
    assert 'name="task_id" value=' not in form
    response = client.post("/logs/new", data={
        "client_uuid": str(uuid.uuid4()), "task_id": task.id, "village_id": world["village_a1"].id,
        "mode": "existing", "household_id": world["household_a"].id, "service_ids": [services["VNEID"].id],
        "outcome": "done", "people_count": "1", "helped_on": local_today().isoformat(), "note": ""})
    assert response.status_code == 303
    log = db.session.scalar(select(HelpLog).order_by(HelpLog.id.desc()).limit(1))
    assert log.task_id is None
