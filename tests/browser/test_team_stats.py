"""The leader opens the team statistics from the team page on a phone: members' figures and the
villages' reach fit the screen without sideways scrolling."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.helpers import assert_no_horizontal_scroll, assert_tall_enough, signed_in

TEAM_1 = "Tổ công nghệ số cộng đồng Thạch Hà 1"


def test_leader_reads_the_team_statistics_on_a_phone(page: Page):
    signed_in(page, "leader")
    page.goto("/teams/")
    page.locator("#results a", has_text=TEAM_1).click()
    expect(page.locator("h1")).to_have_text(TEAM_1)
    page.get_by_role("link", name="Thống kê tổ").click()
    expect(page).to_have_url(re.compile(r"/teams/\d+/stats$"))

    members = page.locator("table.stats tbody tr")
    expect(members.first).to_be_visible()
    assert members.count() == 4  # the demo team: the leader and three volunteers
    expect(page.locator("table.stats")).to_contain_text("Trần Thị Hương")
    villages = page.locator(".village-reach")
    assert villages.count() == 4
    expect(villages.first.locator(".reach-total")).to_contain_text("hộ được hỗ trợ")
    assert_tall_enough(villages.locator("summary"), "village summary")
    villages.first.locator("summary").click()
    expect(villages.first.locator(".list.reach li").first).to_contain_text("Định danh điện tử VNeID")
    assert_no_horizontal_scroll(page)
    table_box = page.locator(".table-scroll").bounding_box()
    assert table_box["x"] + table_box["width"] <= 390
    pending = page.locator("table.stats td.pending a")
    if pending.count():
        assert_tall_enough(pending, "link to a volunteer's logs waiting for review")
    shot(page, "team-stats-vi")

    # The members' table fits inside its box in both languages (English labels are longer).
    for lang in ("vi", "en"):
        page.goto(page.url.split("?")[0] + f"?lang={lang}")
        assert page.evaluate("(() => { const box = document.querySelector('.table-scroll');"
                             " return box.scrollWidth <= box.clientWidth; })()"), f"the table scrolls in {lang}"
    expect(page.locator("h2", has_text="Active tasks")).to_be_visible()
    shot(page, "team-stats-en")
    page.goto(page.url.split("?")[0] + "?lang=vi")
