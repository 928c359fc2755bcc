"""The foundation as a volunteer on a phone sees it: sign in and out, the language switch, the
home page of each role, the area pages and the 404 page, at 390 x 844 with CSRF on.

Screenshots of every page, in Vietnamese and English, go to test-artifacts/screenshots/.
"""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.browser.conftest import DEMO_PASSWORD, REPO_ROOT, shot
from tests.browser.helpers import (
    HOME_URL,
    assert_no_horizontal_scroll,
    assert_tall_enough,
    html_lang,
    sign_in,
    signed_in,
)

TEAM_1 = "Tổ công nghệ số cộng đồng Thạch Hà 1"
TEAM_2 = "Tổ công nghệ số cộng đồng Thạch Hà 2"
LOGIN_URL = re.compile(r"^http://127\.0\.0\.1:\d+/login(\?.*)?$")

# What each role's home page must show in each language.
HOME = {
    "vi": {"hello": "Xin chào", "sign_out": "Đăng xuất", "home": "Trang chủ", "my_villages": "Địa bàn",
           "leader": "Tổ trưởng", "communes": "xã, phường", "recent": "Hoạt động gần đây",
           "not_found": "Không tìm thấy trang", "sign_in": "Đăng nhập", "villages": "Thôn, tổ dân phố"},
    "en": {"hello": "Hello", "sign_out": "Sign out", "home": "Home", "my_villages": "My villages",
           "leader": "Leader", "communes": "communes and wards", "recent": "Recent activity",
           "not_found": "Page not found", "sign_in": "Sign in", "villages": "Villages"},
}


# Helpers ---------------------------------------------------------------------------------------

def _english_fragments() -> list[str]:
    """The English source texts of the catalogue (split at placeholders) that have a Vietnamese
    translation: none of them should be seen on a Vietnamese page."""
    po = REPO_ROOT / "app" / "translations" / "vi" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        catalog = read_po(handle)
    fragments = set()
    for message in catalog:
        if not message.id or not message.string or message.id == message.string:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        for part in re.split(r"%\(\w+\)[sd]", msgid):
            part = part.strip(" .,:;")
            if len(part) >= 4 and re.search(r"[A-Za-z]{3}", part):
                fragments.add(part)
    return sorted(fragments, key=len, reverse=True)


ENGLISH = _english_fragments()
PAGE_TEXT = """() => {
  // The page's words, hidden ones included, without data (audit codes and usernames).
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('tbody, code, script').forEach(e => e.remove());
  return copy.textContent.replace(/\\s+/g, ' ');
}"""


def assert_no_english(page: Page) -> None:
    text = page.evaluate(PAGE_TEXT)
    found = [f for f in ENGLISH if re.search(rf"(?<![\w]){re.escape(f)}(?![\w])", text)]
    assert not found, f"English left on a Vietnamese page {page.url}: {found}"


def check_page(page: Page, lang: str, name: str) -> Path:
    """What every screenshotted page must pass, then the screenshot."""
    html_lang(page, lang)
    expect(page.locator("h1")).to_have_count(1)
    assert_no_horizontal_scroll(page)
    if lang == "vi":
        assert_no_english(page)
    path = shot(page, f"{name}-{lang}")
    assert path.stat().st_size > 5_000, f"screenshot {path} looks empty"
    return path


@pytest.fixture(scope="module")
def demo(live_app):
    """Names from the demo data the pages should show."""
    from app.accounts.models import User
    from app.areas.models import Area
    from app.extensions import db
    from app.teams.models import Team

    with live_app.app_context():
        teams = {t.name: t for t in db.session.scalars(select(Team).where(Team.name.in_([TEAM_1, TEAM_2])))}
        team_1 = teams[TEAM_1]
        commune = team_1.commune
        volunteer = db.session.scalar(select(User).where(User.username == "volunteer"))
        return {
            "commune": commune.name,
            "commune_id": commune.id,
            "team_1_villages": [v.name for v in team_1.villages],
            "volunteer_villages": sorted({v.id for t in teams.values() for v in t.villages}),
            "village": team_1.villages[0].name,
            "volunteer": volunteer.full_name,
            "team_1_members": sorted(m.user.full_name for m in team_1.memberships),
            "communes": db.session.query(Area).filter_by(kind="commune").count(),
        }


# Sign in, language, sign out -------------------------------------------------------------------

def test_volunteer_signs_in_and_sees_their_teams_and_villages(page: Page, demo):
    page.goto("/")
    expect(page).to_have_url(LOGIN_URL)  # not signed in yet
    html_lang(page, "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    submit = page.locator("main form button[type=submit]")
    expect(submit).to_have_text("Đăng nhập")
    assert_tall_enough(submit, "the sign-in button")
    assert_tall_enough(page.locator("#username, #password"), "the sign-in fields")
    assert_no_horizontal_scroll(page)

    page.fill("#username", "volunteer")
    page.fill("#password", DEMO_PASSWORD)
    submit.click()

    expect(page).to_have_url(HOME_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Xin chào, {demo['volunteer']}")
    expect(page.get_by_role("heading", level=2, name=TEAM_1)).to_be_visible()
    expect(page.get_by_role("heading", level=2, name=TEAM_2)).to_be_visible()
    expect(page.locator(".tag")).to_have_count(0)  # a member, not a leader
    # Both teams' villages are listed, each linking to its page, with a household count.
    villages = page.locator("main ul.team-villages > li > a")
    expect(villages).to_have_count(len(demo["volunteer_villages"]))
    for name in demo["team_1_villages"]:
        expect(villages.filter(has_text=name).first).to_be_visible()
    expect(villages.first).to_contain_text(re.compile(r"\d+ hộ"))
    expect(page.locator("footer")).to_contain_text(f"{demo['volunteer']} · Tình nguyện viên")

    # with the returned-logs badge
    nav = page.locator("nav.mainnav a")
    expect(nav).to_have_text([re.compile(r"^Hôm nay( \d+)?$"), "Đã ghi", "Nhiệm vụ", "Địa bàn"])
    expect(nav.first).to_have_attribute("aria-current", "page")
    assert_tall_enough(nav, "main menu link")
    assert_tall_enough(page.locator("footer button[type=submit]"), "the sign-out button")
    assert_no_horizontal_scroll(page)


def test_language_switch_is_remembered_and_reversible(page: Page, demo):
    signed_in(page, "volunteer")
    html_lang(page, "vi")
    expect(page.locator("footer button")).to_have_text("Đăng xuất")

    page.locator("header").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/\?lang=en$"))
    html_lang(page, "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {demo['volunteer']}")
    expect(page.locator("footer button")).to_have_text("Sign out")
    expect(page.locator("nav.mainnav a").first).to_have_text(re.compile(r"^Today( \d+)?$"))
    expect(page.locator("header a[lang=en]")).to_have_attribute("aria-current", "true")

    # The choice holds on the next page without ?lang.
    page.goto("/")
    html_lang(page, "en")
    expect(page.locator("footer button")).to_have_text("Sign out")
    expect(page.locator("nav.mainnav")).to_contain_text("Today")
    page.locator("nav.mainnav").get_by_role("link", name="My villages").click()
    html_lang(page, "en")
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^Villages"))).to_be_visible()

    page.locator("header").get_by_role("link", name="Tiếng Việt").click()
    html_lang(page, "vi")
    expect(page.get_by_role("heading", level=2, name=re.compile(r"^Thôn, tổ dân phố"))).to_be_visible()
    page.goto("/")
    html_lang(page, "vi")
    expect(page.locator("footer button")).to_have_text("Đăng xuất")
    expect(page.locator("nav.mainnav a").first).to_have_text(re.compile(r"^Hôm nay( \d+)?$"))
    expect(page.locator("header a[lang=vi]")).to_have_attribute("aria-current", "true")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_sign_out_from_the_footer(page: Page, lang):
    t = HOME[lang]
    signed_in(page, "volunteer")
    if lang == "en":
        page.locator("header").get_by_role("link", name="English").click()
        html_lang(page, "en")

    page.locator("footer").get_by_role("button", name=t["sign_out"]).click()  # a POST with the CSRF token
    expect(page).to_have_url(LOGIN_URL)
    html_lang(page, lang)
    expect(page.get_by_role("status")).to_have_text(
        {"vi": "Bạn đã đăng xuất.", "en": "You have signed out."}[lang])
    expect(page.get_by_role("heading", level=1)).to_have_text(t["sign_in"])
    expect(page.locator("footer")).to_have_count(0)
    expect(page.locator("nav.mainnav")).to_have_count(0)

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    expect(page.locator("#username")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        {"vi": "Vui lòng đăng nhập để tiếp tục.", "en": "Please sign in to continue."}[lang])


def test_wrong_password_shows_the_error_and_keeps_the_username(page: Page):
    sign_in(page, "volunteer", "not-the-password")
    expect(page).to_have_url(LOGIN_URL)
    error = page.get_by_role("alert").filter(has_text="Sai")
    expect(error).to_have_text("Sai tên đăng nhập, số điện thoại hoặc mật khẩu.")
    expect(page.locator("#username")).to_have_value("volunteer")
    expect(page.locator("#password")).to_have_value("")  # never sent back
    expect(page.locator("footer")).to_have_count(0)
    assert_no_horizontal_scroll(page)
    # The re-shown form carries a valid CSRF token: the right password now works.
    page.fill("#password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(HOME_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Xin chào, "))


def test_empty_form_shows_field_messages_in_vietnamese(page: Page):
    page.goto("/login")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".field-error")).to_have_text(
        ["Nhập tên đăng nhập hoặc số điện thoại.", "Nhập mật khẩu."])
    expect(page.locator("#username")).to_have_attribute("aria-invalid", "true")
    assert_no_horizontal_scroll(page)


# Each role's home page -------------------------------------------------------------------------

def test_leader_home_shows_the_leader_tag_and_members(page: Page, demo):
    signed_in(page, "leader")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Trần Thị Hương")
    team = page.get_by_role("heading", level=2, name=TEAM_1)
    expect(team).to_be_visible()
    expect(team.locator(".tag")).to_have_text("Tổ trưởng")
    expect(page.locator(".tag")).to_have_count(1)  # leads one team only
    members = page.locator("main p.muted", has_text="Thành viên:")
    expect(members).to_have_count(1)
    for name in demo["team_1_members"]:
        expect(members).to_contain_text(name)
    expect(members).to_contain_text("Trần Thị Hương (tổ trưởng)")
    expect(page.locator("footer")).to_contain_text("Trần Thị Hương · Tổ trưởng")
    expect(page.locator("nav.mainnav a")).to_have_text(
        [re.compile(r"^Hôm nay( \d+)?$"), "Đã ghi", re.compile(r"^Xét duyệt( \d+)?$"), "Nhiệm vụ", "Mức độ bao phủ",
         "Địa bàn"])
    assert_no_horizontal_scroll(page)


def test_staff_start_on_the_coverage_of_their_area(page: Page, demo):
    signed_in(page, "staff")
    expect(page).to_have_url(re.compile(r"/coverage$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tỉnh Hà Tĩnh")
    assert demo["communes"] == 69
    expect(page.locator(".coverage-table tbody tr")).to_have_count(demo["communes"])
    expect(page.locator(".card", has_text="Hộ đã được hỗ trợ").locator(".n")).to_have_text(
        re.compile(r"^\d{1,3}(\.\d{3})* / \d{1,3}(\.\d{3})*$"))
    expect(page.locator("main")).not_to_contain_text(TEAM_1)  # staff get numbers, not team lists
    expect(page.locator("nav.mainnav a")).to_have_text(["Mức độ bao phủ", "Địa bàn", "Các tổ", "Nhập dữ liệu",
                                                        "Bồi dưỡng", "Nhật ký hoạt động"])
    expect(page.locator("nav.mainnav a[aria-current=page]")).to_have_text("Mức độ bao phủ")
    expect(page.locator("footer")).to_contain_text("Cán bộ tỉnh, xã")
    assert_no_horizontal_scroll(page)


def test_a_long_navigation_is_one_row_that_scrolls_to_the_page_shown(page: Page):
    """Staff have six items: on a phone one row scrolls sideways (wrapped they took three rows),
    and each page opened from it shows its own item, in view."""
    signed_in(page, "staff")
    nav = page.locator("nav.mainnav")
    items = nav.locator("a")
    labels = items.all_inner_texts()
    row = items.first.bounding_box()["height"]
    assert nav.bounding_box()["height"] <= row + 4, "the navigation wrapped"
    for label in labels:
        nav.get_by_role("link", name=label, exact=True).click()
        current = page.locator("nav.mainnav a[aria-current=page]")
        expect(current).to_have_text(label)
        expect(current).to_be_in_viewport(ratio=0.9)
        assert_no_horizontal_scroll(page)


def test_admin_home_shows_recent_activity(page: Page):
    signed_in(page, "admin")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Quản trị hệ thống")
    expect(page.get_by_role("heading", level=2, name="Hoạt động gần đây")).to_be_visible()
    events = page.locator("table.events tbody tr")
    expect(events.first).to_be_visible()
    # The admin's own sign-in a moment ago is at the top.
    expect(events.first).to_contain_text("Quản trị hệ thống")
    expect(events.first).to_contain_text("đăng nhập")
    expect(page.locator("table.events thead")).to_have_text(re.compile(r"Thời gian\s*Người thực hiện\s*Việc"))
    expect(page.locator(".card", has_text="tài khoản đang hoạt động")).to_be_visible()
    expect(page.locator(".card", has_text="xã, phường").locator(".n")).to_have_text("69")
    expect(page.locator("footer")).to_contain_text("Quản trị viên")
    assert_no_horizontal_scroll(page)


# Area pages --------------------------------------------------------------------------------------

def test_my_villages_opens_the_commune_page(page: Page, demo):
    signed_in(page, "volunteer")
    page.locator("nav.mainnav").get_by_role("link", name="Địa bàn").click()
    expect(page).to_have_url(re.compile(rf"/areas/{demo['commune_id']}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(demo["commune"])
    expect(page.locator("nav.mainnav a[aria-current=page]")).to_have_text("Địa bàn")
    count = len(demo["volunteer_villages"])
    expect(page.get_by_role("heading", level=2, name=f"Thôn, tổ dân phố ({count})")).to_be_visible()
    villages = page.locator("main ul.list").first.locator("li > a")
    expect(villages).to_have_count(count)
    for name in demo["team_1_villages"]:
        expect(villages.filter(has_text=name).first).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Các tổ")).to_be_visible()
    expect(page.locator("main")).to_contain_text(TEAM_1)
    expect(page.locator("main")).to_contain_text(TEAM_2)
    assert_no_horizontal_scroll(page)

    # A village opens from the list, with its household numbers.
    villages.filter(has_text=demo["village"]).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(demo["village"])
    expect(page.locator(".crumbs")).to_contain_text(demo["commune"])
    expect(page.locator(".card", has_text="hộ đã có trong danh sách").locator(".n")).to_have_text("30")
    assert_no_horizontal_scroll(page)


def test_area_outside_the_volunteers_scope_is_a_404(page: Page):
    signed_in(page, "volunteer")
    response = page.goto("/areas/999999")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang")
    expect(page.get_by_role("link", name="Về trang chủ")).to_be_visible()
    assert_no_horizontal_scroll(page)


# Screenshots, in both languages ----------------------------------------------------------------

@pytest.mark.parametrize("lang", ["vi", "en"])
def test_screenshot_login_page(page: Page, lang):
    page.goto(f"/login?lang={lang}")
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME[lang]["sign_in"])
    check_page(page, lang, "login")
    # And with an error showing.
    page.fill("#username", "volunteer")
    page.fill("#password", "wrong-password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("ul.errors")).to_be_visible()
    check_page(page, lang, "login-error")


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("role", ["volunteer", "leader", "admin"])  # staff start on coverage (test_coverage.py)
def test_screenshot_home_page(page: Page, role, lang):
    t = HOME[lang]
    signed_in(page, role)
    page.goto(f"/?lang={lang}")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(rf"^{t['hello']}, "))
    expect(page.locator("footer button")).to_have_text(t["sign_out"])
    if role == "leader":
        expect(page.locator(".tag")).to_have_text(t["leader"])
    if role == "admin":
        expect(page.locator(".card", has_text=t["communes"]).locator(".n")).to_have_text("69")
    if role == "admin":
        expect(page.get_by_role("heading", level=2, name=t["recent"])).to_be_visible()
    check_page(page, lang, f"home-{role}")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_screenshot_area_pages(page: Page, demo, lang):
    t = HOME[lang]
    signed_in(page, "volunteer")
    page.goto(f"/?lang={lang}")
    page.locator("nav.mainnav").get_by_role("link", name=t["my_villages"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(demo["commune"])
    expect(page.get_by_role("heading", level=2, name=re.compile(rf"^{t['villages']} \("))).to_be_visible()
    check_page(page, lang, "area-commune")

    page.locator("main ul.list a", has_text=demo["village"]).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(demo["village"])
    check_page(page, lang, "area-village")

    response = page.goto("/areas/999999")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(t["not_found"])
    check_page(page, lang, "404")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_screenshot_province_page_for_staff(page: Page, lang):
    signed_in(page, "staff")
    page.goto(f"/?lang={lang}")
    page.locator("nav.mainnav a").nth(1).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tỉnh Hà Tĩnh")
    expect(page.locator("main ul.list > li")).to_have_count(69)
    check_page(page, lang, "area-province")
