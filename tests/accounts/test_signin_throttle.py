"""Sign-in throttling: wrong passwords pause one address for one account, never the account
for everyone; behind a trusted proxy the client's address counts, not the proxy's; the counts
live in storage every worker shares (Redis in production)."""

import re
import secrets

import pytest

from app import create_app
from app.extensions import limiter
from tests.accounts.conftest import actions
from tests.conftest import PASSWORD, app_with

STRANGER = "203.0.113.9"
VOLUNTEERS_PHONE = "198.51.100.7"
PROXY = "10.0.0.2"


def attempt(client, username, password="nope-nope", *, address=STRANGER, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def fail_until_paused(app, client, username, **where):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert attempt(client, username, **where).status_code == 401
    return attempt(client, username, **where)


def assert_paused(response, minutes=15):
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "tạm khóa" in html and re.search(r"\d\d:\d\d \d\d/\d\d/\d{4}", html)
    assert minutes * 60 - 5 <= int(response.headers["Retry-After"]) <= minutes * 60


def test_a_strangers_wrong_passwords_do_not_lock_the_volunteer_out(app, client, world):
    assert_paused(fail_until_paused(app, client, "volunteer", address=STRANGER))
    assert attempt(client, "volunteer", PASSWORD, address=VOLUNTEERS_PHONE).status_code == 302


def test_the_paused_address_may_not_try_that_account_even_with_the_right_password(app, client, world, db):
    assert_paused(fail_until_paused(app, client, "volunteer"))
    assert_paused(attempt(client, "volunteer", PASSWORD))
    # Other accounts from the same address are not paused.
    assert attempt(client, "leader", PASSWORD).status_code == 302
    assert {"login.failed", "login.locked", "login.refused_locked", "login.succeeded"} <= set(actions(db))


def test_the_pause_ends_after_the_lock_minutes(app, client, world, monkeypatch):
    import time

    from limits.storage import memory

    assert_paused(fail_until_paused(app, client, "volunteer"))
    later = time.time() + app.config["LOGIN_LOCK_MINUTES"] * 60 + 1
    monkeypatch.setattr(memory, "time", type("Clock", (), {"time": staticmethod(lambda: later)}))
    assert attempt(client, "volunteer", PASSWORD).status_code == 302


def test_unknown_usernames_are_paused_alike(app, client, world):
    """Otherwise the pause would tell which usernames exist."""
    assert_paused(fail_until_paused(app, client, "nobody-here"))


def test_spellings_of_one_account_share_a_count(app, client, world, db):
    world["volunteer"].phone = "+84912345678"
    db.session.commit()
    for spelling in ("volunteer", "VOLUNTEER", "0912 345 678", "+84912345678"):
        assert attempt(client, spelling).status_code == 401
    assert_paused(attempt(client, " Volunteer "))


def test_a_right_password_clears_the_count(app, client, world):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        attempt(client, "volunteer")
    assert attempt(client, "volunteer", PASSWORD).status_code == 302
    client.post("/logout")
    assert fail_until_paused(app, client, "volunteer").status_code == 429  # a full count again


def test_forwarded_addresses_are_ignored_without_a_trusted_proxy(app, client, world):
    """A client cannot dodge its count by making up an X-Forwarded-For."""
    for n in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert attempt(client, "volunteer", forwarded=f"192.0.2.{n}").status_code == 401
    assert_paused(attempt(client, "volunteer", forwarded="192.0.2.99"))


@pytest.fixture()
def behind_proxy(app, db):
    """The same database, served behind one trusted reverse proxy."""
    return app_with(app, TRUSTED_PROXY_COUNT=1)


def test_behind_a_trusted_proxy_the_client_address_counts_not_the_proxys(behind_proxy, world):
    client = behind_proxy.test_client()
    paused = fail_until_paused(behind_proxy, client, "volunteer", address=PROXY, forwarded=STRANGER)
    assert_paused(paused)
    response = attempt(client, "volunteer", PASSWORD, address=PROXY, forwarded=VOLUNTEERS_PHONE)
    assert response.status_code == 302


@pytest.fixture()
def rate_limited_behind_proxy(app, db):
    """Behind a trusted proxy with the per-address limit on (3 a minute, to be quick).
    Flask-Limiter keeps its state on one shared object: give it back to the suite's app after."""
    yield app_with(app, TRUSTED_PROXY_COUNT=1, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    limiter.init_app(app)


def test_the_per_address_limit_counts_each_client_behind_the_proxy(rate_limited_behind_proxy, world):
    client = rate_limited_behind_proxy.test_client()
    for _ in range(3):
        assert attempt(client, "nobody", address=PROXY, forwarded=STRANGER).status_code == 401
    assert attempt(client, "nobody", address=PROXY, forwarded=STRANGER).status_code == 429
    # Everyone else behind the same proxy signs in as usual.
    assert attempt(client, "volunteer", PASSWORD, address=PROXY, forwarded=VOLUNTEERS_PHONE).status_code == 302


def test_production_refuses_to_start_without_shared_storage(app):
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        create_app("production", SECRET_KEY="production-test-secret", RATELIMIT_STORAGE_URI="memory://",
                   SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])


@pytest.mark.parametrize("value", ["two", "-1", "1.5"])
def test_a_bad_trusted_proxy_count_is_refused_with_a_clear_message(value, monkeypatch):
    from config import env_int

    monkeypatch.setenv("TRUSTED_PROXY_COUNT", value)
    with pytest.raises(RuntimeError, match="TRUSTED_PROXY_COUNT"):
        env_int("TRUSTED_PROXY_COUNT", 0)


REDIS_URL = "redis://127.0.0.1:6379/9"  # a database of its own, away from other test runs


def redis_or_skip():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")


def test_two_workers_on_redis_share_one_count(app, db, world):
    """Two app processes (here two apps, each with its own Redis client) see the same failures."""
    redis_or_skip()
    workers = [create_app("test", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                          RATELIMIT_STORAGE_URI=REDIS_URL) for _ in range(2)]
    # An address of its own each run: its counts are left to expire in Redis, nothing is flushed.
    address = f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"
    clients = [worker.test_client() for worker in workers]
    for n in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert attempt(clients[n % 2], "volunteer", address=address).status_code == 401
    assert_paused(attempt(clients[1], "volunteer", address=address))
    assert_paused(attempt(clients[0], "volunteer", PASSWORD, address=address))
