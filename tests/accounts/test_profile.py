"""Each user's own account page: a temporary password to replace, the password change, the
language, and the link to it."""

import pytest

from app.accounts.passwords import verify_password
from tests.conftest import PASSWORD, events, login, sign_in


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
