"""Browser security headers on every kind of answer, a policy the templates can live with,
and the production cookie and HSTS."""

import re
from pathlib import Path

import pytest

from app import create_app
from tests.conftest import sign_in

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "worker-src 'self'; manifest-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def assert_protected(response) -> None:
    headers = response.headers
    assert headers.get("Content-Security-Policy") == CSP
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") == "same-origin"
    assert headers.get("X-Frame-Options") == "DENY"


def test_a_page_carries_the_headers(client, world):
    response = client.get("/login")
    assert response.status_code == 200
    assert_protected(response)
    # HSTS belongs to production, behind HTTPS: a development server on http must not send it.
    assert "Strict-Transport-Security" not in response.headers


def test_a_fragment_carries_the_headers(client, world):
    sign_in(client, world["admin"])
    response = client.get("/accounts/?q=vol", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.get_data(as_text=True)
    assert_protected(response)


@pytest.mark.parametrize("path,status", [("/no-such-page", 404), ("/logout", 405)])
def test_an_error_page_carries_the_headers(client, world, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_protected(response)


def test_a_server_error_carries_the_headers(app, client, world, monkeypatch):
    from app.home import routes

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(routes, "render", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    sign_in(client, world["volunteer"])
    response = client.get("/")
    assert response.status_code == 500
    assert_protected(response)


def test_static_files_and_redirects_carry_the_headers(client, world):
    for response, status in ((client.get("/static/css/app.css"), 200), (client.get("/"), 302)):
        assert response.status_code == status
        assert_protected(response)
        response.close()


# The policy allows no inline script or style: nothing in the templates may need one.
INLINE = {
    "an inline style attribute": re.compile(r"\sstyle\s*=", re.I),
    "a <style> element": re.compile(r"<style[\s>]", re.I),
    "an inline <script>": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I),
    "an on* event handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "hx-on (htmx evaluates it)": re.compile(r"\shx-on", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
    "a js: value (htmx evaluates it)": re.compile(r"""["']js:""", re.I),
    "an htmx trigger filter (htmx evaluates it)": re.compile(r"hx-trigger[^>]*\w\[", re.I),
}


@pytest.mark.parametrize("what", INLINE)
def test_templates_need_nothing_the_policy_blocks(what):
    found = [f"{path.relative_to(TEMPLATES)}:{n}"
             for path in sorted(TEMPLATES.rglob("*.html"))
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if INLINE[what].search(line)]
    assert not found, f"{what} in {found}"


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code(client):
    html = client.get("/login").get_data(as_text=True)
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'", html).group(1)
    for setting in ('"includeIndicatorStyles": false', '"allowEval": false', '"allowScriptTags": false',
                    # Settling copies an old element's style attribute onto its replacement, which
                    # the policy refuses; the app sets none, but a browser extension may have.
                    '"attributesToSettle": ["class", "width", "height"]'):
        assert setting in config


@pytest.fixture()
def production_app(app):
    # The limiter off: Flask-Limiter keeps its on/off state on one object the suite's app shares.
    return create_app("production", SECRET_KEY="production-test-secret",
                      SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                      RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/9", RATELIMIT_ENABLED=False)


def test_production_sends_hsts_and_a_host_only_secure_session_cookie(production_app, db):
    client = production_app.test_client()
    response = client.get("/login", base_url="https://gocua.example")
    assert response.status_code == 200
    assert_protected(response)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "session=" in c)
    # __Host-: the browser keeps it only when Secure, for Path=/ and without a Domain, so a
    # neighbouring subdomain cannot plant or shadow it.
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "Path=/" in cookie and "HttpOnly" in cookie
    assert "Domain=" not in cookie
