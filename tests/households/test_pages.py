"""Household pages and fragments: the list and its search, the household page (phone masked
outside the team), adding through the consent step and the duplicate warning, editing,
anonymising."""

import pytest
from sqlalchemy import select

from app.areas.models import AreaKind
from app.households.models import Household
from tests.conftest import count_queries, count_rows, make_household, sign_in

SIGNED = {"consent_method": "signed", "consent_given": "y"}


def test_household_list_page_and_fragment(client, world):
    sign_in(client, world["volunteer"])
    url = f"/areas/{world['village_a1'].id}/households"
    page = client.get(url + "?q=nguyen+van+duc")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<html" in html and "Nguyễn Văn Đức" in html and 'hx-get="' in html
    fragment = client.get(url + "?q=duc", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text and 'id="results"' in text
    assert "Nguyễn Văn Đức" in text
    assert "HX-Request" in fragment.headers["Vary"]


def test_household_list_bounded_queries(client, world):
    sign_in(client, world["volunteer"])
    url = f"/areas/{world['commune_a'].id}/households"
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for i in range(30):
        make_household(world["village_a1"], f"Hộ {i}", phone="+8491234{:04d}".format(i))
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many() == few()


def test_phone_is_full_for_the_team_and_masked_for_others(client, world, db):
    world["household_a"].phone = "+84912345678"
    db.session.commit()
    path = f"/households/{world['household_a'].id}"
    sign_in(client, world["volunteer"])
    assert "0912 345 678" in client.get(path).get_data(as_text=True)
    sign_in(client, world["admin"])
    html = client.get(path).get_data(as_text=True)
    assert "0912 345 678" not in html and "091•••••78" in html


@pytest.mark.parametrize("username,status", [
    ("volunteer", 200), ("leader", 200), ("admin", 200), ("outsider", 404), ("staff", 403),
])
def test_household_page_scope(client, world, username, status):
    sign_in(client, world[username])
    assert client.get(f"/households/{world['household_a'].id}").status_code == status


def new_url(world, key="village_a1"):
    return f"/areas/{world[key].id}/households/new"


def test_add_household_walks_details_consent_and_saves(client, world, db):
    sign_in(client, world["volunteer"])
    details = {"display_name": "Hoàng Thị Yến", "phone": "0987 111 222", "member_count": "3", "is_farm": "y"}
    first = client.post(new_url(world), data={"step": "details", **details})
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert 'name="step" value="consent"' in html and "đồng ý" in html.lower()
    assert count_rows(Household) == 2  # nothing saved before the consent step
    saved = client.post(new_url(world), data={"step": "consent", **details, **SIGNED})
    assert saved.status_code == 303
    household = db.session.scalar(select(Household).where(Household.display_name == "Hoàng Thị Yến"))
    assert saved.headers["Location"] == f"/households/{household.id}"
    assert household.is_farm and household.member_count == 3 and household.consent_method == "signed"


def test_consent_step_is_required(client, world, db):
    sign_in(client, world["volunteer"])
    response = client.post(new_url(world), data={"step": "consent", "display_name": "Hoàng Thị Yến",
                                                 "consent_method": "signed"})
    assert response.status_code == 400
    assert "Chưa có sự đồng ý của người dân thì không được lưu thông tin hộ." in response.get_data(as_text=True)
    assert count_rows(Household) == 2


def test_duplicate_warning_then_the_user_chooses(client, world, db):
    sign_in(client, world["volunteer"])
    data = {"display_name": "Nguyen Van Duc", **SIGNED}
    warned = client.post(new_url(world), data={"step": "consent", **data})
    assert warned.status_code == 200
    html = warned.get_data(as_text=True)
    assert f"/households/{world['household_a'].id}" in html and 'value="confirm"' in html
    assert count_rows(Household) == 2
    saved = client.post(new_url(world), data={"step": "confirm", **data})
    assert saved.status_code == 303
    assert count_rows(Household) == 3


def test_htmx_submit_gets_the_fragment_then_hx_redirect(client, world):
    sign_in(client, world["volunteer"])
    headers = {"HX-Request": "true"}
    step = client.post(new_url(world), data={"step": "details", "display_name": ""}, headers=headers)
    assert step.status_code == 400 and "<html" not in step.get_data(as_text=True)
    done = client.post(new_url(world), data={"step": "consent", "display_name": "Võ Văn Kiệt", **SIGNED},
                       headers=headers)
    assert done.status_code == 204 and done.headers["HX-Redirect"].startswith("/households/")


@pytest.mark.parametrize("data,message", [
    ({"display_name": "x" * 500}, "Tối đa 120 ký tự."),
    ({"display_name": "😀😀"}, "chữ"),
    ({"display_name": "Lê Văn A", "phone": "091234567"}, "10 chữ số"),
    ({"display_name": "Lê Văn A", "notes": "mật khẩu: abc123"}, "mật khẩu"),
])
def test_bad_input_keeps_what_was_typed(client, world, db, data, message):
    sign_in(client, world["volunteer"])
    response = client.post(new_url(world), data={"step": "consent", **data, **SIGNED})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert count_rows(Household) == 2


def test_adding_in_a_village_outside_scope_is_404(client, world):
    sign_in(client, world["volunteer"])
    assert client.get(new_url(world, "village_b1")).status_code == 404
    data = {"step": "consent", "display_name": "X", **SIGNED}
    assert client.post(new_url(world, "village_b1"), data=data).status_code == 404


def test_edit_and_move_outside_scope(client, world, db):
    sign_in(client, world["volunteer"])
    url = f"/households/{world['household_a'].id}/edit"
    assert client.get(url).status_code == 200
    moved = client.post(url, data={"display_name": "Nguyễn Văn Đức", "village_id": world["village_b1"].id})
    assert moved.status_code == 400
    db.session.refresh(world["household_a"])
    assert world["household_a"].village_id == world["village_a1"].id
    ok = client.post(url, data={"display_name": "Nguyễn Văn Đức", "member_count": "6",
                                "village_id": world["village_a1"].id})
    assert ok.status_code == 303
    db.session.refresh(world["household_a"])
    assert world["household_a"].member_count == 6


def test_anonymise_route_is_for_admins(client, world, db):
    url = f"/households/{world['household_a'].id}/anonymise"
    sign_in(client, world["volunteer"])
    assert client.post(url).status_code == 403
    sign_in(client, world["admin"])
    assert client.post(url).status_code == 303
    db.session.refresh(world["household_a"])
    assert world["household_a"].anonymised_at is not None
    page = client.get(f"/households/{world['household_a'].id}").get_data(as_text=True)
    assert "Nguyễn Văn Đức" not in page


def test_village_rows_are_kinds_of_area_only(client, world):
    sign_in(client, world["admin"])
    province = world["province"]
    assert province.kind == AreaKind.PROVINCE
    assert client.get(f"/areas/{province.id}/households").status_code == 404
