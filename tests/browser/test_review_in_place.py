"""A leader acts where they read: from a queue row to the log's page, Approve there and land
on the next waiting log, Return that one with a reason and land on the next; in the queue, an
approval in place updates the waiting count."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.helpers import assert_no_horizontal_scroll, signed_in, submit_waiting_logs


def waiting(page: Page) -> int:
    return int(re.match(r"\d+", page.locator("#waiting-count").inner_text()).group())


def log_id_of(page: Page) -> int:
    return int(re.search(r"/logs/(\d+)$", page.url).group(1))


def test_leader_approves_and_returns_on_the_log_page_landing_on_the_next(page: Page, live_app):
    submit_waiting_logs(live_app, 3)
    signed_in(page, "leader")
    page.goto("/review")
    before = waiting(page)
    page.locator(".review-row a.who").first.click()
    expect(page).to_have_url(re.compile(r"/logs/\d+$"))
    first = log_id_of(page)
    actions = page.locator(".log-review")
    expect(actions.get_by_role("button", name="Duyệt")).to_be_in_viewport()
    assert_no_horizontal_scroll(page)
    shot(page, "log-page-review-vi")

    actions.get_by_role("button", name="Duyệt").click()
    expect(page.locator(".flash-success")).to_have_text("Đã duyệt.")
    expect(page).not_to_have_url(re.compile(rf"/logs/{first}$"))
    second = log_id_of(page)
    expect(page.locator(".status")).to_have_text("Chờ duyệt")

    actions.locator("summary", has_text="Trả lại").click()
    actions.get_by_role("button", name="Trả lại cho tình nguyện viên").click()
    expect(page.locator(".field-error")).to_be_visible()  # no reason chosen: 400, the form open
    expect(page).to_have_url(re.compile(rf"/review/{second}/return"))
    actions.locator("label.choice", has_text="Trùng lặp").click()
    actions.get_by_role("button", name="Trả lại cho tình nguyện viên").click()
    expect(page.locator(".flash-success")).to_have_text("Đã trả lại cho tình nguyện viên.")
    third = log_id_of(page)
    assert third not in (first, second)

    page.get_by_role("link", name="Lượt chờ duyệt tiếp theo ›").click()
    expect(page).not_to_have_url(re.compile(rf"/logs/{third}$"))
    page.goto("/review")
    assert waiting(page) == before - 2
    expect(page.locator(f"#review-{first}")).to_have_count(0)


def test_queue_count_follows_an_approval_in_place(page: Page, live_app):
    submit_waiting_logs(live_app, 2)
    signed_in(page, "leader")
    page.goto("/review?lang=en")
    before = waiting(page)
    row = page.locator(".review-row").first
    row.get_by_role("button", name="Approve").click()
    expect(row.locator(".status")).to_have_text("Approved")
    expect(page.locator("#waiting-count")).to_have_text(re.compile(rf"^{before - 1} log"))
    page.locator(".review-row a.who").nth(1).click()
    expect(page.locator(".log-review").get_by_role("button", name="Approve")).to_be_visible()
    shot(page, "log-page-review-en")


def test_a_log_opened_from_a_filtered_queue_moves_on_within_the_filter(page: Page, live_app):
    """The queue filtered to one volunteer: Approve on a log's page lands on that volunteer's
    next waiting log, never another's, and the way back is the same filtered queue."""
    mine = submit_waiting_logs(live_app, 2, username="tnv.hoa")
    submit_waiting_logs(live_app, 2)  # another volunteer's, received after
    signed_in(page, "leader")
    page.goto("/review")
    page.locator(".filter-fold summary").click()
    page.select_option("#filter-author", label="Võ Thị Hoa")
    expect(page).to_have_url(re.compile(r"author=\d+"))
    author = re.search(r"author=(\d+)", page.url).group(1)
    page.locator(f"#review-{mine[0]} a.who").click()
    expect(page).to_have_url(re.compile(rf"/logs/{mine[0]}\?author={author}$"))

    page.locator(".log-review").get_by_role("button", name="Duyệt").click()
    expect(page.locator(".flash-success")).to_have_text("Đã duyệt.")
    expect(page).to_have_url(re.compile(rf"/logs/\d+\?author={author}$"))
    expect(page.locator("main")).to_contain_text("Người ghi: Võ Thị Hoa")  # hers, not the newer ones of another
    shot(page, "log-page-review-filtered-vi")

    while page.locator(".log-review").count():
        page.locator(".log-review").get_by_role("button", name="Duyệt").click()
        expect(page.locator(".flash-success")).to_have_text("Đã duyệt.")
    expect(page).to_have_url(re.compile(rf"/review\?author={author}$"))  # nothing of hers left: her queue
    expect(page.locator("#filter-author option:checked")).to_have_text("Võ Thị Hoa")
