"""Signed-in sessions live on the server: signing out ends them for real, on every app server."""

from datetime import timedelta

from sqlalchemy import select, update

from app.accounts.models import UserSession
from app.accounts.sessions import load_session_user
from app.audit.models import AuditEvent
from app.core.db import utcnow
from tests.accounts.conftest import live_sessions
from tests.conftest import PASSWORD, count_queries, login, new_session_id


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def with_cookie(app, value: str):
    """A different browser holding a copy of someone's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def assert_signed_out(client) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    htmx = client.get("/", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login")


def test_a_cookie_copied_before_sign_out_is_refused_after(app, client, world):
    assert login(client, "volunteer").status_code == 302
    copied = session_cookie(client)
    assert with_cookie(app, copied).get("/").status_code == 200  # the copy works while signed in
    assert client.post("/logout").status_code == 302
    assert_signed_out(with_cookie(app, copied))


def test_sign_out_ends_only_that_session(app, client, world, db):
    other_phone = app.test_client()
    login(other_phone, "volunteer")
    login(client, "volunteer")
    assert live_sessions(db, world["volunteer"]) == 2
    client.post("/logout")
    assert live_sessions(db, world["volunteer"]) == 1
    assert other_phone.get("/").status_code == 200


def test_sign_out_everywhere_ends_every_session_of_the_user_only(app, client, world, db):
    other_phone = app.test_client()
    login(other_phone, "volunteer")
    leader = app.test_client()
    login(leader, "leader")
    login(client, "volunteer")
    page = client.get("/account/?lang=en").get_data(as_text=True)
    assert "signed in on 2 devices" in page and "Sign out on every device" in page
    response = client.post("/account/sign-out-everywhere")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert_signed_out(client)
    assert_signed_out(other_phone)
    assert leader.get("/").status_code == 200
    assert live_sessions(db, world["volunteer"]) == 0
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "user.signed_out_everywhere"))


def test_sign_out_everywhere_is_a_post(client, world):
    login(client, "volunteer")
    assert client.get("/account/sign-out-everywhere").status_code == 405


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app, client, world):
    other_phone = app.test_client()
    login(other_phone, "volunteer")
    login(client, "volunteer")
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a-new-password", "confirm_password": "a-new-password"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert_signed_out(other_phone)


def test_an_idle_session_expires_on_the_server(app, client, world, db):
    login(client, "volunteer")
    lifetime = app.config["PERMANENT_SESSION_LIFETIME"]
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - lifetime - timedelta(minutes=1)))
    db.session.commit()
    assert_signed_out(client)


def test_last_seen_is_written_at_most_once_per_interval(app, client, world, db):
    login(client, "volunteer")
    stale = utcnow() - app.config["SESSION_TOUCH_INTERVAL"] - timedelta(minutes=1)
    db.session.execute(update(UserSession).values(last_seen_at=stale))
    db.session.commit()
    with count_queries() as first:
        assert client.get("/account/").status_code == 200
    seen = db.session.scalar(select(UserSession.last_seen_at))
    assert seen > stale + timedelta(minutes=1)
    with count_queries() as second:
        assert client.get("/account/").status_code == 200
    assert db.session.scalar(select(UserSession.last_seen_at)) == seen
    assert first() == second() + 1  # the one UPDATE


def test_the_session_and_its_user_load_in_one_statement(app, world):
    session_id = new_session_id(world["volunteer"])
    with app.test_request_context(), count_queries() as statements:
        assert load_session_user(session_id) == world["volunteer"]
    assert statements() == 1


def test_a_forged_or_foreign_session_id_is_nobody(app, world):
    mine = new_session_id(world["volunteer"])
    key = mine.partition(":")[2]
    with app.test_request_context():
        assert load_session_user(mine) is not None
        assert load_session_user(f"{world['leader'].id}:{key}") is None  # my key, another user
        assert load_session_user(f"{world['volunteer'].id}:not-the-key") is None
        assert load_session_user(f"{world['volunteer'].id}") is None
        assert load_session_user("x:y") is None
