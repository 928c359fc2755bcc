"""Accounts: the rules in the services, the admin pages, and each user's own account page."""

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role, User, UserSession
from app.accounts.passwords import verify_password
from app.accounts.rules import AccountError, check_role_grant
from app.accounts.services import (
    change_own_password,
    create_account,
    deactivate_account,
    reactivate_account,
    reset_password,
    set_language,
    update_account,
)
from app.accounts.sessions import load_session_user
from app.areas.models import AreaKind
from app.audit.models import AuditEvent
from tests.conftest import (
    PASSWORD,
    count_queries,
    english,
    events,
    login,
    make_area,
    make_user,
    new_session_id,
    sign_in,
)


def session_count(db, user) -> int:
    return db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id))


def user_count(db):
    return db.session.scalar(select(func.count()).select_from(User))


def new_account(actor, **overrides):
    fields = {"username": "tnv.duc", "full_name": "Nguyễn Văn Đức", "role": Role.VOLUNTEER,
              "home_area": None, "phone": "0912 345 678"} | overrides
    return create_account(actor, **fields)


# Services: creating -------------------------------------------------------------

def test_create_account_gives_a_temporary_password_and_audits_masked(db, world):
    user, password = new_account(world["admin"], home_area=world["commune_a"])
    assert user.phone == "+84912345678" and user.search_key == "nguyen van duc"
    assert user.must_change_password and verify_password(user.password_hash, password)
    assert len(password) >= 8
    (event,) = events(db, "user.created")
    assert event.actor_id == world["admin"].id and event.object_id == user.id
    assert event.changes["full_name"] == "•••" and event.changes["phone"] == "•••"
    assert event.changes["role"] == "volunteer"


@pytest.mark.parametrize("overrides,field,status", [
    ({"full_name": "Đ" * 500}, "full_name", 400),
    ({"full_name": "😀🎉"}, "full_name", 400),
    ({"full_name": "   "}, "full_name", 400),
    ({"phone": "091234567"}, "phone", 400),
    ({"phone": "912345678"}, "phone", 400),
    ({"phone": "0212345678"}, "phone", 400),
    ({"username": "Volunteer"}, "username", 409),
    ({"username": "tên có dấu"}, "username", 400),
    ({"role": Role.STAFF}, "home_area", 400),
])
def test_create_account_refuses_bad_values_and_saves_nothing(db, world, overrides, field, status):
    before = user_count(db)
    with pytest.raises(AccountError) as refused:
        new_account(world["admin"], **overrides)
    db.session.rollback()
    assert (refused.value.field, refused.value.status) == (field, status)
    assert english(refused.value)
    assert user_count(db) == before
    assert events(db, "user.created") == []


def test_nine_digits_get_their_own_message(world):
    with pytest.raises(AccountError) as refused:
        new_account(world["admin"], phone="091 234 567")
    assert "9 digits" in english(refused.value)


def test_a_phone_used_by_another_account_is_refused(db, world):
    world["volunteer"].phone = "+84912345678"
    db.session.commit()
    with pytest.raises(AccountError) as refused:
        new_account(world["admin"])
    assert refused.value.field == "phone" and refused.value.status == 409


def test_commune_admin_gives_only_areas_inside_their_commune(db, world, commune_admin):
    inside, _ = new_account(commune_admin, home_area=world["village_a1"])
    assert inside.home_area == world["village_a1"]
    for area in (world["province"], world["commune_b"], None):
        with pytest.raises(AccountError) as refused:
            new_account(commune_admin, username="other", phone=None, home_area=area)
        assert refused.value.field == "home_area" and refused.value.status == 403
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.username == "other")) is None


def test_province_admin_may_leave_the_home_area_empty(db, world):
    user, _ = new_account(world["admin"], home_area=None)
    assert user.home_area is None


def test_nobody_gives_a_role_wider_than_their_own(world):
    check_role_grant(world["leader"], Role.LEADER)
    with pytest.raises(AccountError) as refused:
        check_role_grant(world["leader"], Role.STAFF)
    assert refused.value.status == 403
    check_role_grant(world["admin"], Role.ADMIN)


def test_only_administrators_manage_accounts(db, world):
    with pytest.raises(AccountError) as refused:
        new_account(world["staff"])
    assert refused.value.status == 403
    with pytest.raises(AccountError):
        deactivate_account(world["leader"], world["volunteer"])


# Services: changing -------------------------------------------------------------

def test_update_records_only_the_changed_fields_as_old_new(db, world):
    volunteer = world["volunteer"]
    changes = update_account(world["admin"], volunteer, full_name="Lê Văn Nam", role=Role.LEADER,
                             home_area=world["commune_a"], phone="0987654321")
    assert changes["role"] == ["volunteer", "leader"]
    assert set(changes) == {"full_name", "role", "phone"}
    (event,) = events(db, "user.updated")
    assert event.changes == {"full_name": ["•••", "•••"], "role": ["volunteer", "leader"], "phone": [None, "•••"]}
    assert volunteer.search_key == "le van nam" and volunteer.phone == "+84987654321"
    assert update_account(world["admin"], volunteer, full_name="Lê Văn Nam", role=Role.LEADER,
                          home_area=world["commune_a"], phone="+84 987 654 321") == {}
    assert len(events(db, "user.updated")) == 1


def test_update_refuses_a_bad_value_and_changes_nothing(db, world):
    volunteer = world["volunteer"]
    with pytest.raises(AccountError):
        update_account(world["admin"], volunteer, full_name="Lê Văn Nam", role=Role.LEADER,
                       home_area=world["commune_a"], phone="091234567")
    db.session.rollback()
    db.session.refresh(volunteer)
    assert volunteer.full_name == "Volunteer" and volunteer.role == Role.VOLUNTEER


def test_commune_admin_cannot_widen_a_users_area(db, world, commune_admin):
    with pytest.raises(AccountError) as refused:
        update_account(commune_admin, world["volunteer"], full_name="Volunteer", role=Role.VOLUNTEER,
                       home_area=world["province"], phone=None)
    assert refused.value.field == "home_area" and refused.value.status == 403


def test_commune_admin_cannot_touch_accounts_outside_their_area(db, world, commune_admin):
    with pytest.raises(AccountError) as refused:
        deactivate_account(commune_admin, world["outsider"])
    assert refused.value.status == 403
    assert world["outsider"].is_active


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(db, world):
    admin = world["admin"]
    with pytest.raises(AccountError) as refused:
        deactivate_account(admin, admin)
    assert refused.value.status == 409 and "last active administrator" in english(refused.value)
    with pytest.raises(AccountError) as refused:
        update_account(admin, admin, full_name=admin.full_name, role=Role.STAFF,
                       home_area=admin.home_area, phone=None)
    assert refused.value.status == 409
    db.session.rollback()
    db.session.refresh(admin)
    assert admin.is_active and admin.role == Role.ADMIN


def test_admins_cannot_deactivate_themselves_or_change_their_own_role(db, world, commune_admin):
    admin = world["admin"]
    with pytest.raises(AccountError) as refused:
        deactivate_account(admin, admin)  # another admin exists now: the self rule answers
    assert refused.value.status == 409
    with pytest.raises(AccountError):
        update_account(admin, admin, full_name=admin.full_name, role=Role.STAFF,
                       home_area=admin.home_area, phone=None)


def test_deactivate_ends_sessions_and_reactivate_restores(db, world):
    volunteer = world["volunteer"]
    new_session_id(volunteer)
    new_session_id(volunteer)
    deactivate_account(world["admin"], volunteer)
    assert not volunteer.is_active and session_count(db, volunteer) == 0
    reactivate_account(world["admin"], volunteer)
    assert volunteer.is_active
    assert [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))] == [
        "user.deactivated", "user.activated"]


def test_reset_password_gives_a_temporary_one_and_ends_sessions(db, world):
    volunteer = world["volunteer"]
    new_session_id(volunteer)
    password = reset_password(world["admin"], volunteer)
    assert verify_password(volunteer.password_hash, password)
    assert volunteer.must_change_password and session_count(db, volunteer) == 0
    assert events(db, "user.password_reset")
    with pytest.raises(AccountError):
        reset_password(world["admin"], world["admin"])


def test_change_own_password_checks_the_current_one_and_the_length(db, world):
    volunteer = world["volunteer"]
    cases = [("wrong password", "a-new-password", "current_password"),
             (PASSWORD, "short", "new_password"),
             (PASSWORD, PASSWORD, "new_password")]
    for current, new, field in cases:
        with pytest.raises(AccountError) as refused:
            change_own_password(volunteer, current=current, new=new)
        assert refused.value.field == field
    volunteer.must_change_password = True
    other_device = new_session_id(volunteer)
    this_device = new_session_id(volunteer)  # the session ``volunteer`` now stands for
    change_own_password(volunteer, current=PASSWORD, new="a-new-password")
    assert verify_password(volunteer.password_hash, "a-new-password")
    assert not volunteer.must_change_password
    assert load_session_user(this_device) is not None and load_session_user(other_device) is None
    assert events(db, "user.password_changed")


def test_set_language(db, world):
    set_language(world["volunteer"], "en")
    assert world["volunteer"].locale == "en"
    with pytest.raises(AccountError):
        set_language(world["volunteer"], "fr")


# Routes: the list ------------------------------------------------------------------

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


def test_commune_admin_sees_only_accounts_of_their_commune(client, world, commune_admin):
    sign_in(client, commune_admin)
    results = client.get("/accounts/").get_data(as_text=True).split('id="results"')[1]
    assert "Volunteer" in results and "Leader" in results
    assert "Outsider" not in results and "Staff_B" not in results
    assert client.get(f"/accounts/{world['outsider'].id}").status_code == 404
    assert client.get(f"/accounts/{world['admin'].id}").status_code == 404
    assert client.get(f"/accounts/{world['volunteer'].id}").status_code == 200


@pytest.mark.parametrize("username", ["volunteer", "leader", "staff"])
def test_only_admins_reach_the_account_pages(client, world, username):
    sign_in(client, world[username])
    assert client.get("/accounts/").status_code == 403
    assert client.get(f"/accounts/{world['volunteer'].id}").status_code == 403
    assert client.post(f"/accounts/{world['outsider'].id}/deactivate").status_code == 403
    assert world["outsider"].is_active


def test_account_list_runs_a_bounded_number_of_queries(client, world):
    sign_in(client, world["admin"])
    with count_queries() as small:
        assert client.get("/accounts/").status_code == 200
    for i in range(10):
        make_user(f"more{i}", home_area=make_area(AreaKind.COMMUNE, f"Xã {i}", world["province"]))
    with count_queries() as large:
        assert client.get("/accounts/").status_code == 200
    assert large() == small()


# Routes: creating and editing ---------------------------------------------------------

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


def test_commune_admin_widening_an_area_gets_403_and_a_message(client, world, db, commune_admin):
    sign_in(client, commune_admin)
    volunteer = world["volunteer"]
    response = client.post(f"/accounts/{volunteer.id}", data={
        "full_name": "Volunteer", "role": "volunteer", "home_area": str(world["province"].id), "phone": ""})
    assert response.status_code == 403
    assert "Bạn chỉ được giao khu vực trong Xã Thạch Hà." in response.get_data(as_text=True)
    db.session.expire_all()
    assert volunteer.home_area_id == world["commune_a"].id
    assert events(db, "user.updated") == []


def test_commune_admin_form_offers_only_their_areas(client, world, commune_admin):
    sign_in(client, commune_admin)
    html = client.get("/accounts/new").get_data(as_text=True)
    assert "Xã Thạch Hà" in html and "Xã Can Lộc" not in html and "Tỉnh Hà Tĩnh" not in html
    assert "Không có khu vực" not in html


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
    assert "Bạn không thể ngừng hoạt động tài khoản của chính mình." in response.get_data(as_text=True)


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


# A temporary password, then the user's own account page ------------------------------------

def test_reset_password_then_the_user_must_choose_their_own(client, app, world, db):
    sign_in(client, world["admin"])
    response = client.post(f"/accounts/{world['volunteer'].id}/reset-password")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = response.get_data(as_text=True).split('class="secret">')[1].split("<")[0]

    user = app.test_client()
    assert login(user, "volunteer", password).status_code == 302
    for path in ("/", f"/areas/{world['village_a1'].id}", "/teams/"):
        redirect = user.get(path)
        assert redirect.status_code == 302 and redirect.headers["Location"] == "/account/"
    htmx = user.get("/", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"] == "/account/"
    page = user.get("/account/").get_data(as_text=True)
    assert "Bạn đăng nhập bằng mật khẩu tạm" in page
    response = user.post("/account/password", data={
        "current_password": password, "new_password": "my-own-password", "confirm_password": "my-own-password"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert user.get("/").status_code == 200
    assert login(app.test_client(), "volunteer", "my-own-password").status_code == 302


def test_logout_works_while_a_password_change_is_required(client, world, db):
    world["volunteer"].must_change_password = True
    db.session.commit()
    sign_in(client, world["volunteer"])
    assert client.post("/logout").headers["Location"] == "/login"


def test_own_password_change_keeps_this_session_and_ends_the_others(client, app, world, db):
    other = app.test_client()
    sign_in(other, world["volunteer"])
    sign_in(client, world["volunteer"])
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "another-password", "confirm_password": "another-password"})
    assert response.status_code == 302 and response.headers["Location"] == "/account/"
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert events(db, "user.password_changed")


@pytest.mark.parametrize("data,message", [
    ({"current_password": "wrong-one"}, "Mật khẩu hiện tại không đúng."),
    ({"new_password": "short", "confirm_password": "short"}, "Từ 8 đến 128 ký tự."),
    ({"confirm_password": "something-else"}, "Hai mật khẩu mới không giống nhau."),
    ({"current_password": ""}, "Nhập mật khẩu hiện tại."),
])
def test_own_password_change_bad_input_is_400(client, world, db, data, message):
    sign_in(client, world["volunteer"])
    form = {"current_password": PASSWORD, "new_password": "another-password",
            "confirm_password": "another-password"} | data
    response = client.post("/account/password", data=form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert verify_password(world["volunteer"].password_hash, PASSWORD)


def test_language_is_saved_on_the_profile(client, world, db):
    sign_in(client, world["volunteer"])
    response = client.post("/account/language", data={"locale": "en"})
    assert response.status_code == 302 and response.headers["Location"] == "/account/?lang=en"
    page = client.get(response.headers["Location"])
    assert "Language saved." in page.get_data(as_text=True)
    db.session.expire_all()
    assert world["volunteer"].locale == "en"
    assert client.post("/account/language", data={"locale": "fr"}).status_code == 400


def test_footer_links_every_user_to_their_account(client, world):
    sign_in(client, world["volunteer"])
    html = client.get("/").get_data(as_text=True)
    assert '<a href="/account/">Volunteer</a>' in html
    assert "Tài khoản của tôi" in client.get("/account/").get_data(as_text=True)


def test_navigation_shows_accounts_and_teams_to_admins_only(client, world):
    sign_in(client, world["admin"])
    html = client.get("/?lang=en").get_data(as_text=True)
    assert 'href="/accounts/"' in html and 'href="/teams/"' in html
    sign_in(client, world["volunteer"])
    html = client.get("/?lang=en").get_data(as_text=True)
    assert 'href="/accounts/"' not in html
