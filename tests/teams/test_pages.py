"""Team pages and fragments: the list and its live search, the team page, creating and editing
a team and its villages, and the members page (search, add, make leader, remove)."""

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.areas.models import AreaKind
from app.teams.models import MemberRole, Membership, Team
from tests.conftest import count_queries, make_area, make_team, make_user, sign_in
from tests.teams.conftest import membership, team_count


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


def test_team_is_linked_from_home_and_the_commune_page(client, world):
    sign_in(client, world["volunteer"])
    link = f'href="/teams/{world["team_a"].id}"'
    assert link in client.get("/").get_data(as_text=True)
    assert link in client.get(f"/areas/{world['commune_a'].id}").get_data(as_text=True)


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


def test_admin_deactivates_a_team(client, world, db):
    sign_in(client, world["admin"])
    assert client.post(f"/teams/{world['team_a'].id}/deactivate").status_code == 302
    db.session.expire_all()
    assert not world["team_a"].is_active
    html = client.get(f"/teams/{world['team_a'].id}").get_data(as_text=True)
    assert "Ngừng hoạt động" in html


def test_commune_village_checklist_is_for_the_team_commune_only(client, world):
    make_area(AreaKind.VILLAGE, "Thôn Mới", world["commune_b"])
    sign_in(client, world["admin"])
    html = client.get(f"/teams/{world['team_a'].id}/edit").get_data(as_text=True)
    assert "Thôn Mới" not in html and "Thôn 1 (Xã Thạch Sơn)" in html


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
