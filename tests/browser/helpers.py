"""Steps shared by the browser journeys."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import DEMO_PASSWORD, VIEWPORT

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
