"""Teams: creating, villages, members and leaders; the pages and who may use them."""

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.areas.models import AreaKind
from app.teams.models import MemberRole, Membership, Team
from app.teams.services import (
    TeamError,
    add_member,
    create_team,
    remove_member,
    set_member_role,
    set_team_active,
    update_team,
)
from tests.conftest import count_queries, english, events, make_area, make_team, make_user, sign_in


def team_count(db):
    return db.session.scalar(select(func.count()).select_from(Team))


def membership(db, team, user):
    return db.session.scalar(select(Membership).where(Membership.team_id == team.id,
                                                      Membership.user_id == user.id))


@pytest.fixture()
def duc(world):
    return make_user("duc", full_name="Nguyễn Văn Đức", home_area=world["commune_a"])


# Services: teams -------------------------------------------------------------------

def test_create_team_audits(db, world):
    team = create_team(world["admin"], name="  Tổ công nghệ số   Thạch Hà 2 ", commune=world["commune_a"])
    assert team.name == "Tổ công nghệ số Thạch Hà 2" and team.search_key == "to cong nghe so thach ha 2"
    (event,) = events(db, "team.created")
    assert event.changes == {"name": "Tổ công nghệ số Thạch Hà 2", "commune_id": world["commune_a"].id}


@pytest.mark.parametrize("name,status", [("T" * 500, 400), ("🚀🚀", 400), ("", 400), ("tổ 1", 409)])
def test_create_team_refuses_bad_names_and_saves_nothing(db, world, name, status):
    before = team_count(db)
    with pytest.raises(TeamError) as refused:
        create_team(world["admin"], name=name, commune=world["commune_a"])
    assert refused.value.field == "name" and refused.value.status == status
    assert english(refused.value)
    assert team_count(db) == before


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


def test_update_team_renames_and_sets_villages_with_old_and_new(db, world):
    team = world["team_a"]
    changes = update_team(world["admin"], team, name="Tổ Thạch Hà",
                          village_ids=[world["village_a1"].id, world["village_a2"].id])
    assert changes == {"name": ["Tổ 1", "Tổ Thạch Hà"],
                       "village_ids": [[world["village_a1"].id],
                                       sorted([world["village_a1"].id, world["village_a2"].id])]}
    assert events(db, "team.updated")[0].changes == changes
    assert update_team(world["admin"], team, name="Tổ Thạch Hà",
                       village_ids=[world["village_a1"].id, world["village_a2"].id]) == {}


def test_update_team_refuses_villages_of_another_commune_and_changes_nothing(db, world):
    team = world["team_a"]
    with pytest.raises(TeamError) as refused:
        update_team(world["admin"], team, name="Tổ mới", village_ids=[world["village_a2"].id, world["village_b1"].id])
    assert refused.value.field == "villages"
    db.session.rollback()
    db.session.refresh(team)
    assert team.name == "Tổ 1" and [v.id for v in team.villages] == [world["village_a1"].id]


def test_a_deactivated_village_may_stay_but_not_be_added(db, world):
    world["village_a1"].is_active = False
    world["village_a2"].is_active = False
    db.session.commit()
    team = world["team_a"]
    update_team(world["admin"], team, name="Tổ 1 mới", village_ids=[world["village_a1"].id])
    with pytest.raises(TeamError):
        update_team(world["admin"], team, name="Tổ 1 mới", village_ids=[world["village_a1"].id, world["village_a2"].id])


def test_deactivate_and_reactivate_a_team(db, world):
    team = world["team_a"]
    set_team_active(world["admin"], team, False)
    assert not team.is_active and events(db, "team.deactivated")
    create_team(world["admin"], name="Tổ 1", commune=world["commune_a"])  # the name is free again
    with pytest.raises(TeamError) as refused:
        set_team_active(world["admin"], team, True)
    assert refused.value.status == 409


# Services: members --------------------------------------------------------------------

def test_leader_adds_a_member_of_their_commune(db, world, duc):
    added = add_member(world["leader"], world["team_a"], duc)
    assert added.role == MemberRole.MEMBER
    assert events(db, "team.member_added")[0].changes == {"user_id": duc.id, "role": "member"}


def test_a_user_may_be_in_several_teams(db, world, duc):
    other = make_team(world["commune_a"], [world["village_a2"]], name="Tổ 2")
    add_member(world["admin"], world["team_a"], duc)
    add_member(world["admin"], other, duc)
    assert len(db.session.scalars(select(Membership).where(Membership.user_id == duc.id)).all()) == 2


def test_add_member_refusals(db, world, duc):
    team = world["team_a"]
    with pytest.raises(TeamError) as refused:
        add_member(world["leader"], team, world["volunteer"])
    assert refused.value.status == 409 and "already in this team" in english(refused.value)
    with pytest.raises(TeamError) as refused:
        add_member(world["leader"], team, world["outsider"])  # homed in another commune
    assert refused.value.status == 403
    with pytest.raises(TeamError) as refused:
        add_member(world["volunteer"], team, duc)
    assert refused.value.status == 403
    with pytest.raises(TeamError) as refused:
        add_member(world["leader"], world["team_b"], duc)  # not their team
    assert refused.value.status == 403
    duc.is_active = False
    db.session.commit()
    with pytest.raises(TeamError) as refused:
        add_member(world["admin"], team, duc)
    assert refused.value.status == 409
    assert add_member(world["admin"], team, world["outsider"]).id  # admins may add anyone they manage


def test_make_leader_raises_the_volunteer_role_and_back_keeps_one_leader(db, world):
    team, volunteer = world["team_a"], world["volunteer"]
    m = membership(db, team, volunteer)
    set_member_role(world["leader"], m, "leader")
    assert m.role == MemberRole.LEADER and volunteer.role == Role.LEADER
    assert events(db, "user.updated")[0].changes == {"role": ["volunteer", "leader"]}
    assert events(db, "team.member_role_changed")[0].changes == {"user_id": volunteer.id, "role": ["member", "leader"]}
    set_member_role(world["leader"], membership(db, team, world["leader"]), "member")  # two leaders: fine
    with pytest.raises(TeamError) as refused:
        set_member_role(world["admin"], m, "member")
    assert refused.value.status == 409 and "only leader" in english(refused.value)
    assert volunteer.role == Role.LEADER  # stepping down never lowers the account role


def test_the_only_leader_is_not_removed_while_others_remain(db, world):
    team = world["team_a"]
    leader = membership(db, team, world["leader"])
    with pytest.raises(TeamError):
        remove_member(world["admin"], leader)
    remove_member(world["leader"], membership(db, team, world["volunteer"]))
    assert events(db, "team.member_removed")[0].changes == {"user_id": world["volunteer"].id, "role": "member"}
    remove_member(world["admin"], leader)  # alone in the team: may go
    db.session.expire_all()
    assert team.memberships == []


# Routes: list and page ------------------------------------------------------------------

def test_team_list_page_and_fragment_search_accents_ignored(client, world):
    sign_in(client, world["admin"])
    page = client.get("/teams/?q=can loc")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    results = html.split('id="results"')[1]
    assert "Tổ Can Lộc" in results and "Tổ 1" not in results
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    fragment = client.get("/teams/?q=THẠCH HÀ", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "Tổ 1" in fragment and "Tổ Can Lộc" not in fragment


@pytest.mark.parametrize("username,visible", [
    ("admin", {"Tổ 1", "Tổ Can Lộc"}), ("staff_b", {"Tổ Can Lộc"}), ("volunteer", {"Tổ 1"}),
])
def test_team_list_is_scoped(client, world, username, visible):
    sign_in(client, world[username])
    results = client.get("/teams/").get_data(as_text=True).split('id="results"')[1]
    assert {name for name in ("Tổ 1", "Tổ Can Lộc") if name in results} == visible


def test_team_list_runs_a_bounded_number_of_queries(client, world):
    sign_in(client, world["admin"])
    with count_queries() as small:
        assert client.get("/teams/").status_code == 200
    for i in range(6):
        make_team(world["commune_b"], [], members=[world["outsider"], world["staff_b"]], name=f"Tổ {i + 10}")
    with count_queries() as large:
        assert client.get("/teams/").status_code == 200
    assert large() == small()


def test_team_page_shows_villages_and_members(client, world):
    sign_in(client, world["volunteer"])
    html = client.get(f"/teams/{world['team_a'].id}?lang=en").get_data(as_text=True)
    assert f'href="/areas/{world["village_a1"].id}"' in html
    assert "Leader" in html and "Volunteer" in html
    assert "coming soon" not in html.lower() and "Manage members" not in html
    sign_in(client, world["leader"])
    assert "Manage members" in client.get(f"/teams/{world['team_a'].id}?lang=en").get_data(as_text=True)


def test_team_page_runs_a_bounded_number_of_queries(client, world, db):
    sign_in(client, world["admin"])
    path = f"/teams/{world['team_a'].id}"
    with count_queries() as small:
        assert client.get(path).status_code == 200
    for i in range(5):
        user = make_user(f"tnv{i}", home_area=world["commune_a"])
        world["team_a"].memberships.append(Membership(user=user))
    world["team_a"].villages.append(world["village_a2"])
    db.session.commit()
    with count_queries() as large:
        assert client.get(path).status_code == 200
    assert large() == small()


@pytest.mark.parametrize("username,status", [
    ("admin", 200), ("staff", 200), ("leader", 200), ("volunteer", 200), ("outsider", 404), ("staff_b", 404),
])
def test_team_page_in_and_out_of_scope(client, world, username, status):
    sign_in(client, world[username])
    assert client.get(f"/teams/{world['team_a'].id}").status_code == status


def test_team_is_linked_from_home_and_the_commune_page(client, world):
    sign_in(client, world["volunteer"])
    link = f'href="/teams/{world["team_a"].id}"'
    assert link in client.get("/").get_data(as_text=True)
    assert link in client.get(f"/areas/{world['commune_a'].id}").get_data(as_text=True)


# Routes: creating and editing ---------------------------------------------------------------

def test_create_team_then_choose_villages(client, world, db):
    sign_in(client, world["admin"])
    assert client.get("/teams/new").status_code == 200
    response = client.post("/teams/new", data={"name": "Tổ Thạch Hà 2", "commune": world["commune_a"].id})
    assert response.status_code == 302
    team = db.session.scalar(select(Team).where(Team.name == "Tổ Thạch Hà 2"))
    assert response.headers["Location"] == f"/teams/{team.id}/edit"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thôn 1 (Xã Thạch Sơn)" in html and "Thôn 1 (Xã Thạch Long)" in html
    assert 'type="checkbox" name="villages"' in html and "Thôn Trung" not in html
    response = client.post(f"/teams/{team.id}/edit", data={
        "name": "Tổ Thạch Hà 2", "villages": [world["village_a1"].id, world["village_a2"].id]})
    assert response.status_code == 302
    db.session.expire_all()
    assert {v.id for v in team.villages} == {world["village_a1"].id, world["village_a2"].id}


@pytest.mark.parametrize("data,message", [
    ({"name": "T" * 500}, "Tối đa 120 ký tự."),
    ({"name": "🚀🚀🚀"}, "Tên phải có chữ cái"),
    ({"name": "Tổ 1"}, "Xã này đã có một tổ trùng tên."),
    ({"commune": ""}, "Hãy chọn xã, phường trong danh sách."),
])
def test_create_team_bad_input_gets_4xx_and_a_clear_message(client, world, db, data, message):
    sign_in(client, world["admin"])
    before = team_count(db)
    response = client.post("/teams/new", data={"name": "Tổ mới", "commune": world["commune_a"].id} | data)
    assert 400 <= response.status_code < 500
    assert message in response.get_data(as_text=True)
    assert team_count(db) == before


def test_edit_team_with_a_village_of_another_commune_is_400(client, world, db):
    sign_in(client, world["admin"])
    team = world["team_a"]
    response = client.post(f"/teams/{team.id}/edit", data={
        "name": "Tổ đổi tên", "villages": [world["village_b1"].id]})
    assert response.status_code == 400
    assert "Chỉ chọn thôn, tổ dân phố của Xã Thạch Hà." in response.get_data(as_text=True)
    db.session.expire_all()
    assert team.name == "Tổ 1" and [v.id for v in team.villages] == [world["village_a1"].id]


@pytest.mark.parametrize("username", ["leader", "volunteer", "staff"])
def test_only_admins_create_edit_or_deactivate_teams(client, world, username):
    sign_in(client, world[username])
    team_id = world["team_a"].id
    assert client.get("/teams/new").status_code == 403
    assert client.get(f"/teams/{team_id}/edit").status_code == 403
    assert client.post(f"/teams/{team_id}/deactivate").status_code == 403


def test_admin_deactivates_a_team(client, world, db):
    sign_in(client, world["admin"])
    assert client.post(f"/teams/{world['team_a'].id}/deactivate").status_code == 302
    db.session.expire_all()
    assert not world["team_a"].is_active
    html = client.get(f"/teams/{world['team_a'].id}").get_data(as_text=True)
    assert "Ngừng hoạt động" in html


# Routes: members ---------------------------------------------------------------------------

def test_member_search_is_a_live_fragment_and_a_plain_page(client, world, duc):
    sign_in(client, world["leader"])
    path = f"/teams/{world['team_a'].id}/members"
    fragment = client.get(f"{path}?q=nguyen van duc", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert body.startswith('<section id="candidates"') and "Nguyễn Văn Đức" in body
    page = client.get(f"{path}?q=duc").get_data(as_text=True)
    assert "<html" in page and "Nguyễn Văn Đức" in page
    assert 'hx-trigger="input changed delay:300ms, search"' in page
    assert "Outsider" not in client.get(f"{path}?q=outsider").get_data(as_text=True).split('id="candidates"')[1]


def test_member_search_refuses_an_over_long_query(client, world):
    sign_in(client, world["leader"])
    response = client.get(f"/teams/{world['team_a'].id}/members?q={'a' * 500}")
    assert response.status_code == 400 and "Tối đa 100 ký tự." in response.get_data(as_text=True)


@pytest.mark.parametrize("username,status", [
    ("admin", 200), ("leader", 200), ("volunteer", 403), ("staff", 403), ("outsider", 403),
])
def test_members_page_access(client, world, username, status):
    sign_in(client, world[username])
    assert client.get(f"/teams/{world['team_a'].id}/members").status_code == status


def test_leader_of_another_team_gets_404(client, world, db):
    other_leader = make_user("leader_b", Role.LEADER, world["commune_b"])
    world["team_b"].memberships.append(Membership(user=other_leader, role=MemberRole.LEADER))
    db.session.commit()
    sign_in(client, other_leader)
    assert client.get(f"/teams/{world['team_a'].id}/members").status_code == 404
    assert client.post(f"/teams/{world['team_a'].id}/members", data={"user_id": other_leader.id}).status_code == 404


def test_add_promote_and_remove_members_through_the_pages(client, world, db, duc):
    sign_in(client, world["leader"])
    team = world["team_a"]
    response = client.post(f"/teams/{team.id}/members", data={"user_id": duc.id})
    assert response.status_code == 302
    assert "Nguyễn Văn Đức đã vào tổ." in client.get(response.headers["Location"]).get_data(as_text=True)
    m = membership(db, team, duc)
    assert client.post(f"/teams/{team.id}/members/{m.id}/role", data={"role": "leader"}).status_code == 302
    db.session.expire_all()
    assert m.role == MemberRole.LEADER and duc.role == Role.LEADER
    assert client.post(f"/teams/{team.id}/members/{m.id}/remove").status_code == 302
    db.session.expire_all()
    assert membership(db, team, duc) is None


@pytest.mark.parametrize("data,status,message", [
    ({"user_id": "999999"}, 400, "Hãy chọn một người trong danh sách."),
    ({}, 400, "Hãy chọn một người trong danh sách."),
    ({"user_id": "abc"}, 400, "Hãy chọn một người trong danh sách."),
    ({"user_id": "volunteer"}, 409, "đã ở trong tổ này"),
])
def test_add_member_bad_input(client, world, db, data, status, message):
    if data.get("user_id") == "volunteer":
        data = {"user_id": world["volunteer"].id}
    sign_in(client, world["leader"])
    response = client.post(f"/teams/{world['team_a'].id}/members", data=data)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert message in html and html.count(message) == 1


def test_removing_the_only_leader_gets_409_and_a_message(client, world, db):
    sign_in(client, world["admin"])
    team = world["team_a"]
    m = membership(db, team, world["leader"])
    response = client.post(f"/teams/{team.id}/members/{m.id}/remove")
    assert response.status_code == 409
    assert "là tổ trưởng duy nhất" in response.get_data(as_text=True)
    response = client.post(f"/teams/{team.id}/members/{m.id}/role", data={"role": "member"})
    assert response.status_code == 409
    assert client.post(f"/teams/{team.id}/members/{m.id}/role", data={"role": "boss"}).status_code == 400
    db.session.expire_all()
    assert membership(db, team, world["leader"]).role == MemberRole.LEADER


def test_membership_of_another_team_is_404(client, world, db):
    sign_in(client, world["admin"])
    other = membership(db, world["team_b"], world["outsider"])
    assert client.post(f"/teams/{world['team_a'].id}/members/{other.id}/remove").status_code == 404


def test_commune_village_checklist_is_for_the_team_commune_only(client, world):
    make_area(AreaKind.VILLAGE, "Thôn Mới", world["commune_b"])
    sign_in(client, world["admin"])
    html = client.get(f"/teams/{world['team_a'].id}/edit").get_data(as_text=True)
    assert "Thôn Mới" not in html and "Thôn 1 (Xã Thạch Sơn)" in html


def test_members_page_runs_a_bounded_number_of_queries(client, world, db):
    sign_in(client, world["leader"])
    path = f"/teams/{world['team_a'].id}/members?q=tnv"
    make_user("tnv_first", home_area=world["commune_a"])
    with count_queries() as small:
        assert client.get(path).status_code == 200
    people = [make_user(f"member{i}", home_area=world["commune_a"]) for i in range(5)]
    for i in range(5):
        make_user(f"tnv{i}", home_area=world["commune_a"])
    world["team_a"].memberships.extend(Membership(user=user) for user in people)
    db.session.commit()
    with count_queries() as large:
        assert client.get(path).status_code == 200
    assert large() == small()


# An administrator homed in a commune manages that commune's teams only.

def test_a_commune_administrator_sees_and_manages_only_their_communes_teams(client, world, db):
    from app.accounts.models import Role
    from tests.conftest import make_user

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
