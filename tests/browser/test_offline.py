"""Logging where the signal drops: the volunteer logs visits offline (one for a new household),
reloads the form offline, and back online the outbox sends each visit once; two tabs replaying
at once still store each once; an entry refused for an expired sign-in is parked and sent after
signing in again; signing out with entries waiting warns first."""


from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from tests.browser.conftest import shot
from tests.browser.helpers import assert_no_horizontal_scroll, signed_in
from tests.browser.test_helplogs import choose_services

KEPT = "Đã lưu trên máy, sẽ gửi khi có mạng"
VILLAGE = "Tổ dân phố 1 (Thị trấn Thạch Hà)"
SHELL_READY = """async () => {
  const reg = await navigator.serviceWorker.ready;
  const cache = await caches.open("gocua-shell-v1");
  const pages = document.body.dataset.offlinePages.split(" ");
  const kept = await Promise.all(pages.map((p) => cache.match(location.origin + p)));
  const db = await new Promise((ok) => { const r = indexedDB.open("gocua", 1); r.onsuccess = () => ok(r.result); });
  const households = await new Promise((ok) => {
    const r = db.transaction("households").objectStore("households").getAll(); r.onsuccess = () => ok(r.result); });
  db.close();
  return Boolean(reg.active && kept.every(Boolean) && households.length && navigator.serviceWorker.controller);
}"""
OUTBOX = """async () => {
  const db = await new Promise((ok) => { const r = indexedDB.open("gocua", 1); r.onsuccess = () => ok(r.result); });
  const all = await new Promise((ok) => {
    const r = db.transaction("outbox").objectStore("outbox").getAll(); r.onsuccess = () => ok(r.result); });
  db.close();
  return all;
}"""


def ready_for_the_field(page: Page) -> None:
    """Signed in once online: the worker controls the page and has kept the shell, and the
    households of the volunteer's villages are on the phone."""
    signed_in(page, "volunteer")
    page.wait_for_function(SHELL_READY, polling=200, timeout=15_000)


def outbox(page: Page) -> list[dict]:
    return page.evaluate(OUTBOX)


def logs_with_uuids(live_app, uuids) -> dict[str, int]:
    from app.extensions import db
    from app.helplogs.models import HelpLog

    with live_app.app_context():
        rows = db.session.execute(select(HelpLog.client_uuid, func.count()).where(HelpLog.client_uuid.in_(uuids))
                                  .group_by(HelpLog.client_uuid)).all()
    return {uuid: n for uuid, n in rows}


def keep_offline(page: Page) -> None:
    page.get_by_role("button", name="Lưu lượt hỗ trợ").click()
    expect(page.locator(".kept .saved-title")).to_have_text(KEPT)


def test_three_visits_offline_are_sent_once_each_when_back_online(page: Page, live_app):
    ready_for_the_field(page)
    page.goto("/logs/new")
    page.context.set_offline(True)

    # 1. A known household, found in the copy kept on the phone.
    page.select_option("#village_id", label=VILLAGE)
    page.fill("#q", "nguyen van duc")
    option = page.locator("#household-options .option", has_text="Nguyễn Văn Đức")
    expect(option).to_have_count(1)
    expect(page.locator("#household-options .offline-note")).to_be_visible()
    shot(page, "offline-search-vi")
    option.click()
    choose_services(page, "Định danh điện tử VNeID")
    keep_offline(page)
    expect(page.locator(".kept")).to_contain_text("Nguyễn Văn Đức")
    assert_no_horizontal_scroll(page)
    shot(page, "offline-kept-vi")

    # 2. A group session, in a new form opened from the phone's copy.
    page.get_by_role("link", name="Ghi lượt khác").click()
    expect(page.locator("#log-form")).to_be_visible()
    page.locator(".seg", has_text="Hướng dẫn nhóm").click()
    page.fill("#people_count", "12")
    choose_services(page, "An toàn trên không gian mạng")
    keep_offline(page)

    # A page the phone has not kept says so (the worker is offline too, not only the page).
    page.goto("/logs")
    expect(page.locator("h1")).to_have_text("Không có mạng")
    shot(page, "offline-note-vi")
    page.go_back()

    # 3. The form reloaded offline; a new household with its consent.
    page.reload()
    expect(page.locator("h1")).to_have_text("Ghi lượt hỗ trợ")
    page.locator(".seg", has_text="Hộ mới").click()
    page.fill("#new-display_name", "Hồ Thị Ngoại Tuyến")
    page.fill("#new-phone", "0355 777 123")
    page.locator("label.choice", has_text="Ký xác nhận trên giấy").click()
    page.get_by_label("Người dân đã nghe nội dung xin phép và đồng ý").check()
    choose_services(page, "Kỹ năng số cơ bản")
    keep_offline(page)

    kept = outbox(page)
    uuids = [entry["uuid"] for entry in kept]
    assert len(set(uuids)) == 3, kept
    page.get_by_role("link", name="Về trang hôm nay").click()
    expect(page.locator("#outbox-count")).to_have_text("3 lượt hỗ trợ đang chờ gửi")
    shot(page, "offline-today-waiting-vi")
    assert logs_with_uuids(live_app, uuids) == {}

    page.context.set_offline(False)
    expect(page.locator("#outbox-flash")).to_have_text("Đã gửi 3 lượt hỗ trợ")
    expect(page.locator("#outbox")).to_be_hidden()
    assert logs_with_uuids(live_app, uuids) == {uuid: 1 for uuid in uuids}
    assert outbox(page) == []
    shot(page, "offline-today-sent-vi")
