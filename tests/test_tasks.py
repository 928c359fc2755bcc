"""Tasks: setting them (village, not yet reached, chosen households), the rules, progress from
approved logs, claiming and releasing, changing and ending, the pages and the Today screen."""

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.core.db import local_today
from app.core.versioning import Stale
from app.helplogs.models import HelpLog, LogStatus
from app.tasks.models import Task, TaskScope, TaskStatus
from app.tasks.queries import other_tasks_covering, progress
from app.tasks.services import (
    Choose,
    TaskError,
    TaskInput,
    claim_task,
    create_task,
    end_task,
    release_task,
    update_task,
)
from tests.conftest import count_queries, make_household, make_log, make_task, make_user, sign_in


@pytest.fixture()
def village(db, world):
    """Village A1 with four households (household_a and three more)."""
    for name in ("Lê Thị Hoa", "Phạm Văn Tuấn", "Hồ Thị Mai"):
        make_household(world["village_a1"], name)
    return world["village_a1"]


def households_of(db, village):
    from app.households.models import Household
    return list(db.session.scalars(select(Household).where(Household.village_id == village.id).order_by(Household.id)))


def task_input(world, services, **fields) -> TaskInput:
    values = dict(team_id=world["team_a"].id, village_id=world["village_a1"].id,
                  service_ids=[services["VNEID"].id], due_on=local_today() + timedelta(days=7))
    values.update(fields)
    return TaskInput(**values)


def approved(world, household, *, service=None, days_ago=0, **fields):
    log = make_log(world["volunteer"], world["team_a"], household, status=LogStatus.APPROVED,
                   helped_on=local_today() - timedelta(days=days_ago), **fields)
    if service is not None:
        log.services = [service]
        from app.extensions import db
        db.session.commit()
    return log


def count_tasks(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Task))


# Setting a task -------------------------------------------------------------------------

def test_a_village_task_defaults_its_target_to_every_household(db, world, services, village):
    task = create_task(world["leader"], task_input(world, services, assignee_id=world["volunteer"].id))
    assert task.scope == TaskScope.VILLAGE and task.target_count == 4 and task.starts_on == local_today()
    assert task.assignee_id == world["volunteer"].id and not task.is_open and task.status == TaskStatus.ACTIVE
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "task.created"))
    assert event.object_id == task.id and event.changes["services"] == ["VNEID"] and event.changes["households"] == 4


def test_not_yet_reached_leaves_out_households_with_approved_help(db, world, services, village):
    reached, *rest = households_of(db, village)
    approved(world, reached, days_ago=40)  # long before: still reached for this help
    make_log(world["volunteer"], world["team_a"], rest[0])  # only submitted: not reached
    task = create_task(world["leader"], task_input(world, services, choose=Choose.UNREACHED, target_count=2))
    assert task.scope == TaskScope.HOUSEHOLDS and task.is_open
    assert {h.id for h in task.households} == {h.id for h in rest}


def test_not_yet_reached_refuses_when_everyone_is_reached(db, world, services):
    approved(world, world["household_a"])
    with pytest.raises(TaskError) as error:
        create_task(world["leader"], task_input(world, services, choose=Choose.UNREACHED))
    assert error.value.field == "choose"


def test_chosen_households_must_be_of_the_village(db, world, services, village):
    before = count_tasks(db)
    with pytest.raises(TaskError) as error:
        create_task(world["leader"], task_input(
            world, services, choose=Choose.LISTED,
            household_ids=[world["household_a"].id, world["household_b"].id]))
    assert error.value.field == "household_ids" and "không thuộc thôn này" in str(error.value.message)
    db.session.rollback()
    assert count_tasks(db) == before


@pytest.mark.parametrize("fields, field", [
    ({"due_on": local_today() - timedelta(days=1)}, "due_on"),
    ({"due_on": None}, "due_on"),
    ({"target_count": 0}, "target_count"),
    ({"target_count": 5}, "target_count"),  # the village has 4
    ({"service_ids": []}, "service_ids"),
    ({"service_ids": [999_999]}, "service_ids"),
    ({"note": "OTP 123456 cho anh"}, "note"),
])
def test_bad_task_input_is_refused_with_its_field(db, world, services, village, fields, field):
    before = count_tasks(db)
    with pytest.raises(TaskError) as error:
        create_task(world["leader"], task_input(world, services, **fields))
    assert error.value.field == field
    db.session.rollback()
    assert count_tasks(db) == before


def test_target_cannot_exceed_the_chosen_households(db, world, services, village):
    chosen = [h.id for h in households_of(db, village)[:2]]
    with pytest.raises(TaskError) as error:
        create_task(world["leader"], task_input(world, services, choose=Choose.LISTED, household_ids=chosen,
                                                target_count=3))
    assert error.value.field == "target_count" and "2" in str(error.value.message)


def test_only_a_leader_of_the_team_sets_its_tasks(db, world, services):
    other_leader = make_user("leader_b")
    from app.teams.models import MemberRole, Membership
    db.session.add(Membership(team=world["team_b"], user=other_leader, role=MemberRole.LEADER))
    db.session.commit()
    with pytest.raises(TaskError) as error:
        create_task(other_leader, task_input(world, services))
    assert error.value.field == "team_id"
    with pytest.raises(TaskError) as error:
        create_task(world["leader"], task_input(world, services, village_id=world["village_b1"].id))
    assert error.value.field == "village_id"


def test_the_assignee_must_be_in_the_team(db, world, services):
    with pytest.raises(TaskError) as error:
        create_task(world["leader"], task_input(world, services, assignee_id=world["outsider"].id))
    assert error.value.field == "assignee_id"


# Progress ----------------------------------------------------------------------------------

def test_progress_counts_distinct_target_households_with_approved_help_since_the_start(db, world, services, village):
    first, second, third, fourth = households_of(db, village)
    task = make_task(world["team_a"], village, [services["VNEID"], services["DVC"]], leader=world["leader"],
                     target=4, starts_on=local_today() - timedelta(days=5))
    approved(world, first)  # not linked: counts
    approved(world, first, service=services["DVC"])  # same household again: once
    approved(world, second, service=services["DVC"], task_id=task.id)  # linked: counts
    approved(world, third, days_ago=6)  # before the task began
    approved(world, fourth, service=services["ATTT"])  # another kind of help
    make_log(world["volunteer"], world["team_a"], fourth)  # submitted, not approved
    make_log(world["volunteer"], world["team_a"], None, status=LogStatus.APPROVED)  # a group session
    assert progress([task.id]) == {task.id: 2}


def test_progress_of_a_listed_task_counts_only_its_households(db, world, services, village):
    first, second, *_ = households_of(db, village)
    task = make_task(world["team_a"], village, [services["VNEID"]], leader=world["leader"], households=[first])
    approved(world, first)
    approved(world, second)
    assert progress([task.id, world["task_a"].id]) == {task.id: 1, world["task_a"].id: 2}


def test_households_covered_by_other_tasks_are_found(db, world, services, village):
    first, second, *_ = households_of(db, village)
    listed = make_task(world["team_a"], village, [services["DVC"]], leader=world["leader"], households=[first])
    covering = other_tasks_covering(village.id, [services["DVC"].id])
    assert covering["village"] == [] and [t.id for t in covering["households"][first.id]] == [listed.id]
    covering = other_tasks_covering(village.id, [services["VNEID"].id])
    assert [t.id for t in covering["village"]] == [world["task_a"].id] and covering["households"] == {}
    assert other_tasks_covering(village.id, [services["VNEID"].id], exclude_task_id=world["task_a"].id)["village"] == []


# Claiming, changing, ending ------------------------------------------------------------------

def test_an_open_task_is_claimed_once(db, world):
    second = make_user("second")
    from app.teams.models import Membership
    db.session.add(Membership(team=world["team_a"], user=second))
    db.session.commit()
    task = world["task_a"]
    claim_task(world["volunteer"], task)
    assert task.assignee_id == world["volunteer"].id and task.version == 2
    late = db.session.get(Task, task.id)
    db.session.expire(late)
    with pytest.raises(Stale) as error:
        claim_task(second, late)
    assert error.value.obj.assignee_id == world["volunteer"].id


def test_only_team_members_claim(db, world):
    with pytest.raises(TaskError) as error:
        claim_task(world["outsider"], world["task_a"])
    assert error.value.status == 403


def test_release_by_the_holder_or_a_leader_only(db, world):
    second = make_user("second")
    from app.teams.models import Membership
    db.session.add(Membership(team=world["team_a"], user=second))
    db.session.commit()
    task = claim_task(world["volunteer"], world["task_a"])
    with pytest.raises(TaskError):
        release_task(second, task)
    release_task(world["leader"], task)
    assert task.assignee_id is None and task.claimable
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "tasks")))
    assert actions == ["task.claimed", "task.released"]


def test_an_assigned_task_cannot_be_released(db, world, services):
    task = create_task(world["leader"], task_input(world, services, assignee_id=world["volunteer"].id))
    with pytest.raises(TaskError) as error:
        release_task(world["volunteer"], task)
    assert error.value.status == 409 and "hãy hỏi tổ trưởng" in str(error.value.message)


def test_update_changes_and_audits_only_what_changed(db, world, services, village):
    task = world["task_a"]
    data = task_input(world, services, service_ids=[services["VNEID"].id, services["DVC"].id], target_count=3,
                      assignee_id=world["volunteer"].id, due_on=task.due_on)
    update_task(world["leader"], task, data, version=1)
    assert task.version == 2 and task.target_count == 3 and task.assignee_id == world["volunteer"].id
    assert not task.is_open and [s.code for s in task.services] == ["VNEID", "DVC"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "task.updated"))
    assert set(event.changes) == {"services", "target_count", "assignee_id", "is_open"}


def test_update_with_an_old_version_is_stale(db, world, services):
    task = world["task_a"]
    claim_task(world["volunteer"], task)
    with pytest.raises(Stale):
        update_task(world["leader"], task, task_input(world, services, target_count=1), version=1)


def test_an_overdue_task_keeps_its_date_when_other_things_change(db, world, services):
    task = make_task(world["team_a"], world["village_a1"], [services["VNEID"]], leader=world["leader"], days=-3)
    update_task(world["leader"], task, task_input(world, services, due_on=task.due_on, note="Ưu tiên hộ già"),
                version=1)
    assert task.note == "Ưu tiên hộ già" and task.is_overdue(local_today())
    with pytest.raises(TaskError):
        update_task(world["leader"], task, task_input(world, services, due_on=task.due_on - timedelta(days=1)),
                    version=2)


def test_close_and_cancel_end_the_task(db, world):
    task = end_task(world["leader"], world["task_a"], TaskStatus.CLOSED, version=1)
    assert task.status == TaskStatus.CLOSED and task.ended_at is not None
    with pytest.raises(Stale):
        end_task(world["leader"], task, TaskStatus.CANCELLED, version=2)


# Pages ----------------------------------------------------------------------------------------

def new_task_form(world, services, **fields):
    data = {"team_id": world["team_a"].id, "village_id": world["village_a1"].id, "choose": "village",
            "service_ids": [services["DVC"].id], "due_on": (local_today() + timedelta(days=10)).isoformat(),
            "target_count": "", "assignee_id": world["volunteer"].id, "note": ""}
    data.update(fields)
    return data


def test_leader_sets_a_task_from_the_form(client, world, services, village):
    sign_in(client, world["leader"])
    page = client.get("/tasks/new")
    assert page.status_code == 200 and "Nhiệm vụ mới" in page.get_data(as_text=True)
    response = client.post("/tasks/new", data=new_task_form(world, services))
    assert response.status_code == 303
    task_id = int(response.headers["Location"].rsplit("/", 1)[1])
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Volunteer" in html and "0 / 4" in html


def test_the_form_under_htmx_redirects_and_redraws(client, world, services, village):
    sign_in(client, world["leader"])
    htmx = {"HX-Request": "true"}
    redrawn = client.post("/tasks/new", data=new_task_form(world, services, choose="listed", refresh="1"), headers=htmx)
    html = redrawn.get_data(as_text=True)
    assert redrawn.status_code == 200 and "<html" not in html
    assert html.count('name="household_ids"') == 4 and "Hồ Thị Mai" in html
    response = client.post("/tasks/new", data=new_task_form(world, services), headers=htmx)
    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith("/tasks/")


def test_the_household_list_marks_reached_and_covered_households(client, world, services, village, db):
    first, second, *_ = households_of(db, village)
    approved(world, first, service=services["DVC"])
    make_task(world["team_a"], village, [services["DVC"]], leader=world["leader"], households=[second],
              assignee=world["volunteer"])
    sign_in(client, world["leader"])
    html = client.post("/tasks/new", data=new_task_form(world, services, choose="listed", refresh="1"),
                       headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "đã được hỗ trợ nội dung này" in html and "Trong nhiệm vụ khác: Volunteer" in html
    assert "(3)" in html  # three not yet reached for this help


@pytest.mark.parametrize("fields, message", [
    ({"due_on": "2020-01-01"}, "Hạn không được ở quá khứ."),
    ({"target_count": "0"}, "Nhập số hộ, từ 1 trở lên."),
    ({"target_count": "9"}, "Chỉ tiêu không được nhiều hơn 4 hộ của nhiệm vụ."),
    ({"choose": "listed", "household_ids": []}, "Đánh dấu các hộ của nhiệm vụ."),
])
def test_bad_input_answers_400_with_the_message(client, world, services, village, db, fields, message):
    sign_in(client, world["leader"])
    before = count_tasks(db)
    response = client.post("/tasks/new", data=new_task_form(world, services, **fields))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count_tasks(db) == before


@pytest.mark.parametrize("field, value, message", [
    ("team_id", "team_b", "Chọn một tổ mà bạn phụ trách."),
    ("village_id", "village_b1", "Chọn một thôn của tổ."),
])
def test_another_teams_team_or_village_is_refused_not_replaced(client, world, services, db, field, value, message):
    sign_in(client, world["leader"])
    before = count_tasks(db)
    response = client.post("/tasks/new", data=new_task_form(world, services, **{field: world[value].id}))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert count_tasks(db) == before


def test_a_household_outside_the_teams_villages_is_refused(client, world, services, village, db):
    sign_in(client, world["leader"])
    response = client.post("/tasks/new", data=new_task_form(
        world, services, choose="listed", household_ids=[world["household_b"].id]))
    assert response.status_code == 400 and "Một số hộ không thuộc thôn này" in response.get_data(as_text=True)


def test_volunteers_cannot_set_tasks_and_other_leaders_cannot_see_them(client, world, services, db):
    sign_in(client, world["volunteer"])
    assert client.post("/tasks/new", data=new_task_form(world, services)).status_code == 403
    stranger = make_user("leader_b", role="leader")
    from app.teams.models import MemberRole, Membership
    db.session.add(Membership(team=world["team_b"], user=stranger, role=MemberRole.LEADER))
    db.session.commit()
    sign_in(client, stranger)
    task_id = world["task_a"].id
    assert client.get(f"/tasks/{task_id}").status_code == 404
    assert client.post(f"/tasks/{task_id}/close", data={"version": "1"}).status_code == 404
    assert client.get(f"/tasks/{task_id}/edit").status_code == 404
    assert f'href="/tasks/{task_id}"' not in client.get("/tasks").get_data(as_text=True)


def test_claim_in_place_and_the_second_claim_is_told_who(client, world, db):
    second = make_user("second", full_name="Ngô Thị Hạnh")
    from app.teams.models import Membership
    db.session.add(Membership(team=world["team_a"], user=second))
    db.session.commit()
    task_id = world["task_a"].id
    sign_in(client, world["volunteer"])
    response = client.post(f"/tasks/{task_id}/claim", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="task-assignment"' in html and "<html" not in html
    assert "Nhiệm vụ là của bạn." in html and "Trả lại" in html
    sign_in(client, second)
    late = client.post(f"/tasks/{task_id}/claim", headers={"HX-Request": "true"})
    assert late.status_code == 409 and "Volunteer vừa nhận nhiệm vụ này." in late.get_data(as_text=True)
    # The households list comes along out of band, without log buttons for someone else's task.
    assert 'id="task-households" class="task-households" hx-swap-oob="true"' in late.get_data(as_text=True)
    assert "/logs/new?task_id=" not in late.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Task, task_id).assignee_id == world["volunteer"].id
    sign_in(client, world["outsider"])
    assert client.post(f"/tasks/{task_id}/claim").status_code == 404


def test_release_without_javascript_goes_back_to_the_task(client, world):
    task = claim_task(world["volunteer"], world["task_a"])
    sign_in(client, world["volunteer"])
    response = client.post(f"/tasks/{task.id}/release")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/tasks/{task.id}")


def test_edit_with_a_stale_version_answers_409(client, world, services, db):
    sign_in(client, world["leader"])
    form = client.get(f"/tasks/{world['task_a'].id}/edit").get_data(as_text=True)
    assert '<input id="version" name="version" type="hidden" value="1">' in form
    claim_task(world["volunteer"], world["task_a"])
    response = client.post(f"/tasks/{world['task_a'].id}/edit", data={
        "version": "1", "service_ids": [services["VNEID"].id], "target_count": "1",
        "due_on": (local_today() + timedelta(days=3)).isoformat(), "assignee_id": "", "note": ""})
    assert response.status_code == 409 and "Nhiệm vụ này vừa thay đổi" in response.get_data(as_text=True)
    assert db.session.get(Task, world["task_a"].id).target_count == 1


def test_close_and_cancel_from_the_page(client, world, services):
    sign_in(client, world["leader"])
    task_id = world["task_a"].id
    assert client.post(f"/tasks/{task_id}/close", data={"version": "1"}).status_code == 303
    again = client.post(f"/tasks/{task_id}/cancel", data={"version": "1"})
    assert again.status_code == 409
    assert client.get(f"/tasks/{task_id}/edit").status_code == 409
    closed = client.get("/tasks?status=closed").get_data(as_text=True)
    assert f"/tasks/{task_id}" in closed


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
    assert links == [str(overdue.id), str(world["task_a"].id), str(later.id)]
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


def test_the_task_page_lists_households_to_reach_and_reached(client, world, services, village, db):
    first, *_ = households_of(db, village)
    approved(world, first)
    sign_in(client, world["volunteer"])
    task_id = world["task_a"].id
    html = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Còn phải đến (3)" in html and "Đã đến (1)" in html and "1 / 1 hộ" in html
    assert f"/logs/new?task_id={task_id}&amp;household_id=" in html
    fragment = client.get(f"/tasks/{task_id}?show=reached", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and first.display_name in fragment and "Hồ Thị Mai" not in fragment


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


# Bounded SQL --------------------------------------------------------------------------------------

def grow(world, services, village, db, n, start=0):
    """More tasks (assigned, each with its household listed and reached) and more logs."""
    for i in range(start, start + n):
        household = make_household(village, f"Hộ thêm {i}")
        make_task(world["team_a"], village, [services["DVC"]], leader=world["leader"], assignee=world["volunteer"],
                  households=[household], days=i + 1)
        approved(world, household, service=services["DVC"])


@pytest.mark.parametrize("url", ["/", "/tasks", "/tasks?who=mine", "TASK"])
def test_task_pages_run_a_bounded_number_of_statements(client, world, services, village, db, url):
    sign_in(client, world["volunteer"])
    url = url.replace("TASK", f"/tasks/{world['task_a'].id}")
    grow(world, services, village, db, 1)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    grow(world, services, village, db, 6, start=1)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many() == few()


def test_the_new_task_form_runs_a_bounded_number_of_statements(client, world, services, village, db):
    sign_in(client, world["leader"])
    data = new_task_form(world, services, choose="listed", refresh="1")
    grow(world, services, village, db, 1)
    with count_queries() as few:
        assert client.post("/tasks/new", data=data).status_code == 200
    grow(world, services, village, db, 6, start=1)
    with count_queries() as many:
        assert client.post("/tasks/new", data=data).status_code == 200
    assert many() == few()


# Who may post what ---------------------------------------------------------------------------

POSTS = {
    "create": lambda w: "/tasks/new",
    "update": lambda w: f"/tasks/{w['task_a'].id}/edit",
    "close": lambda w: f"/tasks/{w['task_a'].id}/close",
    "cancel": lambda w: f"/tasks/{w['task_a'].id}/cancel",
    "claim": lambda w: f"/tasks/{w['task_a'].id}/claim",
    "release": lambda w: f"/tasks/{w['task_a'].id}/release",
}
# Refused by role (403) before anything is read; the rest reach the object rules.
REFUSED = {"staff": set(POSTS), "volunteer": {"create", "update", "close", "cancel"},
           "admin": {"claim", "release"}, "outsider": {"create", "update", "close", "cancel"}}


@pytest.mark.parametrize("username", ["staff", "volunteer", "admin", "outsider"])
@pytest.mark.parametrize("action", sorted(POSTS))
def test_task_posts_follow_the_access_table(client, world, username, action, db):
    sign_in(client, world[username])
    response = client.post(POSTS[action](world), data={"version": "1"})
    if action in REFUSED[username]:
        assert response.status_code == 403
    elif username == "outsider":
        assert response.status_code == 404  # another team's task: as if it did not exist
    else:
        assert response.status_code < 500
    db.session.expire_all()
    task = db.session.get(Task, world["task_a"].id)
    if response.status_code >= 400:
        assert task.version == 1 and task.status == TaskStatus.ACTIVE and task.assignee_id is None


# Found in review ----------------------------------------------------------------------------------

def test_a_commune_administrator_cannot_set_tasks_for_another_communes_team(db, world, services):
    from app.accounts.models import Role
    admin_b = make_user("admin_b", Role.ADMIN, world["commune_b"])
    with pytest.raises(TaskError) as error:
        create_task(admin_b, task_input(world, services))
    assert error.value.field == "team_id"
    make_household(world["village_b1"], "Hộ Can Lộc")
    task = create_task(admin_b, task_input(world, services, team_id=world["team_b"].id,
                                           village_id=world["village_b1"].id))
    assert task.team_id == world["team_b"].id


def test_changing_a_claimed_task_keeps_the_claim(client, world, services, db):
    task = claim_task(world["volunteer"], world["task_a"])
    sign_in(client, world["leader"])
    response = client.post(f"/tasks/{task.id}/edit", data={
        "version": str(task.version), "service_ids": [services["VNEID"].id], "target_count": "1",
        "due_on": (local_today() + timedelta(days=30)).isoformat(), "assignee_id": world["volunteer"].id, "note": ""})
    assert response.status_code == 303
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert task.is_open and task.assignee_id == world["volunteer"].id
    release_task(world["volunteer"], task)
    assert task.claimable


def test_releasing_a_task_nobody_took_says_so(client, world):
    sign_in(client, world["volunteer"])
    response = client.post(f"/tasks/{world['task_a'].id}/release")
    assert response.status_code == 409 and "Chưa ai nhận nhiệm vụ này" in response.get_data(as_text=True)


@pytest.mark.parametrize("method, url, data, status", [
    ("post", "/tasks/TASK/close", {"version": "²"}, 409),
    ("post", "/tasks/TASK/close", {"version": "99999999999999999999999"}, 409),
    ("get", "/tasks/99999999999999999999", None, 404),
    ("get", "/households/99999999999999999999", None, 404),
    ("get", "/tasks?team=99999999999999999999&page=99999999999999999999", None, 200),
    ("get", "/tasks/TASK?page=99999999999999999999", None, 200),
    ("get", "/logs/new?task_id=99999999999999999999&household_id=99999999999999999999", None, 200),
    ("post", "/tasks/new", {"service_ids": "99999999999999999999", "team_id": "99999999999999999999"}, 400),
    ("post", "/review/approve", {"log": ["99999999999999999999:1", "²:1"]}, 303),
])
def test_huge_or_odd_numbers_get_a_clear_answer_not_a_500(client, world, services, method, url, data, status):
    sign_in(client, world["leader"])
    response = getattr(client, method)(url.replace("TASK", str(world["task_a"].id)), data=data)
    assert response.status_code == status


def test_wtforms_own_messages_are_in_vietnamese(client, world, services, village):
    sign_in(client, world["leader"])
    response = client.post("/tasks/new", data=new_task_form(world, services, target_count="1e3", due_on="2026-02-30"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Không phải là số nguyên hợp lệ." in html and "Không phải là ngày hợp lệ." in html
    assert "Not a valid" not in html


def test_a_volunteer_sees_only_their_own_logs_made_for_the_task(client, world, services, db):
    from app.teams.models import Membership
    second = make_user("second", full_name="Ngô Thị Hạnh")
    db.session.add(Membership(team=world["team_a"], user=second))
    db.session.commit()
    theirs = make_log(second, world["team_a"], world["household_a"], task_id=world["task_a"].id)
    mine = make_log(world["volunteer"], world["team_a"], world["household_a"], task_id=world["task_a"].id)
    sign_in(client, world["volunteer"])
    html = client.get(f"/tasks/{world['task_a'].id}").get_data(as_text=True)
    assert f'href="/logs/{mine.id}"' in html and f'href="/logs/{theirs.id}"' not in html
    sign_in(client, world["leader"])
    html = client.get(f"/tasks/{world['task_a'].id}").get_data(as_text=True)
    assert f'href="/logs/{mine.id}"' in html and f'href="/logs/{theirs.id}"' in html


def test_a_deactivated_teams_tasks_cover_nothing_and_cannot_change(db, world, services):
    world["team_a"].is_active = False
    db.session.commit()
    assert other_tasks_covering(world["village_a1"].id, [services["VNEID"].id])["village"] == []
    with pytest.raises(TaskError):
        update_task(world["admin"], world["task_a"], task_input(world, services, due_on=world["task_a"].due_on),
                    version=1)


def test_a_stale_edit_under_htmx_shows_the_form_again_as_the_task_is_now(client, world, services, db):
    claim_task(world["volunteer"], world["task_a"])
    sign_in(client, world["leader"])
    response = client.post(f"/tasks/{world['task_a'].id}/edit", headers={"HX-Request": "true"}, data={
        "version": "1", "service_ids": [services["VNEID"].id], "target_count": "1",
        "due_on": (local_today() + timedelta(days=3)).isoformat(), "assignee_id": "", "note": "mới"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and 'id="task-form"' in html and "<html" not in html
    assert "Nhiệm vụ này vừa thay đổi" in html and 'name="version" type="hidden" value="2"' in html
    assert "mới" not in html


def test_the_new_task_form_of_an_administrator_is_bounded(client, world, services, db):
    from app.areas.models import AreaKind
    from tests.conftest import make_area, make_team
    sign_in(client, world["admin"])
    with count_queries() as few:
        assert client.get("/tasks/new").status_code == 200
        assert client.get("/tasks").status_code == 200
    for i in range(5):
        commune = make_area(AreaKind.COMMUNE, f"Xã Mới {i}", world["province"])
        make_team(commune, [make_area(AreaKind.VILLAGE, "Thôn 1", commune)], name=f"Tổ mới {i}")
    with count_queries() as many:
        assert client.get("/tasks/new").status_code == 200
        assert client.get("/tasks").status_code == 200
    assert many() == few()


def test_progress_leaves_out_anonymised_households(db, world, services, village):
    first, second, *_ = households_of(db, village)
    approved(world, first)
    approved(world, second)
    assert progress([world["task_a"].id]) == {world["task_a"].id: 2}
    from app.core.db import utcnow
    second.anonymised_at = utcnow()
    db.session.commit()
    assert progress([world["task_a"].id]) == {world["task_a"].id: 1}


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


def test_an_anonymised_household_leaves_a_listed_task(client, world, services, village, db):
    from app.core.db import utcnow
    from app.tasks.queries import scope_size
    first, second, *_ = households_of(db, village)
    task = make_task(world["team_a"], village, [services["VNEID"]], leader=world["leader"], households=[first, second])
    assert scope_size(task) == 2
    second.anonymised_at = utcnow()
    db.session.commit()
    assert scope_size(task) == 1
    sign_in(client, world["leader"])
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Còn phải đến (1)" in html and f"household_id={second.id}" not in html


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


def test_the_task_list_pages_in_place(client, world, services):
    for day in range(21):
        make_task(world["team_a"], world["village_a1"], [services["DVC"]], leader=world["leader"], days=day + 1)
    sign_in(client, world["volunteer"])
    first = client.get("/tasks").get_data(as_text=True)
    assert 'rel="next"' in first and 'rel="prev"' not in first and "Trang 1/2" in first
    last = client.get("/tasks?page=2", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert last.startswith('<div id="task-list">') and 'rel="prev"' in last and 'hx-push-url="true"' in last
    assert last.count('class="task-row') == 2  # 22 tasks, 20 a page
