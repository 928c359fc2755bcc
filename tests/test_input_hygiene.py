"""What a user types cannot break a page: control characters, invisible characters and ids no
row could have answer a clear 4xx on SQLite and on PostgreSQL, and nothing is saved."""

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.households.models import Household
from app.teams.models import Team
from tests.conftest import PASSWORD, count_rows, make_services, sign_in

CONTROL_MESSAGE = "Nội dung gửi lên có ký tự điều khiển"


@pytest.mark.parametrize("control", ["\x00", "\x01", "\x1b", "\x7f"])
@pytest.mark.parametrize("username,method,path,data", [
    (None, "post", "/login", {"username": "volunteer{c}", "password": PASSWORD}),
    ("volunteer", "get", "/areas/search", {"q": "thon{c}"}),
    ("volunteer", "get", "/logs", {"page": "1{c}"}),
    ("volunteer", "post", "/areas/{village}/households/new",
     {"step": "consent", "display_name": "Lê{c} Văn", "consent_method": "signed", "consent_given": "y"}),
    ("admin", "post", "/accounts/new", {"username": "tnv.x", "full_name": "Lê{c}", "role": "volunteer"}),
    ("admin", "post", "/teams/new", {"name": "Tổ{c}", "commune": "{commune}"}),
    ("leader", "post", "/review/{log}/return", {"version": "1", "reason": "other", "comment": "x{c}"}),
])
def test_control_characters_are_refused_with_400_and_nothing_is_saved(client, world, db, control, username,
                                                                       method, path, data):
    if username:
        sign_in(client, world[username])
    ids = {"village": world["village_a1"].id, "commune": world["commune_a"].id, "log": world["log_a"].id}
    data = {key: value.format(c=control, **ids) for key, value in data.items()}
    before = (count_rows(Household), count_rows(User), count_rows(Team))
    kwargs = {"query_string": data} if method == "get" else {"data": data}
    response = getattr(client, method)(path.format(**ids), **kwargs)
    assert response.status_code == 400
    assert CONTROL_MESSAGE in response.get_data(as_text=True)
    assert (count_rows(Household), count_rows(User), count_rows(Team)) == before


def test_tabs_and_line_breaks_are_text_not_controls(client, world, db):
    make_services()
    sign_in(client, world["volunteer"])
    response = client.post(f"/areas/{world['village_a1'].id}/households/new", data={
        "step": "consent", "display_name": "Lê\tVăn\r\nBình", "consent_method": "signed", "consent_given": "y"})
    assert response.status_code == 303
    assert db.session.scalar(select(Household.display_name).order_by(Household.id.desc()).limit(1)) == "Lê Văn Bình"


def test_invisible_format_characters_are_stripped_from_names_and_notes(client, world, db):
    sign_in(client, world["volunteer"])
    response = client.post(f"/areas/{world['village_a1'].id}/households/new", data={
        "step": "consent", "display_name": "\u202eNguyễn\u200b Văn\u2066 Nam\ufeff", "notes": "nhà\u200d số 5",
        "consent_method": "signed", "consent_given": "y"})
    assert response.status_code == 303
    household = db.session.scalar(select(Household).order_by(Household.id.desc()).limit(1))
    assert (household.display_name, household.search_key, household.notes) == (
        "Nguyễn Văn Nam", "nguyen van nam", "nhà số 5")


TOO_BIG = [str(2**31), str(2**63), str(-(2**31) - 1), "99999999999999999999", "²", "١٢"]


@pytest.mark.parametrize("value", TOO_BIG)
def test_an_account_home_area_no_row_could_have_is_400(client, world, db, value):
    sign_in(client, world["admin"])
    before = count_rows(User)
    response = client.post("/accounts/new", data={"username": "tnv.big", "full_name": "Lê Văn Bình",
                                                  "role": "volunteer", "home_area": value, "phone": ""})
    assert response.status_code == 400
    assert count_rows(User) == before
    edited = client.post(f"/accounts/{world['volunteer'].id}", data={
        "full_name": "Volunteer", "role": "volunteer", "home_area": value, "phone": ""})
    assert edited.status_code == 400


@pytest.mark.parametrize("value", TOO_BIG)
def test_a_team_commune_no_row_could_have_is_400(client, world, db, value):
    sign_in(client, world["admin"])
    before = count_rows(Team)
    assert client.post("/teams/new", data={"name": "Tổ mới", "commune": value}).status_code == 400
    assert count_rows(Team) == before


@pytest.mark.parametrize("value", TOO_BIG)
def test_a_member_id_no_row_could_have_is_400(client, world, value):
    sign_in(client, world["leader"])
    response = client.post(f"/teams/{world['team_a'].id}/members", data={"user_id": value})
    assert response.status_code == 400
    assert "Hãy chọn một người trong danh sách." in response.get_data(as_text=True)


@pytest.mark.parametrize("value", TOO_BIG)
def test_team_villages_no_row_could_have_are_400(client, world, value):
    sign_in(client, world["admin"])
    response = client.post(f"/teams/{world['team_a'].id}/edit", data={"name": "Tổ 1", "villages": [value]})
    assert response.status_code == 400


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
