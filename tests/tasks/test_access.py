"""Who may set, see and change which task: only a leader of the team (or an administrator of its
commune) sets its tasks, in its own villages; only members claim; other teams' tasks are not there."""

import pytest

from app.access import can
from app.tasks.models import Task, TaskStatus
from app.tasks.services import TaskError, claim_task, create_task, leads
from app.teams.models import MemberRole, Membership
from tests.conftest import english, make_household, make_log, make_member, make_user, sign_in
from tests.tasks.conftest import count_tasks, new_task_form, task_input


def test_only_a_leader_of_the_team_sets_its_tasks(db, world, services):
    other_leader = make_member(world["team_b"], "leader_b", leader=True)
    with pytest.raises(TaskError) as error:
        create_task(other_leader, task_input(world, services))
    assert error.value.field == "team_id"
    with pytest.raises(TaskError) as error:
        create_task(world["leader"], task_input(world, services, village_id=world["village_b1"].id))
    assert error.value.field == "village_id"


def test_only_team_members_claim(db, world):
    with pytest.raises(TaskError) as error:
        claim_task(world["outsider"], world["task_a"])
    assert error.value.status == 403 and english(error.value) == "Only the team's members can take this task."


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
    stranger = make_member(world["team_b"], "leader_b", role="leader", leader=True)
    sign_in(client, stranger)
    task_id = world["task_a"].id
    assert client.get(f"/tasks/{task_id}").status_code == 404
    assert client.post(f"/tasks/{task_id}/close", data={"version": "1"}).status_code == 404
    assert client.get(f"/tasks/{task_id}/edit").status_code == 404
    assert f'href="/tasks/{task_id}"' not in client.get("/tasks").get_data(as_text=True)


def test_a_volunteer_sees_only_their_own_logs_made_for_the_task(client, world, services, db):
    second = make_member(world["team_a"], "second", full_name="Ngô Thị Hạnh")
    theirs = make_log(second, world["team_a"], world["household_a"], task_id=world["task_a"].id)
    mine = make_log(world["volunteer"], world["team_a"], world["household_a"], task_id=world["task_a"].id)
    sign_in(client, world["volunteer"])
    html = client.get(f"/tasks/{world['task_a'].id}").get_data(as_text=True)
    assert f'href="/logs/{mine.id}"' in html and f'href="/logs/{theirs.id}"' not in html
    sign_in(client, world["leader"])
    html = client.get(f"/tasks/{world['task_a'].id}").get_data(as_text=True)
    assert f'href="/logs/{mine.id}"' in html and f'href="/logs/{theirs.id}"' in html


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


@pytest.fixture()
def plain_member(db, world):
    """A leader of team B who is only a plain member of team A."""
    from app.accounts.models import Role
    user = make_member(world["team_b"], "leader_b", Role.LEADER, leader=True)
    db.session.add(Membership(team=world["team_a"], user=user, role=MemberRole.MEMBER))
    db.session.commit()
    return user


def test_a_plain_member_of_the_team_cannot_set_or_manage_its_tasks(db, world, services, plain_member):
    assert not can(plain_member, "manage", world["task_a"]) and not leads(plain_member, world["team_a"])
    assert can(world["leader"], "manage", world["task_a"])
    with pytest.raises(TaskError) as error:
        create_task(plain_member, task_input(world, services))
    assert error.value.field == "team_id"


@pytest.mark.parametrize("method, path", [
    ("get", "/tasks/{}/edit"), ("post", "/tasks/{}/edit"), ("post", "/tasks/{}/close"), ("post", "/tasks/{}/cancel"),
])
def test_a_plain_member_cannot_edit_close_or_cancel_a_task(client, db, world, services, plain_member, method, path):
    sign_in(client, plain_member)
    task_id = world["task_a"].id
    assert client.get(f"/tasks/{task_id}").status_code == 200  # a member sees the task
    data = new_task_form(world, services, version="1", note="Đổi") if method == "post" else None
    response = getattr(client, method)(path.format(task_id), data=data)
    assert response.status_code == 404
    db.session.expire_all()
    task = db.session.get(Task, task_id)
    assert task.version == 1 and task.status == TaskStatus.ACTIVE and task.note is None
