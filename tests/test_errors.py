"""Error pages in both languages, CSRF on, rate limiting, and the health check."""

from sqlalchemy.exc import OperationalError

from tests.conftest import PASSWORD, app_with, sign_in


def test_404_is_friendly_in_vietnamese_and_english(client, world):
    sign_in(client, world["volunteer"])
    vi = client.get("/no-such-page")
    assert vi.status_code == 404
    assert "Không tìm thấy trang" in vi.get_data(as_text=True)
    en = client.get("/no-such-page?lang=en")
    assert en.status_code == 404
    assert "Page not found" in en.get_data(as_text=True)


def test_403_for_a_role_not_in_the_table(client, world, monkeypatch):
    from app import access

    monkeypatch.setitem(access.ACCESS, "areas.show", access.ADMIN)
    sign_in(client, world["volunteer"])
    response = client.get(f"/areas/{world['village_a1'].id}")
    assert response.status_code == 403
    assert "Bạn không có quyền truy cập trang này" in response.get_data(as_text=True)


def test_405_page(client):
    response = client.put("/login")
    assert response.status_code == 405
    assert "Vui lòng dùng các nút trên trang." in response.get_data(as_text=True)
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}  # RFC 9110 §15.5.6
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


def test_500_page_is_friendly_and_rolls_back(app, db, monkeypatch):
    from app.home import services

    def broken(user):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "dashboard", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        from tests.conftest import make_user

        user = make_user("someone")
        client = app.test_client()
        sign_in(client, user)
        response = client.get("/?lang=en")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)


def test_too_large_body_is_413(client):
    response = client.post("/login", data={"username": "x" * (3 * 1024 * 1024), "password": "x"})
    assert response.status_code == 413


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_healthz_503_when_the_database_does_not_answer(client, monkeypatch):
    from app.core import health

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(health.db.session, "execute", down)
    response = client.get("/healthz")
    assert response.status_code == 503


def test_post_without_csrf_token_is_refused(csrf_app, world):
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": "volunteer", "password": PASSWORD})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)


def test_post_with_wrong_csrf_token_is_refused(csrf_app, world):
    client = csrf_app.test_client()
    client.get("/login")
    response = client.post("/login", data={"username": "volunteer", "password": PASSWORD,
                                           "csrf_token": "forged"})
    assert response.status_code == 400


def test_sign_out_without_token_is_refused(csrf_app, world):
    client = csrf_app.test_client()
    sign_in(client, world["volunteer"])
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200  # still signed in


def test_post_with_token_in_form_or_htmx_header_passes(csrf_app, world):
    import re

    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": "volunteer", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    response = client.post("/logout", headers={"X-CSRFToken": header_token, "HX-Request": "true"})
    assert response.status_code == 302


def test_login_is_throttled_by_address(app, world):
    limited = app_with(app, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", LOGIN_MAX_FAILURES=100)
    client = limited.test_client()
    statuses = [client.post("/login", data={"username": "nobody", "password": "x"}).status_code
                for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    response = client.post("/login?lang=en", data={"username": "nobody", "password": "x"})
    assert "Too many attempts" in response.get_data(as_text=True)
    # Other addresses are not affected.
    other = client.post("/login", data={"username": "nobody", "password": "x"},
                        environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 401
