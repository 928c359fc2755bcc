"""An administrator imports villages from a CSV file on a phone: the preview reports the one bad
row, confirm saves the rest; then finds the commune by typing without accents, renames one of
the new villages and finds it again by its old name."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.helpers import assert_no_horizontal_scroll, assert_tall_enough, signed_in

CSV = ("commune_code;village_name;former_commune;declared_households\r\n"
       "18754;Tổ dân phố Bến Thuyền;Phường Hưng Trí;180\r\n"
       "18754;Tổ dân phố Cửa Khẩu;;\r\n"
       "99999;Thôn Không Có;;\r\n")


def test_admin_imports_villages_with_one_bad_row_then_renames_one(page: Page):
    signed_in(page, "admin")
    page.locator(".mainnav a", has_text="Nhập dữ liệu").click()
    expect(page.locator("h1")).to_have_text("Nhập từ tệp CSV")
    assert_no_horizontal_scroll(page)
    shot(page, "imports-index-vi")
    page.set_input_files("#file-villages", files=[{
        "name": "thon-song-tri.csv", "mimeType": "text/csv", "buffer": b"\xef\xbb\xbf" + CSV.encode("utf-8"),
    }])
    page.locator("#import-villages button[type=submit]").click()

    expect(page.locator("h1")).to_have_text("Xem trước dữ liệu nhập")
    expect(page.locator(".tabs a[aria-current]")).to_have_text("Lỗi (1)")
    error = page.locator(".import-row.status-error")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("99999")
    expect(error.locator(".field-error")).to_contain_text("commune_code")
    assert_no_horizontal_scroll(page)
    shot(page, "imports-preview-errors-vi")
    page.locator(".tabs a", has_text="Mới (2)").click()  # swapped in by htmx
    expect(page.locator(".import-row.status-new")).to_have_count(2)
    expect(page.locator(".import-row.status-error")).to_have_count(0)
    assert "/imports/villages/preview" in page.url
    assert_tall_enough(page.locator(".tabs a"), "row filter")
    page.get_by_role("button", name="Xác nhận: lưu 2 dòng mới").click()

    expect(page.locator("h1")).to_have_text("Đã nhập xong")
    expect(page.locator(".flash-success")).to_contain_text("lưu 2 dòng mới")
    shot(page, "imports-done-vi")

    page.locator(".mainnav a", has_text="Địa bàn").click()
    page.fill("#area-q", "song tri")
    results = page.locator("#area-results")
    expect(results.locator(".list a", has_text="Phường Sông Trí")).to_have_count(1)
    shot(page, "areas-search-vi")
    results.locator(".list a", has_text="Phường Sông Trí").click()
    expect(page.locator("h1")).to_have_text("Phường Sông Trí")
    page.locator("main .list a", has_text="Tổ dân phố Bến Thuyền").click()
    page.get_by_role("link", name="Đổi tên hoặc sửa").click()
    page.fill("#name", "Tổ dân phố Bến Thủy")
    shot(page, "village-rename-vi")
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.locator("h1")).to_have_text("Tổ dân phố Bến Thủy")
    expect(page.locator("main")).to_contain_text("tên cũ: Tổ dân phố Bến Thuyền")

    page.locator(".crumbs a", has_text="Phường Sông Trí").click()
    page.fill("#area-q", "ben thuyen")
    found = page.locator("#area-results .list a", has_text="Tổ dân phố Bến Thủy")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("tên cũ: Tổ dân phố Bến Thuyền")
    assert_no_horizontal_scroll(page)
    shot(page, "areas-search-old-name-vi")
