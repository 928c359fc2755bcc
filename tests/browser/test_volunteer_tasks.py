"""The volunteer's tasks on a phone: a Nhiệm vụ tab in the navigation, its filters, and Today's
"My tasks" split into the tasks given to me and the team's open ones."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.helpers import assert_no_horizontal_scroll, signed_in


def test_volunteer_uses_the_tasks_tab(page: Page):
    signed_in(page, "volunteer")
    tasks = page.locator(".today-tasks")
    expect(tasks.first).to_be_visible()
    titles = page.locator(".my-tasks h3.task-group")
    expect(titles.first).to_have_text(re.compile(r"^(Giao cho tôi|Của tổ, chưa có người nhận) \(\d+\)$"))
    shot(page, "today-my-tasks-vi")

    page.locator(".mainnav a", has_text="Nhiệm vụ").click()
    expect(page).to_have_url(re.compile(r"/tasks$"))
    expect(page.locator("h1")).to_have_text("Nhiệm vụ")
    expect(page.locator(".mainnav a[aria-current]")).to_have_text("Nhiệm vụ")
    expect(page.get_by_role("link", name="Nhiệm vụ mới")).to_have_count(0)  # leaders set tasks
    assert_no_horizontal_scroll(page)
    shot(page, "tasks-volunteer-vi")
    who = page.locator(".filters-nav").nth(1).locator("a")
    for index in (1, 2, 0):  # mine, open, all
        who.nth(index).click()
        expect(who.nth(index)).to_have_attribute("aria-current", "true")
    first = page.locator("#task-list li a").first
    first.click()
    expect(page).to_have_url(re.compile(r"/tasks/\d+$"))

    page.goto("/?lang=en")
    expect(page.locator(".mainnav a", has_text="Tasks")).to_be_visible()
    expect(page.locator(".my-tasks h3.task-group").first).to_have_text(
        re.compile(r"^(Given to me|Open tasks of my team) \(\d+\)$"))
    shot(page, "today-my-tasks-en")
    page.locator(".mainnav a", has_text="Tasks").click()
    expect(page.locator("h1")).to_have_text("Tasks")
    shot(page, "tasks-volunteer-en")
