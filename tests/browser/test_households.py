"""A leader on a phone finds a household by typing without accents, adds one through the
consent step, and is warned of a likely duplicate on a second try."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.helpers import assert_no_horizontal_scroll, signed_in

FIRST_VILLAGE = "Tổ dân phố 1"


def open_first_village(page: Page) -> None:
    page.locator("main .team-villages a", has_text=FIRST_VILLAGE).first.click()
    expect(page.locator("h1")).to_have_text("Hộ gia đình")


def test_leader_finds_nguyen_van_duc_without_accents(page: Page):
    signed_in(page, "leader")
    open_first_village(page)
    page.fill("#q", "nguyen van duc")
    results = page.locator("#results")
    expect(results.locator(".list a", has_text="Nguyễn Văn Đức")).to_have_count(1)
    expect(results.locator(".list > li")).to_have_count(1)
    assert "q=nguyen" in page.url  # the search is in the address, so back and reload keep it
    assert_no_horizontal_scroll(page)
    shot(page, "households-search-vi")
    results.locator(".list a", has_text="Nguyễn Văn Đức").click()
    expect(page.locator("h1")).to_have_text("Nguyễn Văn Đức")
    expect(page.locator("text=Sự đồng ý")).to_be_visible()
    shot(page, "household-page-vi")


def test_leader_adds_a_household_through_consent_then_sees_the_duplicate_warning(page: Page):
    signed_in(page, "leader")
    open_first_village(page)
    village_list = page.url.split("?")[0]

    def fill_details():
        page.get_by_role("link", name="+ Thêm hộ").click()
        page.fill("#display_name", "Đinh Thị Thu Hà")
        page.fill("#phone", "0977 123 456")
        page.fill("#member_count", "4")
        page.get_by_label("Hộ sản xuất nông nghiệp").check()
        shot(page, "household-new-details-vi")
        page.get_by_role("button", name="Tiếp tục: xin phép người dân").click()

    fill_details()
    expect(page.locator("blockquote")).to_contain_text("không hỏi mật khẩu")
    page.get_by_role("button", name="Lưu hộ").click()
    expect(page.locator(".field-error").first).to_be_visible()  # consent not given yet
    page.get_by_label("Đồng ý bằng lời, có người làm chứng").check()
    page.fill("#consent_witness", "Trưởng thôn Nguyễn Văn Hùng")
    page.get_by_label("Người dân đã nghe nội dung xin phép và đồng ý").check()
    assert_no_horizontal_scroll(page)
    shot(page, "household-new-consent-vi")
    page.get_by_role("button", name="Lưu hộ").click()
    expect(page.locator("h1")).to_have_text("Đinh Thị Thu Hà")
    expect(page.locator(".flash-success")).to_have_text("Đã lưu hộ.")
    expect(page.locator("a[href^='tel:']")).to_have_text("0977 123 456")

    # The same household again: the app shows the one already registered before saving.
    page.goto(village_list)
    fill_details()
    page.get_by_label("Ký xác nhận trên giấy").check()
    page.get_by_label("Người dân đã nghe nội dung xin phép và đồng ý").check()
    page.get_by_role("button", name="Lưu hộ").click()
    warning = page.locator(".warning")
    expect(warning).to_contain_text("Hộ này có thể đã có trong danh sách")
    expect(warning.locator("a", has_text="Đinh Thị Thu Hà")).to_be_visible()
    shot(page, "household-duplicate-warning-vi")
    warning.locator("a", has_text="Đinh Thị Thu Hà").click()
    expect(page.locator("h1")).to_have_text("Đinh Thị Thu Hà")
    page.goto(village_list + "?q=dinh+thi+thu+ha")
    expect(page.locator("#results .list > li")).to_have_count(1)


def test_household_pages_in_english(page: Page):
    signed_in(page, "volunteer")
    page.goto("/?lang=en")
    page.locator("main .team-villages a", has_text=FIRST_VILLAGE).first.click()
    expect(page.locator("h1")).to_have_text("Households")
    page.get_by_role("link", name="+ Add a household").click()
    page.fill("#display_name", "Test Household")
    page.get_by_role("button", name="Continue to consent").click()
    expect(page.get_by_text("Read this to the resident")).to_be_visible()
    shot(page, "household-new-consent-en")
