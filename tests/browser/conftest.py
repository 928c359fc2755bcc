"""Browser fixtures: the demo app served on a free port, headless Chromium through Playwright,
and a phone-sized page (390 x 844) in Vietnamese.

The server runs its own SQLite file, built by the Alembic migrations (not ``create_all``) and
filled with the demo data, with CSRF protection on as in production. Every test gets a fresh
browser context, and the demo accounts' language and lock state are reset before each test so
that tests do not depend on each other's order.
"""

import os
import re
import shutil
import threading
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
IN_CI = os.environ.get("CI") == "true"

DEMO_PASSWORD = "gocua-demo"
DEMO_USERS = ("admin", "staff", "leader", "volunteer")
VIEWPORT = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    """Mark every test in this folder (and only this folder) as a browser test."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def find_chromium() -> str | None:
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Chromium is optional on a laptop (the tests skip) but required in CI (they fail)."""
    path = find_chromium()
    if path is None:
        message = "Chromium not found (/usr/bin/chromium or 'chromium' on PATH): browser tests cannot run"
        if IN_CI:
            pytest.fail(f"{message}; they are required in CI.", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app as users get it: migrated schema, demo data, CSRF on; always its own SQLite file
    (never TEST_DATABASE_URL, which the other tests' ``app`` fixture may be using)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.demo.seed import seed_demo

    db_file = tmp_path_factory.mktemp("browser-db") / "browser.sqlite"
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_file}", WTF_CSRF_ENABLED=True)
    with app.app_context():
        upgrade()
        counts = seed_demo()
    assert counts["communes"] == 69 and counts["households"] > 0, counts
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    """The base URL of the app served by Werkzeug on a free port, in a daemon thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True,
                                             args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture()
def demo_accounts(live_app):
    """Reset what a test can change on the demo accounts: language, signed-in sessions, and
    the counts of wrong passwords."""
    from sqlalchemy import delete, select, update

    from app.accounts.models import User, UserSession
    from app.extensions import db, login_throttle

    with live_app.app_context():
        demo_users = User.username.in_(DEMO_USERS)
        db.session.execute(update(User).where(demo_users).values(locale=None))
        db.session.execute(delete(UserSession).where(UserSession.user_id.in_(select(User.id).where(demo_users))))
        db.session.commit()
        login_throttle.reset()
    return DEMO_USERS


# Reports every Content-Security-Policy refusal to the test (the policy refuses, the page
# would just silently lose a style or a script).
CSP_WATCH = """document.addEventListener("securitypolicyviolation", (e) => {
  window.reportCspViolation(`${e.violatedDirective} refused ${e.blockedURI || "inline"} on ${location.pathname}`
                            + ` (${e.sourceFile || "document"}:${e.lineNumber})`);
});"""


@pytest.fixture()
def page_errors() -> list[str]:
    """What went wrong in the page: script errors, missing assets, refusals by the security
    policy. The ``page`` fixture fails the test when it is not empty at the end."""
    return []


def watch(page, errors: list[str]) -> None:
    page.on("pageerror", lambda exc: errors.append(f"script error: {exc}"))
    page.on("response", lambda response: errors.append(f"{response.status} {response.url}")
            if "/static/" in response.url and response.status >= 400 else None)
    page.on("console", lambda message: errors.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text else None)
    page.context.expose_function("reportCspViolation", lambda text: errors.append(f"CSP: {text}"))
    page.context.add_init_script(CSP_WATCH)


def phone_context(browser, base_url: str):
    """A fresh phone-sized browser context (cookies, storage) in Vietnamese."""
    context = browser.new_context(
        base_url=base_url,
        viewport=VIEWPORT,
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    context.set_default_timeout(10_000)
    return context


@pytest.fixture()
def page(browser, live_server, demo_accounts, page_errors):
    """A fresh phone-sized context (cookies, storage) per test, in Vietnamese."""
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    context = phone_context(browser, live_server)
    page = context.new_page()
    watch(page, page_errors)
    yield page
    context.close()
    assert not page_errors, (
        f"the page had broken scripts or assets, or the security policy refused something: {page_errors}")


def shot(page, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    path = SCREENSHOTS / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
