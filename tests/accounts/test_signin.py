"""Signing in and out: the form and what it refuses, where it leads, the session it renews, and
signing out."""

import pytest

from app.accounts.services import set_active
from tests.accounts.conftest import actions
from tests.conftest import PASSWORD, login


def test_login_page_renders_in_vietnamese_by_default(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html
    assert 'name="username"' in html and 'name="password"' in html


def test_sign_in_with_username_redirects_home_and_audits(client, world, db):
    response = login(client, "volunteer")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert "login.succeeded" in actions(db)


def test_sign_in_with_phone_in_local_format(client, world, db):
    world["volunteer"].phone = "+84912345678"
    db.session.commit()
    response = client.post("/login", data={"username": "0912 345 678", "password": PASSWORD})
    assert response.status_code == 302


def test_username_is_case_insensitive(client, world):
    assert login(client, "VOLUNTEER").status_code == 302


@pytest.mark.parametrize("username,password", [("volunteer", "wrong-password"), ("nobody", PASSWORD)])
def test_wrong_credentials_get_401_and_the_same_message(client, world, username, password):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 401
    assert "Sai tên đăng nhập, số điện thoại hoặc mật khẩu." in response.get_data(as_text=True)


def test_missing_fields_get_400_with_field_messages(client, world):
    response = client.post("/login?lang=en", data={"username": "", "password": ""})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter your username or phone number." in html
    assert "Enter your password." in html


def test_over_long_field_is_refused_with_400(client, world):
    response = client.post("/login", data={"username": "a" * 500, "password": "x"})
    assert response.status_code == 400
    assert "Tối đa 64 ký tự." in response.get_data(as_text=True)


def test_non_utf8_body_is_refused_with_400(client, world):
    response = client.post(
        "/login", data="username=volunteer%FF%FE&password=x".encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "UTF-8" in response.get_data(as_text=True)


def test_raw_latin1_bytes_are_refused_with_400(client, world):
    response = client.post("/login", data=b"username=Nguy\xeau&password=x",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_repeated_failures_pause_the_address_for_the_account(client, world, db, app):
    """The rules of the pause are in test_signin_throttle; here, what the user sees."""
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        assert login(client, "volunteer", "nope-nope").status_code == 401
    response = login(client, "volunteer", "nope-nope")
    assert response.status_code == 429
    assert "tạm khóa" in response.get_data(as_text=True)
    assert login(client, "volunteer").status_code == 429
    assert "login.locked" in actions(db)


def test_sign_in_renews_the_session(client, world):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client, "volunteer")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"].startswith(f"{world['volunteer'].id}:")


@pytest.mark.parametrize("target,expected", [
    ("/areas/1", "/areas/1"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_redirect_after_sign_in_stays_inside_the_app(client, world, target, expected):
    response = client.post("/login", query_string={"next": target},
                           data={"username": "volunteer", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_sign_out_is_a_post(client, world):
    login(client, "volunteer")
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_deactivated_users_session_stops_working(client, world, db):
    login(client, "volunteer")
    assert client.get("/").status_code == 200
    set_active(world["admin"], world["volunteer"], False)
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert login(client, "volunteer").status_code == 401


def test_signed_in_user_visiting_login_goes_home(client, world):
    login(client, "volunteer")
    response = client.get("/login")
    assert response.status_code == 302


def test_expired_session_under_htmx_gets_hx_redirect(client, world):
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")


def test_expired_session_on_a_page_redirects_to_login_with_next(client, world):
    response = client.get("/areas/1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/areas/1"
