"""Words a volunteer reads, on a phone: an administrator gives a kind of help a short name and
lists show it (the full name on hover, and on the log's own page); the imports page explains
each column in words; a date input repeats the chosen day as dd/mm/yyyy."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.helpers import assert_no_horizontal_scroll, signed_in


def test_admin_renames_a_kind_of_help_and_opens_the_column_help(page: Page):
    signed_in(page, "admin")
    page.get_by_role("link", name="Nội dung hỗ trợ").click()
    expect(page.locator("h1")).to_have_text("Nội dung hỗ trợ")
    expect(page.locator(".list.services")).to_contain_text("Y tế số")
    assert_no_horizontal_scroll(page)
    shot(page, "services-index-vi")
    page.locator(".list.services a", has_text="Công dân số").click()
    short = page.locator("#service-form input[name=short_name_vi]")
    expect(short).to_have_value("Công dân số")
    short.fill("")
    page.locator("#service-form input[name=name_vi]").fill("")
    page.locator("#service-form button[type=submit]").click()  # htmx: 400 swaps the form in place
    expect(page.locator("#service-form .field-error")).to_have_text("Nhập tên đầy đủ của nội dung hỗ trợ.")
    shot(page, "services-edit-error-vi")
    page.locator("#service-form input[name=name_vi]").fill("Ứng dụng công dân số của tỉnh, phản ánh hiện trường")
    short.fill("Công dân số HT")
    page.locator("#service-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/services/$"))
    expect(page.locator(".list.services")).to_contain_text("Công dân số HT")
    # Put it back for the other journeys.
    page.locator(".list.services a", has_text="Công dân số HT").click()
    short.fill("Công dân số")
    page.locator("#service-form button[type=submit]").click()
    expect(page.locator(".list.services")).to_contain_text("Công dân số")

    page.locator(".mainnav a", has_text="Nhập dữ liệu").click()
    help_list = page.locator("#import-households details.columns")
    help_list.locator("summary").click()
    expect(help_list.locator("li")).to_have_count(12)
    expect(help_list.locator("li").first).to_have_text("Mã quốc gia của xã, ví dụ 18562")
    shot(page, "imports-columns-vi")


def test_volunteer_reads_short_names_in_lists_and_a_day_beside_the_date(page: Page):
    signed_in(page, "volunteer")
    page.locator(".mainnav a", has_text="Đã ghi").click()
    first = page.locator("#log-list li abbr").first
    expect(first).to_have_attribute("title", re.compile(r".{12,}"))  # the full name on hover
    assert not re.search(r"\b(VNEID|TTKDTM|YTASXH|CKS)\b", page.locator("#log-list").inner_text())
    shot(page, "my-logs-short-names-vi")
    page.goto("/logs/new")
    date = page.locator("#helped_on")
    date.fill("2026-11-03")
    expect(page.locator('[data-date-echo="helped_on"]')).to_have_text("03/11/2026")
    page.goto("/logs/new?lang=en")
    expect(page.locator('[data-date-echo="helped_on"]')).to_have_text(re.compile(r"^\d\d/\d\d/\d{4}$"))
    shot(page, "log-form-date-en")
