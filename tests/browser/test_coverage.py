"""Coverage in Chromium, at phone size (390×844) and on a laptop (1280×800): the demo staff user
drills from the province into a commune and a village, uses every filter, sort and tab once,
downloads the table as CSV (Vietnamese names intact), and goes Back (the URL and the table
follow); a leader follows a gap to a prefilled new task. Each swap is htmx's (the page is
not reloaded); screenshots in Vietnamese and English."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import REPO_ROOT, SCREENSHOTS, shot
from tests.browser.helpers import sign_in

SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 800}}
COMMUNE = "Xã Thạch Hà"  # the demo teams' commune (former district: Huyện Thạch Hà)
BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def places(live_app):
    """Ids and names from the demo data: the teams' commune, the demo leader's first village,
    the household names that staff must never see, and VNeID's id."""
    from app.areas.models import Area
    from app.catalog.models import Service
    from app.extensions import db
    from app.households.models import Household
    from app.teams.models import Team

    with live_app.app_context():
        commune = db.session.scalar(select(Area).where(Area.code == "18562"))
        team = db.session.scalar(select(Team).where(Team.name == "Tổ công nghệ số cộng đồng Thạch Hà 1"))
        village = min(team.villages, key=lambda v: v.id)
        names = list(db.session.scalars(select(Household.display_name).where(Household.village_id == village.id)))
        vneid = db.session.scalar(select(Service.id).where(Service.code == "VNEID"))
        return {"commune_id": commune.id, "village_id": village.id, "village": village.name,
                "team_id": team.id, "households": names, "vneid": vneid}


def sized(page: Page, size: str) -> None:
    page.set_viewport_size(SIZES[size])


def no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"]
    scroll = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    assert scroll <= width, f"the page scrolls sideways at {width} px ({scroll} px wide)"


def mark(page: Page) -> None:
    """A flag on the window: still there after an htmx swap, gone after a full page load."""
    page.evaluate("window.coverageKept = true")


def swapped_in_place(page: Page) -> None:
    expect(page.locator("#coverage")).not_to_have_class(re.compile("htmx-request"))
    assert page.evaluate("window.coverageKept === true"), "the page was reloaded instead of swapped by htmx"


def no_household_names(page: Page, places) -> None:
    text = page.locator("main").inner_text()
    for name in places["households"]:
        assert name not in text, f"a household name ({name}) on a staff page"


def english_words() -> list[str]:
    """The English source texts of the coverage pages' messages (split at placeholders)."""
    po = REPO_ROOT / "app" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
    templates = " ".join(path.read_text() for path in (REPO_ROOT / "templates" / "coverage").glob("*.html"))
    with po.open("rb") as handle:
        catalog = read_po(handle)
    found = set()
    for message in catalog:
        msgid = message.id if isinstance(message.id, str) else (message.id or [""])[0]
        if not msgid or msgid not in templates:
            continue
        for part in re.split(r"%\(\w+\)[sd]", msgid):
            part = part.strip(" .,:;()")
            if len(part) >= 4 and re.search(r"[A-Za-z]{3}", part):
                found.add(part)
    return sorted(found, key=len, reverse=True)


def no_english(page: Page) -> None:
    text = page.locator("body").inner_text()
    left = [w for w in english_words() if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]
    assert not left, f"English on a Vietnamese page: {left}"


def h1(page: Page, text: str) -> None:
    expect(page.locator("main h1")).to_have_text(text)


def number(cell: str) -> int:
    """A figure as the page prints it (1.234, or "—" for no data) as a number."""
    return 0 if cell.strip() in ("", "—") else int(cell.split()[0].replace(".", ""))


def table_text(page: Page) -> str:
    expect(page.locator("#coverage")).not_to_have_class(re.compile("htmx-request"))
    return page.locator(".coverage-table").inner_text()


def download(page: Page, label: str, index: int = 0) -> bytes:
    """The file behind the page's nth export link named ``label``, as the browser saved it."""
    with page.expect_download() as info:
        page.locator(".export-links a", has_text=label).nth(index).click()
    return Path(info.value.path()).read_bytes()


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_staff_drill_down_filter_sort_and_back(page: Page, places, size):
    sized(page, size)
    sign_in(page, "staff")
    expect(page).to_have_url(re.compile(r"/coverage$"))  # staff land on their area's coverage
    h1(page, "Tỉnh Hà Tĩnh")
    expect(page.locator("nav.mainnav a[aria-current=page]")).to_have_text("Mức độ bao phủ")
    expect(page.locator("main .lead")).to_contain_text("Mức độ bao phủ")
    expect(page.locator(".coverage-table tbody tr")).to_have_count(69)
    no_sideways_scroll(page)
    shot(page, f"coverage-province-{size}-vi")
    mark(page)

    # Each period preset, swapped in place; the URL follows.
    for label, name in (("Năm nay", "year"), ("Quý này", "quarter"), ("Tháng này", "month")):
        page.locator(".period-tabs a", has_text=label).click()
        expect(page).to_have_url(re.compile(rf"period={name}"))
        expect(page.locator(".period-tabs a[aria-current=page]")).to_have_text(label)
        swapped_in_place(page)
    page.locator(".period-tabs a", has_text="Năm nay").click()
    expect(page).to_have_url(re.compile("period=year"))

    # The former district filter: one choice, the rows and the total follow.
    page.select_option("#coverage-district", "Huyện Thạch Hà")
    expect(page).to_have_url(re.compile("district=Huy"))
    rows = page.locator(".coverage-table tbody tr")
    expect(rows).to_have_count(8)
    expect(page.locator(".coverage-table tbody")).to_contain_text(COMMUNE)
    swapped_in_place(page)

    # Sorting by visits: ascending, then descending (the busiest commune first).
    header = page.locator(".coverage-table thead th", has_text="Lượt hỗ trợ")
    header.locator("a").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    header = page.locator(".coverage-table thead th", has_text="Lượt hỗ trợ")
    header.locator("a").click()
    expect(page.locator(".coverage-table thead th", has_text="Lượt hỗ trợ")).to_have_attribute(
        "aria-sort", "descending")
    expect(page).to_have_url(re.compile(r"sort=visits&dir=desc"))
    visits = [number(cell) for cell in rows.locator("td:nth-of-type(4)").all_inner_texts()]
    assert visits == sorted(visits, reverse=True) and visits[0] > 0, visits  # the busiest commune first
    swapped_in_place(page)

    # The table as a CSV file: Excel's byte-order mark, and the communes' Vietnamese names intact.
    table_csv = download(page, "CSV")
    assert table_csv.startswith(BOM), table_csv[:10]
    text = table_csv.decode("utf-8-sig")
    assert COMMUNE in text and "Xã Việt Xuyên" in text and "Xã Kỳ Anh" not in text  # the district's communes

    # The matrix tab: areas × kinds of help, the area column held while the box scrolls.
    page.locator(".view-tabs a", has_text="Theo nội dung hỗ trợ").click()
    expect(page.locator("table.matrix")).to_be_visible()
    expect(page).to_have_url(re.compile("view=matrix"))
    expect(page.locator("table.matrix td.shade-0, table.matrix td.shade-1").first).to_be_visible()
    if size == "phone":
        scroller = page.locator(".matrix-scroll")
        assert scroller.evaluate("el => el.scrollWidth > el.clientWidth"), "the matrix should scroll in its box"
        name_cell = page.locator("table.matrix tbody tr").first.locator("th")
        data_cell = page.locator("table.matrix tbody tr").first.locator("td").nth(2)
        before = (name_cell.bounding_box()["x"], data_cell.bounding_box()["x"])
        scroller.evaluate("el => { el.scrollLeft = 300; }")
        page.wait_for_timeout(100)
        after = (name_cell.bounding_box()["x"], data_cell.bounding_box()["x"])
        assert abs(after[0] - before[0]) < 1, "the area column should stay in place"
        assert after[1] < before[1] - 100, "the cells should scroll"
    no_sideways_scroll(page)
    shot(page, f"coverage-matrix-{size}-vi")
    page.locator(".view-tabs a", has_text="Bảng").click()
    expect(page.locator(".coverage-table")).to_be_visible()
    swapped_in_place(page)

    # Into the commune, through its row's link; the district filter stays behind.
    page.locator(".coverage-table tbody th a", has_text=COMMUNE).click()
    h1(page, COMMUNE)
    expect(page).to_have_title(re.compile(rf"^Mức độ bao phủ · {COMMUNE}"))  # the fragment's <title>
    expect(page).to_have_url(re.compile(rf"/coverage/{places['commune_id']}\?"))
    assert "district=" not in page.url and "period=year" in page.url
    expect(page.locator("nav.crumbs")).to_contain_text("Tỉnh Hà Tĩnh")
    expect(page.locator("#coverage-district")).to_have_count(0)
    swapped_in_place(page)
    no_sideways_scroll(page)

    # One kind of help.
    page.select_option("#coverage-service", str(places["vneid"]))
    expect(page).to_have_url(re.compile(rf"service={places['vneid']}"))
    expect(page.locator(".period-line")).to_contain_text("Định danh điện tử VNeID")
    swapped_in_place(page)

    # Custom dates: a wrong pair first (a 400, swapped in with its message), then a right one.
    page.locator(".period-tabs a", has_text="Tùy chọn ngày").click()
    expect(page.locator("#coverage-start")).to_be_visible()
    page.fill("#coverage-start", "2026-09-30")
    page.fill("#coverage-end", "2026-09-01")
    page.locator("form.dates button").click()
    expect(page.locator("form.dates .field-error")).to_have_text("Kỳ báo cáo kết thúc trước khi bắt đầu.")
    expect(page.locator(".coverage-table")).to_have_count(0)
    shot(page, f"coverage-bad-dates-{size}-vi")
    page.fill("#coverage-start", "2026-09-01")
    page.fill("#coverage-end", "2026-10-31")
    page.locator("form.dates button").click()
    expect(page.locator(".period-line")).to_contain_text("Từ 01/09/2026 đến 31/10/2026")
    expect(page).to_have_url(re.compile(r"start=2026-09-01&end=2026-10-31"))
    assert "period=custom" in page.url
    assert f"service={places['vneid']}" in page.url
    swapped_in_place(page)
    shot(page, f"coverage-commune-{size}-vi")

    # Into a village: its kinds of help, its gaps, the trend; no household named.
    page.locator(".coverage-table tbody th a", has_text=places["village"]).first.click()
    h1(page, re.compile(rf"^{re.escape(places['village'])}"))
    expect(page.locator("table.matrix-village tbody tr")).to_have_count(11)
    expect(page.get_by_role("heading", name="Hộ chưa được hỗ trợ")).to_be_visible()
    expect(page.locator("svg.chart")).to_have_count(3)
    expect(page.locator("svg.chart-visits rect.bar").first).to_be_attached()
    expect(page.locator(".task-link")).to_have_count(0)  # staff set no tasks
    no_household_names(page, places)
    no_sideways_scroll(page)
    swapped_in_place(page)
    shot(page, f"coverage-village-{size}-vi")

    # The breadcrumb back to the commune, then Back: the village, then the commune again.
    page.locator("nav.crumbs a", has_text=COMMUNE).click()
    h1(page, COMMUNE)
    page.go_back()
    h1(page, re.compile(rf"^{re.escape(places['village'])}"))
    page.go_back()
    h1(page, COMMUNE)
    expect(page.locator(".period-line")).to_contain_text("Từ 01/09/2026 đến 31/10/2026")
    no_household_names(page, places)

    # Back after a filter: the URL and the table return to what they were.
    before_url, before_rows = page.url, table_text(page)
    page.select_option("#coverage-service", "")
    expect(page).not_to_have_url(before_url)
    assert f"service={places['vneid']}" not in page.url
    expect(page.locator(".period-line")).not_to_contain_text("Định danh điện tử VNeID")
    assert table_text(page) != before_rows, "every kind of help should count more visits than VNeID alone"
    page.go_back()
    expect(page).to_have_url(before_url)
    expect(page.locator(".period-line")).to_contain_text("Định danh điện tử VNeID")
    assert table_text(page) == before_rows


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_leader_follows_a_gap_to_a_prefilled_task(page: Page, places, size):
    sized(page, size)
    sign_in(page, "leader")
    page.locator("nav.mainnav a", has_text="Mức độ bao phủ").click()
    h1(page, COMMUNE)
    expect(page.locator("main .lead")).to_contain_text("các thôn, tổ dân phố của tổ bạn")
    expect(page.locator(".coverage-table tbody tr")).to_have_count(4)  # the leader's team's villages
    mark(page)
    page.locator(".coverage-table tbody th a", has_text=places["village"]).first.click()
    h1(page, re.compile(rf"^{re.escape(places['village'])}"))
    swapped_in_place(page)
    row = page.locator("table.unreached tbody tr", has_text="Định danh điện tử VNeID")
    link = row.locator("a.task-link")
    expect(link).to_have_text(re.compile("Giao nhiệm vụ cho các hộ này"))
    no_sideways_scroll(page)
    shot(page, f"coverage-leader-gaps-{size}-vi")
    link.click()

    expect(page).to_have_url(re.compile(r"/tasks/new\?"))
    expect(page.locator("h1")).to_have_text("Nhiệm vụ mới")
    expect(page.locator("#village_id")).to_have_value(str(places["village_id"]))
    expect(page.locator(f"input[name=service_ids][value='{places['vneid']}']")).to_be_checked()
    expect(page.locator("input[name=choose][value=unreached]")).to_be_checked()
    expect(page.locator("input[name=service_ids]:checked")).to_have_count(1)
    shot(page, f"coverage-leader-task-{size}-vi")


LABELS = {"vi": {"coverage": "Mức độ bao phủ", "matrix": "Theo nội dung hỗ trợ", "gaps": "Nơi còn bỏ sót"},
          "en": {"coverage": "Coverage", "matrix": "By kind of help", "gaps": "Gaps"}}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_screenshots_in_both_languages(page: Page, places, size, lang):
    t = LABELS[lang]
    sized(page, size)
    sign_in(page, "staff")
    page.goto(f"/coverage?lang={lang}&period=year")
    expect(page.locator("main .lead")).to_contain_text(t["coverage"])
    no_sideways_scroll(page)
    if lang == "vi":
        no_english(page)
    shot(page, f"coverage-shot-province-{size}-{lang}")
    page.goto(f"/coverage/{places['commune_id']}?period=year&view=matrix")
    expect(page.locator(".view-tabs a[aria-current=page]")).to_have_text(t["matrix"])
    no_sideways_scroll(page)
    if lang == "vi":
        no_english(page)
    shot(page, f"coverage-shot-commune-matrix-{size}-{lang}")
    page.goto(f"/coverage/{places['village_id']}?period=year")
    expect(page.get_by_role("heading", level=2, name=t["gaps"])).to_be_visible()
    no_sideways_scroll(page)
    no_household_names(page, places)
    if lang == "vi":
        no_english(page)
    shot(page, f"coverage-shot-village-{size}-{lang}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".charts").screenshot(path=str(SCREENSHOTS / f"coverage-shot-trend-{size}-{lang}.png"))
