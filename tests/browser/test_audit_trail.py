"""Province staff read the audit trail on a phone: every filter (commune, who, action, days),
the older and newest pages, the CSV download, clearing the filters and going back, in Vietnamese
and English; and the same filters work with JavaScript off."""

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import SCREENSHOTS, VIEWPORT, shot
from tests.browser.helpers import assert_no_horizontal_scroll, assert_tall_enough, signed_in

EVENTS = 60


def seed_trail(live_app) -> dict:
    """Changes to a team of Xã Thạch Hà by the administrator (more than a page of them), a masked
    household change there, and a change to another commune."""
    from sqlalchemy import select

    from app.accounts.models import User
    from app.areas.models import Area
    from app.audit.services import record
    from app.extensions import db
    from app.households.models import Household
    from app.teams.models import Team

    with live_app.app_context():
        thach_ha = db.session.scalar(select(Area).where(Area.code == "18562"))
        other = db.session.scalar(select(Area).where(Area.kind == "commune", Area.id != thach_ha.id).limit(1))
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        team = db.session.scalar(select(Team).where(Team.commune_id == thach_ha.id).limit(1))
        household = db.session.scalar(select(Household).join(Area, Area.id == Household.village_id)
                                      .where(Area.parent_id == thach_ha.id).limit(1))
        for i in range(EVENTS):
            record(admin, "team.updated", team, {"name": [f"Tổ {i}", f"Tổ {i + 1}"]})
        record(admin, "household.updated", household, {"display_name": [household.display_name, "Tên mới"]})
        record(admin, "area.updated", other, {"declared_households": [200, 219]})
        db.session.commit()
        return {"thach_ha": thach_ha.id, "other": other.name, "household": household.display_name}


def save(page: Page, name: str) -> None:
    """The whole page, and what the phone shows first and last, for people to look at."""
    shot(page, f"{name}-full")
    page.screenshot(path=str(SCREENSHOTS / f"{name}-top.png"))
    page.locator("#trail-events .pager").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{name}-bottom.png"))
    page.evaluate("window.scrollTo(0, 0)")


def test_staff_filter_page_and_download_the_audit_trail(page: Page, live_app):
    seeded = seed_trail(live_app)
    signed_in(page, "staff")
    page.locator("nav").get_by_role("link", name="Nhật ký hoạt động").click()
    expect(page.locator("h1")).to_have_text("Nhật ký hoạt động")
    events = page.locator("#trail-events .list > li")
    expect(events).to_have_count(50)
    assert seeded["household"] not in page.content()  # personal values stay masked
    assert_no_horizontal_scroll(page)
    assert_tall_enough(page.locator(".trail-filters button, .trail-filters .button, #trail-events .pager a"),
                       "control")
    save(page, "audit-trail-vi")

    # The commune: htmx swaps the list and the address follows.
    page.select_option("#trail-commune", str(seeded["thach_ha"]))
    expect(page).to_have_url(re.compile(rf"commune={seeded['thach_ha']}"))
    expect(page.locator("#trail-events")).not_to_contain_text("200 → 219")
    expect(page.locator("#trail-events")).to_contain_text("Hộ: ••• → •••")  # the field in words
    expect(page.locator("#trail-events")).to_contain_text(f"Tên: Tổ {EVENTS - 1} → Tổ {EVENTS}")

    # The action, then who did it.
    page.select_option("#trail-action", label="đã sửa một hộ")
    expect(page).to_have_url(re.compile(r"action=household.updated"))
    expect(events).to_have_count(1)
    page.select_option("#trail-action", label="đã sửa một tổ")
    expect(events).to_have_count(50)
    page.fill("#trail-actor", "nobody at all")  # typing filters as it goes
    expect(page.locator("#trail-events")).to_contain_text("Không có mục nhật ký nào phù hợp")
    page.fill("#trail-actor", "admin")
    page.get_by_role("button", name="Lọc").click()
    expect(page).to_have_url(re.compile(r"actor=admin"))
    expect(events).to_have_count(50)

    # Older, then newest.
    page.get_by_role("link", name="Cũ hơn ›").click()
    expect(page).to_have_url(re.compile(r"before=\d+"))
    expect(events).to_have_count(EVENTS - 50)
    page.get_by_role("link", name="« Mới nhất").click()
    expect(page).not_to_have_url(re.compile(r"before="))
    expect(events).to_have_count(50)

    # The download holds the filtered trail, in Vietnamese, with the byte-order mark.
    with page.expect_download() as info:
        page.get_by_role("link", name="Tải về tệp CSV").click()
    body = Path(info.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "Thời gian" and len(rows) == EVENTS + 1
    assert {row[4] for row in rows[1:]} == {"đã sửa một tổ"}

    # Days: a period that holds today keeps them, one in the past empties the list.
    page.fill("#trail-start", "2020-01-01")
    page.fill("#trail-end", "2020-01-31")
    page.get_by_role("button", name="Lọc").click()
    expect(page.locator("#trail-events")).to_contain_text("Không có mục nhật ký nào phù hợp")
    expect(page.locator('[data-date-echo="trail-start"]')).to_have_text("01/01/2020")

    # Clearing the filters shows every event again; back brings the filtered list back.
    page.get_by_role("link", name="Bỏ lọc").click()
    expect(page).to_have_url(re.compile(r"/audit$"))
    expect(page.locator("#trail-events")).to_contain_text("Số hộ theo số liệu của xã: 200 → 219")
    page.go_back()
    expect(page).to_have_url(re.compile(r"start=2020-01-01"))
    expect(page.locator("#trail-events")).to_contain_text("Không có mục nhật ký nào phù hợp")

    page.goto("/audit?lang=en")
    expect(page.locator("h1")).to_have_text("Audit trail")
    expect(page.locator("#trail-events")).to_contain_text("changed a village")
    expect(page.locator("#trail-events")).to_contain_text("Households declared: 200 → 219")
    expect(page.locator("#trail-events")).not_to_contain_text("declared_households")
    assert_no_horizontal_scroll(page)
    save(page, "audit-trail-en")
    page.goto("/audit?lang=vi")


def test_the_audit_filters_work_without_javascript(browser, live_server, live_app, demo_accounts):
    seeded = seed_trail(live_app)
    context = browser.new_context(base_url=live_server, viewport=VIEWPORT, java_script_enabled=False,
                                  locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    try:
        page.goto("/login")
        page.fill("#username", "staff")
        page.fill("#password", "gocua-demo")
        page.locator("main form button[type=submit]").click()
        page.goto("/audit")
        page.select_option("#trail-commune", str(seeded["thach_ha"]))
        page.select_option("#trail-action", label="đã sửa một hộ")
        page.get_by_role("button", name="Lọc").click()
        assert f"commune={seeded['thach_ha']}" in page.url and "action=household.updated" in page.url
        listed = page.locator("#trail-events .list > li")
        expect(listed.first).to_contain_text("Hộ: ••• → •••")
        assert listed.count() == listed.filter(has_text="đã sửa một hộ").count()
        page.fill("#trail-start", "2020-02-01")
        page.fill("#trail-end", "2020-01-01")
        page.get_by_role("button", name="Lọc").click()
        expect(page.locator("#trail-events .flash-error")).to_have_text("Kỳ báo cáo kết thúc trước khi bắt đầu.")
    finally:
        context.close()
