"""The volunteer on a phone: logs help for a household with two services, logs a group session,
adds a new household inside the log form, double-taps submit, and finds all on the Today screen."""

import re

from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from tests.browser.conftest import shot
from tests.browser.helpers import assert_no_horizontal_scroll, signed_in

LOG_FORM = "#log-form"


def start_log(page: Page) -> None:
    page.get_by_role("link", name="+ Ghi lượt hỗ trợ").click()
    expect(page.locator("h1")).to_have_text("Ghi lượt hỗ trợ")


def choose_services(page: Page, *names: str) -> None:
    for name in names:
        page.locator(".tile", has_text=name).click()


def save(page: Page) -> None:
    page.get_by_role("button", name="Lưu lượt hỗ trợ").click()
    expect(page.locator(".saved-title")).to_contain_text("Đã lưu")


def count_logs(live_app, **where) -> int:
    from app.extensions import db
    from app.helplogs.models import HelpLog

    with live_app.app_context():
        stmt = select(func.count()).select_from(HelpLog)
        for name, value in where.items():
            stmt = stmt.where(getattr(HelpLog, name) == value)
        return db.session.scalar(stmt)


def test_volunteer_logs_three_ways_and_sees_them_today(page: Page, live_app):
    signed_in(page, "volunteer")
    shot(page, "today-vi")

    # 1. An existing household, found without accents, with two services.
    start_log(page)
    page.select_option("#village_id", label="Tổ dân phố 1 (Thị trấn Thạch Hà)")
    page.fill("#q", "nguyen van duc")
    option = page.locator("#household-options .option", has_text="Nguyễn Văn Đức")
    expect(option).to_have_count(1)
    option.click()
    choose_services(page, "Định danh điện tử VNeID", "Thanh toán không dùng tiền mặt")
    assert_no_horizontal_scroll(page)
    shot(page, "log-form-vi")
    save(page)
    expect(page.locator("#log-form")).to_contain_text("Nguyễn Văn Đức")
    shot(page, "log-saved-vi")

    # 2. A group session at the commune hall: a people count, no household.
    page.get_by_role("link", name=re.compile("Ghi cho hộ khác ở")).click()
    page.locator(".seg", has_text="Hướng dẫn nhóm").click()
    page.fill("#people_count", "25")
    choose_services(page, "An toàn trên không gian mạng")
    save(page)

    # 3. A new household inside the form, with its consent, and a double tap on submit.
    page.goto("/logs/new")
    page.locator(".seg", has_text="Hộ mới").click()
    page.fill("#new-display_name", "Trương Thị Bích")
    page.fill("#new-phone", "0355 222 111")
    page.locator("label.choice", has_text="Ký xác nhận trên giấy").click()
    page.get_by_label("Người dân đã nghe nội dung xin phép và đồng ý").check()
    choose_services(page, "Kỹ năng số cơ bản")
    before = count_logs(live_app)
    page.get_by_role("button", name="Lưu lượt hỗ trợ").dblclick()
    expect(page.locator(".saved-title")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert count_logs(live_app) == before + 1

    # The Today screen shows all three.
    page.goto("/")
    recent = page.locator("#recent-logs")
    expect(recent).to_contain_text("Trương Thị Bích")
    expect(recent).to_contain_text("Buổi hướng dẫn tập trung")
    expect(recent).to_contain_text("Nguyễn Văn Đức")
    shot(page, "today-after-logging-vi")


def test_replaying_the_same_form_stores_one_log(page: Page, live_app):
    signed_in(page, "volunteer")
    start_log(page)
    page.locator(".seg", has_text="Hướng dẫn nhóm").click()
    page.fill("#people_count", "7")
    choose_services(page, "Dịch vụ công trực tuyến")
    client_uuid = page.locator("input[name=client_uuid]").input_value()
    form_data = page.evaluate("() => new URLSearchParams(new FormData(document.querySelector('#log-form'))).toString()")
    save(page)
    # A retry after a timeout sends the same form again.
    response = page.request.post("/logs/new", data=form_data,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 200
    assert count_logs(live_app, client_uuid=client_uuid) == 1


def test_bad_input_keeps_what_was_typed(page: Page):
    signed_in(page, "volunteer")
    start_log(page)
    page.locator(".seg", has_text="Hướng dẫn nhóm").click()
    page.fill("#people_count", "30")
    page.fill("#note", "mật khẩu: abc123")
    page.get_by_role("button", name="Lưu lượt hỗ trợ").click()
    expect(page.locator(".field-error").first).to_be_visible()
    expect(page.locator("#log-form")).to_contain_text("Chọn ít nhất một nội dung hỗ trợ.")
    expect(page.locator("#log-form")).to_contain_text("mật khẩu")
    expect(page.locator("#note")).to_have_value("mật khẩu: abc123")
    expect(page.locator("#people_count")).to_have_value("30")
    shot(page, "log-form-errors-vi")


def test_log_form_in_english(page: Page):
    signed_in(page, "volunteer")
    page.goto("/logs/new?lang=en")
    expect(page.locator("h1")).to_have_text("Log help")
    expect(page.locator(".tile").first).to_contain_text("VNeID e-identity")
    shot(page, "log-form-en")
    page.goto("/?lang=en")
    shot(page, "today-en")
