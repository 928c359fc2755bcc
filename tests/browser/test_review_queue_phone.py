"""The review queue on a phone: the first row, with its outcome and people count, on the first
screen; the filters behind one "Lọc" line that names what is chosen."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import VIEWPORT, shot
from tests.browser.helpers import assert_no_horizontal_scroll, signed_in, submit_waiting_logs


def test_first_row_on_the_first_screen_and_filters_folded(page: Page, live_app):
    submit_waiting_logs(live_app, 1)
    signed_in(page, "leader")
    page.goto("/review")
    row = page.locator(".review-row").first
    expect(row.locator(".outcome")).to_contain_text("người")
    approve = row.get_by_role("button", name="Duyệt")
    box = approve.bounding_box()
    assert box["y"] + box["height"] <= VIEWPORT["height"], f"the first row's Approve is at y={box['y']:.0f}"
    expect(page.locator("#filter-author")).to_be_hidden()
    assert_no_horizontal_scroll(page)
    shot(page, "review-queue-phone-vi")

    page.locator(".filter-fold summary").click()
    name = page.locator("#filter-author option").nth(1).inner_text()
    page.select_option("#filter-author", label=name)
    expect(page.locator("#filter-chosen")).to_have_text(name)
    expect(page).to_have_url(re.compile(r"author=\d+"))
    page.locator(".filter-fold summary").click()
    expect(page.locator("#filter-author")).to_be_hidden()
    expect(page.locator(".filter-fold summary")).to_contain_text(name)


def test_queue_in_english(page: Page, live_app):
    submit_waiting_logs(live_app, 1)
    signed_in(page, "leader")
    page.goto("/review?lang=en")
    expect(page.locator(".filter-fold summary")).to_contain_text("Filter")
    expect(page.locator(".review-row").first.locator(".outcome")).to_contain_text(re.compile(r"\d+ (person|people)"))
    page.locator(".filter-fold summary").click()
    shot(page, "review-queue-filters-en")


def test_leaders_today_says_what_waits_above_the_fold(page: Page, live_app):
    submit_waiting_logs(live_app, 1)
    signed_in(page, "leader")
    waiting = page.locator(".waiting-reviews a")
    expect(waiting).to_have_text(re.compile(r"^\d+ lượt chờ bạn duyệt ›$"))
    expect(waiting).to_be_in_viewport()
    log_button = page.get_by_role("link", name="+ Ghi lượt hỗ trợ")
    assert waiting.bounding_box()["y"] < log_button.bounding_box()["y"]
    shot(page, "today-leader-vi")
    page.goto("/?lang=en")
    expect(waiting).to_have_text(re.compile(r"^\d+ logs? waiting for your review ›$"))
    shot(page, "today-leader-en")
    waiting.click()
    expect(page).to_have_url(re.compile(r"/review$"))
    expect(page.locator("h1")).to_have_text("Logs to review")
