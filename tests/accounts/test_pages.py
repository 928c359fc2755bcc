"""The administrators' account pages: the list (page and fragment, search, filters, pages),
creating, editing, deactivating and reactivating an account."""

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.areas.models import AreaKind
from tests.accounts.conftest import user_count
from tests.conftest import count_queries, make_area, make_user, sign_in


def test_account_list_page_and_fragment(client, world):
    make_user("duc", full_name="Nguyễn Văn Đức", home_area=world["commune_a"])
    sign_in(client, world["admin"])
    page = client.get("/accounts/?q=nguyen van duc")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert "Nguyễn Văn Đức" in html and "Volunteer" not in html.split('id="results"')[1]
    assert "HX-Request" in page.headers["Vary"]
    fragment = client.get("/accounts/?q=NGUYỄN", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert body.startswith('<section id="results"') and "Nguyễn Văn Đức" in body


def test_account_search_box_is_live_and_works_without_javascript(client, world):
    sign_in(client, world["admin"])
    html = client.get("/accounts/").get_data(as_text=True)
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert 'method="get" action="/accounts/"' in html and "<noscript>" in html


def test_account_list_filters_by_role_and_username(client, world):
    sign_in(client, world["admin"])
    html = client.get("/accounts/?role=staff&lang=en").get_data(as_text=True)
    results = html.split('id="results"')[1]
    assert "Staff_B" in results and "Volunteer" not in results
    results = client.get("/accounts/?q=outsid").get_data(as_text=True).split('id="results"')[1]
    assert "Outsider" in results and "Leader" not in results


def test_account_list_refuses_an_unknown_role_with_400(client, world):
    sign_in(client, world["admin"])
    response = client.get("/accounts/?role=superadmin&lang=en")
    assert response.status_code == 400
    assert "Choose a role from the list." in response.get_data(as_text=True)


def test_account_list_pages(client, world):
    for i in range(30):
        make_user(f"tnv{i:02}", full_name=f"Tình nguyện viên {i:02}", home_area=world["commune_a"])
    sign_in(client, world["admin"])
    first = client.get("/accounts/?q=tinh nguyen&lang=en").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Accounts found: 30" in first
    assert "Tình nguyện viên 24" in first and "Tình nguyện viên 25" not in first
    second = client.get("/accounts/?q=tinh nguyen&page=2").get_data(as_text=True)
    assert "Tình nguyện viên 29" in second and "Tình nguyện viên 00" not in second


def test_account_list_runs_a_bounded_number_of_queries(client, world):
    sign_in(client, world["admin"])
    with count_queries() as small:
        assert client.get("/accounts/").status_code == 200
    for i in range(10):
        make_user(f"more{i}", home_area=make_area(AreaKind.COMMUNE, f"Xã {i}", world["province"]))
    with count_queries() as large:
        assert client.get("/accounts/").status_code == 200
    assert large() == small()


def test_create_account_page_shows_the_temporary_password_once(client, world, db):
    sign_in(client, world["admin"])
    assert client.get("/accounts/new").status_code == 200
    response = client.post("/accounts/new", data={
        "username": "tnv.duc", "full_name": "Nguyễn Văn Đức", "role": "volunteer",
        "home_area": str(world["commune_a"].id), "phone": "0912.345.678"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    user = db.session.scalar(select(User).where(User.username == "tnv.duc"))
    html = response.get_data(as_text=True)
    assert "tnv.duc" in html and "Mật khẩu tạm" in html
    assert user.must_change_password and user.phone == "+84912345678"


@pytest.mark.parametrize("data,message", [
    ({"full_name": "Đ" * 500}, "Tối đa 120 ký tự."),
    ({"full_name": "🙂🙂🙂"}, "Tên phải có chữ cái"),
    ({"phone": "091234567"}, "9 chữ số"),
    ({"username": "volunteer"}, "Tên đăng nhập này đã có người dùng."),
    ({"role": "superadmin"}, "Hãy chọn vai trò trong danh sách."),
])
def test_create_account_bad_input_gets_4xx_and_a_clear_message(client, world, db, data, message):
    sign_in(client, world["admin"])
    before = user_count(db)
    form = {"username": "tnv.new", "full_name": "Lê Thị Hoa", "role": "volunteer",
            "home_area": str(world["commune_a"].id), "phone": ""} | data
    response = client.post("/accounts/new", data=form)
    assert 400 <= response.status_code < 500
    assert message in response.get_data(as_text=True)
    assert user_count(db) == before


def test_edit_account_saves_and_redirects(client, world, db):
    sign_in(client, world["admin"])
    volunteer = world["volunteer"]
    page = client.get(f"/accounts/{volunteer.id}").get_data(as_text=True)
    assert 'value="Volunteer"' in page
    response = client.post(f"/accounts/{volunteer.id}", data={
        "full_name": "Lê Văn Nam", "role": "leader", "home_area": str(world["commune_a"].id),
        "phone": "+84 912 345 678"})
    assert response.status_code == 302
    db.session.expire_all()
    assert volunteer.full_name == "Lê Văn Nam" and volunteer.role == "leader"
    assert "Đã lưu." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_deactivating_the_last_admin_gets_409_and_a_message(client, world, db):
    sign_in(client, world["admin"])
    response = client.post(f"/accounts/{world['admin'].id}/deactivate")
    assert response.status_code == 409
    assert "quản trị viên cuối cùng" in response.get_data(as_text=True)
    db.session.expire_all()
    assert world["admin"].is_active


def test_deactivating_yourself_gets_409(client, world, db, commune_admin):
    sign_in(client, world["admin"])
    response = client.post(f"/accounts/{world['admin'].id}/deactivate")
    assert response.status_code == 409
    assert "Bạn không thể vô hiệu hóa tài khoản của chính mình." in response.get_data(as_text=True)


def test_deactivated_user_is_signed_out_and_can_be_reactivated(client, app, world, db):
    other = app.test_client()
    sign_in(other, world["volunteer"])
    assert other.get("/").status_code == 200
    sign_in(client, world["admin"])
    assert client.post(f"/accounts/{world['volunteer'].id}/deactivate").status_code == 302
    assert other.get("/").status_code == 302
    assert client.post(f"/accounts/{world['volunteer'].id}/reactivate").status_code == 302
    db.session.expire_all()
    assert world["volunteer"].is_active


def test_navigation_shows_accounts_and_teams_to_admins_only(client, world):
    sign_in(client, world["admin"])
    html = client.get("/?lang=en").get_data(as_text=True)
    assert 'href="/accounts/"' in html and 'href="/teams/"' in html
    sign_in(client, world["volunteer"])
    html = client.get("/?lang=en").get_data(as_text=True)
    assert 'href="/accounts/"' not in html
