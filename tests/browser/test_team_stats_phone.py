"""The team's members' figures at 390 px: each member a line of five labelled figures under the
name, every label on one line (in Vietnamese and English), no two figures touching, the week and month saying
where they start."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.helpers import assert_no_horizontal_scroll, signed_in


def assert_figures_read_cleanly(page: Page, rows) -> None:
    """Five figures on one line per member, none touching, every label on one line."""
    expect(rows.first).to_be_visible()
    line = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('table.member-stats td'),"
                         " '::before').lineHeight)")
    for index in range(rows.count()):
        cells = rows.nth(index).locator("td")
        boxes = [cells.nth(i).bounding_box() for i in range(cells.count())]
        assert len(boxes) == 5
        for left, right in zip(boxes, boxes[1:], strict=False):
            assert left["y"] == right["y"], "the five figures are not on one line"
            assert right["x"] - (left["x"] + left["width"]) >= 4, "two figures touch"
        label_heights = page.evaluate(
            "(row) => [...row.querySelectorAll('td')].map(td => parseFloat(getComputedStyle(td, '::before').height))",
            rows.nth(index).element_handle())
        assert all(height <= line * 1.5 for height in label_heights), f"a label wraps: {label_heights}"
    assert_no_horizontal_scroll(page)


def test_members_figures_read_cleanly_on_a_phone(page: Page):
    signed_in(page, "leader")
    page.goto("/teams/")
    page.locator("#results a").first.click()
    page.get_by_role("link", name="Thống kê tổ").click()
    expect(page).to_have_url(re.compile(r"/teams/\d+/stats$"))
    expect(page.locator("table.member-stats thead")).not_to_be_in_viewport()
    rows = page.locator("table.member-stats tbody tr")
    assert_figures_read_cleanly(page, rows)
    headers = page.locator("table.member-stats thead th .since")
    expect(headers.first).to_have_text(re.compile(r"^từ \d\d/\d\d$"))
    rows.first.scroll_into_view_if_needed()
    shot(page, "team-stats-members-vi")
    page.goto(page.url.split("?")[0] + "?lang=en")
    expect(rows.first.locator("td.month")).to_have_attribute("data-label", "This month")
    assert_figures_read_cleanly(page, rows)  # "This month", the longest label, on one line too
    shot(page, "team-stats-members-en")
