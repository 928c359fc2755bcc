"""Province staff set a target for a commune on a phone (a wrong number first), import a CSV of
targets that changes it and adds a village's, then download each export through the server:
the CSV files start with the byte-order mark and keep Vietnamese, the workbooks open as XLSX,
and the staff export of the logs names no household."""

import zipfile
from pathlib import Path

from playwright.sync_api import Page, expect

from app.core.db import local_today
from tests.browser.conftest import shot
from tests.browser.helpers import assert_no_horizontal_scroll, assert_tall_enough, signed_in

YEAR = local_today().year
BOM = b"\xef\xbb\xbf"


def thach_ha(live_app) -> tuple[int, list[str]]:
    """Xã Thạch Hà (18562), the demo teams' commune, and the names of its households."""
    from sqlalchemy import select

    from app.areas.models import Area
    from app.extensions import db
    from app.households.models import Household

    with live_app.app_context():
        commune = db.session.scalar(select(Area).where(Area.code == "18562"))
        names = db.session.scalars(select(Household.display_name).join(Area, Area.id == Household.village_id)
                                   .where(Area.parent_id == commune.id)).all()
        return commune.id, list(names)


def download(page: Page, name: str) -> bytes:
    with page.expect_download() as info:
        page.locator(".export-links a", has_text=name[0]).nth(name[1]).click()
    return Path(info.value.path()).read_bytes()


def test_staff_set_targets_by_form_and_csv_then_download_each_export(page: Page, live_app):
    commune_id, household_names = thach_ha(live_app)
    assert household_names, "the demo data has households in Xã Thạch Hà"
    signed_in(page, "staff")
    page.goto("/coverage/targets/")
    expect(page.locator("h1")).to_have_text("Chỉ tiêu · Tỉnh Hà Tĩnh")
    page.locator("main .list").get_by_role("link", name="Xã Thạch Hà", exact=True).click()  # not its target's
    expect(page.locator("h1")).to_have_text("Chỉ tiêu · Xã Thạch Hà")
    assert_no_horizontal_scroll(page)

    form = page.locator("#target-form")
    form.locator("#key").select_option(label="Bất kỳ nội dung hỗ trợ nào")
    form.locator("#households").fill("99999")
    form.get_by_role("button", name="Lưu chỉ tiêu").click()  # htmx: the form comes back, 400
    expect(page.locator("#target-form .field-error")).to_contain_text("lớn hơn gấp đôi số hộ")
    shot(page, "targets-form-error-vi")
    page.locator("#target-form #households").fill("3000")
    page.locator("#target-form").get_by_role("button", name="Lưu chỉ tiêu").click()
    expect(page.locator(".flash-success")).to_have_text("Đã lưu chỉ tiêu.")
    row = page.locator(".target-row", has_text="Bất kỳ nội dung hỗ trợ nào")
    expect(row).to_contain_text("Xã Thạch Hà")
    expect(row).to_contain_text("/ 3.000 hộ")
    assert_tall_enough(row.locator(".actions a, .actions button"), "target action")
    assert_no_horizontal_scroll(page)
    shot(page, "targets-list-vi")

    page.get_by_role("link", name="Đặt nhiều chỉ tiêu cùng lúc từ tệp CSV").click()
    csv = (f"commune_code,village_name,former_commune,year,service,households\r\n"
           f"18562,,,{YEAR},ALL,4000\r\n"
           f"18562,Tổ dân phố 1,Thị trấn Thạch Hà,{YEAR},VNEID,150\r\n"
           f"99999,,,{YEAR},ALL,10\r\n")
    page.set_input_files("#file-targets", files=[{
        "name": "chi-tieu.csv", "mimeType": "text/csv", "buffer": BOM + csv.encode("utf-8")}])
    page.locator("#import-targets button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Xem trước dữ liệu nhập")
    expect(page.locator(".import-row.status-error")).to_contain_text("99999")
    page.locator(".tabs a", has_text="Thay đổi (1)").click()
    expect(page.locator(".import-row.status-update")).to_contain_text("Sẽ đổi chỉ tiêu từ 3.000 hộ thành 4.000 hộ.")
    assert_no_horizontal_scroll(page)
    shot(page, "targets-import-preview-vi")
    page.get_by_role("button", name="Xác nhận: lưu 1 dòng mới và 1 thay đổi").click()
    expect(page.locator(".flash-success")).to_contain_text("lưu 2 chỉ tiêu (mới hoặc thay đổi)")
    page.get_by_role("link", name="Xem chỉ tiêu và tiến độ").click()
    page.goto(f"/coverage/targets/?area={commune_id}")
    expect(page.locator(".target-row", has_text="Bất kỳ nội dung hỗ trợ nào")).to_contain_text("/ 4.000 hộ")
    expect(page.locator(".target-row", has_text="Tổ dân phố 1")).to_contain_text("Định danh điện tử VNeID")
    shot(page, "targets-after-import-vi")

    table_csv = download(page, ("CSV", 0))
    assert table_csv.startswith(BOM)
    text = table_csv.decode("utf-8")
    assert "Địa bàn" in text and "Tổ dân phố 1 (Thị trấn Thạch Hà)" in text and "Tổng cộng" in text
    matrix_csv = download(page, ("CSV", 1))
    assert matrix_csv.startswith(BOM) and "Định danh điện tử VNeID" in matrix_csv.decode("utf-8")
    for index in (0, 1):
        workbook = download(page, ("Excel", index))
        assert workbook.startswith(b"PK\x03\x04")
        with zipfile.ZipFile(__import__("io").BytesIO(workbook)) as book:
            sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
        assert "Tổ dân phố 1 (Thị trấn Thạch Hà)" in sheet
    logs = download(page, ("CSV", 2))
    assert logs.startswith(BOM)
    text = logs.decode("utf-8")
    assert text.count("\n") > 10 and "H-" in text and "Xã Thạch Hà" in text
    leaked = [name for name in household_names if name in text]
    assert leaked == [], f"household names in the staff export: {leaked[:3]}"
    expect(page.locator("h1")).to_have_text("Chỉ tiêu · Xã Thạch Hà")  # downloads leave the page as it was
