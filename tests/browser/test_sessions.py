"""Signing out ends the session on the server: a cookie copied from the browser before "Đăng xuất"
opens nothing afterwards, in another browser, through the real server."""

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import VIEWPORT
from tests.browser.helpers import HOME_URL, signed_in

LOGIN_NEXT = re.compile(r"/login\?next=/$")


def session_cookies(page: Page) -> list[dict]:
    cookies = [c for c in page.context.cookies() if c["name"].endswith("session")]
    assert cookies, page.context.cookies()
    return cookies


def other_browser(browser: Browser, live_server: str, cookies: list[dict]):
    context = browser.new_context(base_url=live_server, viewport=VIEWPORT, locale="vi-VN")
    context.add_cookies(cookies)
    return context


def test_a_cookie_copied_before_sign_out_opens_nothing_after(page: Page, browser: Browser, live_server):
    signed_in(page, "volunteer")
    copied = session_cookies(page)

    thief = other_browser(browser, live_server, copied)
    try:
        stolen = thief.new_page()
        stolen.goto("/")
        expect(stolen).to_have_url(HOME_URL)  # while the volunteer is signed in, the copy works

        page.locator("footer").get_by_role("button", name="Đăng xuất").click()
        expect(page.get_by_role("status")).to_have_text("Bạn đã đăng xuất.")

        stolen.context.clear_cookies()
        stolen.context.add_cookies(copied)  # the very cookie, as it was before signing out
        stolen.goto("/")
        expect(stolen).to_have_url(LOGIN_NEXT)
        expect(stolen.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
        expect(stolen.locator("footer")).to_have_count(0)
    finally:
        thief.close()


def test_sign_out_on_every_device_from_the_account_page(page: Page, browser: Browser, live_server):
    signed_in(page, "leader")
    second = browser.new_context(base_url=live_server, viewport=VIEWPORT, locale="vi-VN")
    try:
        phone = second.new_page()
        signed_in(phone, "leader")
        page.goto("/account/")
        expect(page.locator("main")).to_contain_text("Bạn đang đăng nhập trên 2 thiết bị")
        page.get_by_role("button", name="Đăng xuất trên mọi thiết bị").click()
        expect(page.get_by_role("status")).to_have_text("Bạn đã đăng xuất trên mọi thiết bị.")
        phone.goto("/")
        expect(phone).to_have_url(LOGIN_NEXT)
    finally:
        second.close()
