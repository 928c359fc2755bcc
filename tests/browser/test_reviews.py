"""The review loop on phones: the volunteer logs help, the leader returns it with a reason, the
volunteer sees it at the top of Today, fixes and resubmits, the leader approves; and two leader
sessions acting on one log, the second told that it changed."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.helpers import assert_no_horizontal_scroll, latest_log_id, second_phone, signed_in

RARE_SERVICE = "Chữ ký số cá nhân"


def open_queue_for(page: Page, volunteer_name: str) -> None:
    page.locator(".mainnav a", has_text="Xét duyệt").click()
    expect(page.locator("h1")).to_have_text("Lượt hỗ trợ chờ duyệt")
    page.select_option("#filter-author", label=volunteer_name)
    page.wait_for_load_state("networkidle")
    page.select_option("#filter-service", label=RARE_SERVICE)
    page.wait_for_load_state("networkidle")


def test_returned_log_goes_back_and_forth_until_approved(page: Page, browser, live_server, live_app):
    # The volunteer logs help for a household.
    signed_in(page, "volunteer")
    page.goto("/logs/new")
    page.select_option("#village_id", label="Tổ dân phố 1 (Thị trấn Thạch Hà)")
    page.fill("#q", "nguyen van duc")
    page.locator("#household-options .option", has_text="Nguyễn Văn Đức").click()
    page.locator(".tile", has_text=RARE_SERVICE).click()
    page.get_by_role("button", name="Lưu lượt hỗ trợ").click()
    expect(page.locator(".saved-title")).to_contain_text("Đã lưu")
    log_id = latest_log_id(live_app, "volunteer")

    # The leader, on another phone, finds it in the queue and returns it with a reason.
    with second_phone(browser, live_server) as leader:
        signed_in(leader, "leader")
        expect(leader.locator("#nav-badge-reviews-index")).to_be_visible()
        open_queue_for(leader, "Lê Văn Nam")
        row = leader.locator(f"#review-{log_id}")
        expect(row).to_contain_text("Nguyễn Văn Đức")
        expect(row).to_contain_text("Lê Văn Nam")
        assert_no_horizontal_scroll(leader)
        shot(leader, "review-queue-vi")
        row.locator("summary", has_text="Trả lại").click()
        row.locator("label.choice", has_text="Thiếu thông tin").click()
        row.locator("textarea[name=comment]").fill("Ghi thêm số người trong hộ")
        shot(leader, "review-return-form-vi")
        pending = int(leader.locator("#nav-badge-reviews-index").inner_text())
        row.get_by_role("button", name="Trả lại cho tình nguyện viên").click()
        row = leader.locator(f"#review-{log_id}")
        expect(row.locator(".status")).to_have_text("Bị trả lại")
        # The badge follows at once, without waiting for the next poll.
        expect(leader.locator("#nav-badge-reviews-index")).to_have_text(str(pending - 1))
        expect(row).to_contain_text("Thiếu thông tin: Ghi thêm số người trong hộ")

        # The volunteer sees it at the top of Today, with the reason, fixes and resubmits.
        page.goto("/")
        fixing = page.locator("#returned-logs li").first
        expect(fixing).to_contain_text("Nguyễn Văn Đức")
        expect(fixing).to_contain_text("Thiếu thông tin: Ghi thêm số người trong hộ")
        expect(page.locator("#nav-badge-home-index")).to_be_visible()
        shot(page, "today-returned-vi")
        fixing.locator("a").click()
        expect(page.locator("h1")).to_have_text("Sửa lượt hỗ trợ")
        page.fill("#people_count", "3")
        page.get_by_role("button", name="Lưu thay đổi").click()
        expect(page.locator(".saved-title")).to_contain_text("Đã lưu")

        # Back in the queue, the leader approves the resubmitted log in place.
        leader.reload()
        row = leader.locator(f"#review-{log_id}")
        expect(row.locator(".status")).to_have_text("Chờ duyệt")
        expect(row).not_to_contain_text("phiên bản")
        row.get_by_role("button", name="Duyệt", exact=True).click()
        expect(leader.locator(f"#review-{log_id} .status")).to_have_text("Đã duyệt")
        shot(leader, "review-approved-vi")

    # The log's page tells its story.
    page.goto(f"/logs/{log_id}")
    history = page.locator(".timeline")
    expect(history.locator("li")).to_have_count(4)
    expect(history).to_contain_text("Gửi duyệt")
    expect(history).to_contain_text("Bị trả lại")
    expect(history).to_contain_text("Thiếu thông tin: Ghi thêm số người trong hộ")
    expect(history).to_contain_text("Gửi lại")
    expect(history).to_contain_text("Đã duyệt")
    shot(page, "log-history-vi")


def test_two_leaders_on_one_log_the_second_is_told(page: Page, browser, live_server):
    signed_in(page, "leader")
    page.goto("/review")
    first_row = page.locator(".review-row").first
    row_id = first_row.get_attribute("id")
    with second_phone(browser, live_server) as other:
        signed_in(other, "leader")
        other.goto("/review")
        expect(other.locator(f"#{row_id}")).to_be_visible()

        page.locator(f"#{row_id}").get_by_role("button", name="Duyệt", exact=True).click()
        expect(page.locator(f"#{row_id} .status")).to_have_text("Đã duyệt")

        row = other.locator(f"#{row_id}")
        row.locator("summary", has_text="Trả lại").click()
        row.locator("label.choice", has_text="Trùng lặp").click()
        row.get_by_role("button", name="Trả lại cho tình nguyện viên").click()
        row = other.locator(f"#{row_id}")
        expect(row.locator(".changed")).to_contain_text("Lượt này đã thay đổi")
        expect(row.locator(".status")).to_have_text("Đã duyệt")
        shot(other, "review-changed-vi")
