"""Steps shared by the browser journeys."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import DEMO_PASSWORD, VIEWPORT, phone_context

MIN_TAP = 44  # px: the smallest comfortable touch target
HOME_URL = re.compile(r"^http://127\.0\.0\.1:\d+/(coverage)?$")  # staff start on coverage


def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()


def signed_in(page: Page, username: str) -> None:
    sign_in(page, username)
    expect(page).to_have_url(HOME_URL)
    expect(page.locator("footer.footer")).to_be_visible()


def html_lang(page: Page, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)


def assert_no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    body = page.evaluate("document.body.scrollWidth")
    assert width <= VIEWPORT["width"] and body <= VIEWPORT["width"], (
        f"the page scrolls sideways at {VIEWPORT['width']} px: "
        f"html {width} px, body {body} px wide")


def assert_tall_enough(locator, what: str) -> None:
    count = locator.count()
    assert count > 0, f"no {what} on the page"
    for index in range(count):
        element = locator.nth(index)
        expect(element).to_be_visible()
        box = element.bounding_box()
        assert box is not None, f"{what} #{index} has no box"
        assert box["height"] >= MIN_TAP, (
            f"{what} {element.inner_text()!r} is {box['height']:.0f} px tall, under {MIN_TAP} px")


@contextmanager
def second_phone(browser, live_server) -> Iterator[Page]:
    """A page on another phone, for the other person; its browser context is closed after."""
    context = phone_context(browser, live_server)
    try:
        yield context.new_page()
    finally:
        context.close()


def latest_log_id(live_app, username: str) -> int:
    from app.accounts.models import User
    from app.extensions import db
    from app.helplogs.models import HelpLog

    with live_app.app_context():
        return db.session.scalar(
            select(HelpLog.id).join(User, User.id == HelpLog.author_id).where(User.username == username)
            .order_by(HelpLog.id.desc()).limit(1))


def submit_waiting_logs(live_app, n: int, username: str = "volunteer") -> list[int]:
    """``n`` logs sent for review by ``username`` for households of their first village, so a
    test does not depend on what earlier tests left in the queue."""
    import uuid

    from app.accounts.models import User
    from app.catalog.models import Service
    from app.core.db import local_today
    from app.extensions import db
    from app.helplogs.queries import my_villages
    from app.helplogs.services import LogInput, submit_log
    from app.households.models import Household

    with live_app.app_context():
        author = db.session.scalar(select(User).where(User.username == username))
        village = my_villages(author)[0]
        households = db.session.scalars(select(Household).where(Household.village_id == village.id,
                                                                Household.anonymised_at.is_(None)).limit(n))
        service = db.session.scalar(select(Service).where(Service.is_active).order_by(Service.sort_order))
        return [submit_log(author, str(uuid.uuid4()), LogInput(
            village_id=village.id, household_id=household.id, service_ids=[service.id],
            helped_on=local_today()))[0].id for household in households]
