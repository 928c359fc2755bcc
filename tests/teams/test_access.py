"""Who sees and manages which team: the list and pages are scoped, administrators create and
edit teams (a commune administrator in their commune only), leaders manage their own members."""

import pytest

from app.accounts.models import Role
from app.teams.services import TeamError, create_team
from tests.conftest import make_member, make_user, sign_in
from tests.teams.conftest import membership


def test_create_team_needs_a_commune_within_reach(db, world):
    commune_admin = make_user("admin_a", Role.ADMIN, world["commune_a"])
    with pytest.raises(TeamError) as refused:
        create_team(commune_admin, name="Tổ mới", commune=world["commune_b"])
    assert refused.value.status == 403 and refused.value.field == "commune"
    with pytest.raises(TeamError) as refused:
        create_team(world["admin"], name="Tổ mới", commune=world["village_a1"])
    assert refused.value.status == 400
    with pytest.raises(TeamError) as refused:
        create_team(world["leader"], name="Tổ mới", commune=world["commune_a"])
    assert refused.value.status == 403
    assert create_team(commune_admin, name="Tổ mới", commune=world["commune_a"]).id


@pytest.mark.parametrize("username,visible", [
    ("admin", {"Tổ 1", "Tổ Can Lộc"}), ("staff_b", {"Tổ Can Lộc"}), ("volunteer", {"Tổ 1"}),
])
def test_team_list_is_scoped(client, world, username, visible):
    sign_in(client, world[username])
    results = client.get("/teams/").get_data(as_text=True).split('id="results"')[1]
    assert {name for name in ("Tổ 1", "Tổ Can Lộc") if name in results} == visible


@pytest.mark.parametrize("username,status", [
    ("admin", 200), ("staff", 200), ("leader", 200), ("volunteer", 200), ("outsider", 404), ("staff_b", 404),
])
def test_team_page_in_and_out_of_scope(client, world, username, status):
    sign_in(client, world[username])
    assert client.get(f"/teams/{world['team_a'].id}").status_code == status


@pytest.mark.parametrize("username", ["leader", "volunteer", "staff"])
def test_only_admins_create_edit_or_deactivate_teams(client, world, username):
    sign_in(client, world[username])
    team_id = world["team_a"].id
    assert client.get("/teams/new").status_code == 403
    assert client.get(f"/teams/{team_id}/edit").status_code == 403
    assert client.post(f"/teams/{team_id}/deactivate").status_code == 403


@pytest.mark.parametrize("username,status", [
    ("admin", 200), ("leader", 200), ("volunteer", 403), ("staff", 403), ("outsider", 403),
])
def test_members_page_access(client, world, username, status):
    sign_in(client, world[username])
    assert client.get(f"/teams/{world['team_a'].id}/members").status_code == status


def test_leader_of_another_team_gets_404(client, world, db):
    other_leader = make_member(world["team_b"], "leader_b", Role.LEADER, world["commune_b"], leader=True)
    sign_in(client, other_leader)
    assert client.get(f"/teams/{world['team_a'].id}/members").status_code == 404
    assert client.post(f"/teams/{world['team_a'].id}/members", data={"user_id": other_leader.id}).status_code == 404


def test_membership_of_another_team_is_404(client, world, db):
    sign_in(client, world["admin"])
    other = membership(db, world["team_b"], world["outsider"])
    assert client.post(f"/teams/{world['team_a'].id}/members/{other.id}/remove").status_code == 404


def test_a_commune_administrator_sees_and_manages_only_their_communes_teams(client, world, db):
    admin_b = make_user("admin_b", Role.ADMIN, world["commune_b"])
    sign_in(client, admin_b)
    listing = client.get("/teams/").get_data(as_text=True)
    assert world["team_b"].name in listing and f'/teams/{world["team_a"].id}"' not in listing
    assert client.get(f"/teams/{world['team_a'].id}").status_code == 404
    assert client.get(f"/teams/{world['team_a'].id}/members").status_code == 404
    assert client.get(f"/teams/{world['team_a'].id}/stats").status_code == 404
    assert client.get(f"/tasks/{world['task_a'].id}").status_code == 404
    assert client.get(f"/teams/{world['team_b'].id}").status_code == 200
    assert client.get(f"/teams/{world['team_b'].id}/members").status_code == 200
    new_task = client.get("/tasks/new").get_data(as_text=True)
    assert world["team_a"].name not in new_task
