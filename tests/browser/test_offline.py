"""Logging where the signal drops: the volunteer logs visits offline (one for a new household),
reloads the form offline, and back online the outbox sends each visit once; two tabs replaying
at once still store each once; an entry refused for an expired sign-in is parked and sent after
signing in again; signing out with entries waiting warns first."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from tests.browser.conftest import shot
from tests.browser.helpers import assert_no_horizontal_scroll, sign_in, signed_in
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


@pytest.fixture(autouse=True)
def remove_the_logs_sent_here(live_app):
    """The browser tests share one server: the logs sent here (hundreds of group sessions
    waiting for review) go after each test, so the review queue other tests read stays as the
    demo data left it."""
    from sqlalchemy import delete

    from app.audit.models import AuditEvent
    from app.coverage import summaries
    from app.extensions import db
    from app.helplogs.models import HelpLog, help_log_services

    with live_app.app_context():
        last = db.session.scalar(select(func.max(HelpLog.id))) or 0
    yield
    with live_app.app_context():
        made = select(HelpLog.id).where(HelpLog.id > last)
        db.session.execute(delete(help_log_services).where(help_log_services.c.log_id.in_(made)))
        # SQLite gives the next log the id of a deleted one: its history goes with it.
        db.session.execute(delete(AuditEvent).where(AuditEvent.object_type == HelpLog.__tablename__,
                                                   AuditEvent.object_id > last))
        db.session.execute(delete(HelpLog).where(HelpLog.id > last))
        summaries.rebuild()
        db.session.commit()


OUTBOX_EMPTY = "GocuaOutbox.entries().then((all) => all.length === 0)"


def wait_for_js(page: Page, expression: str, seconds: float = 10) -> None:
    """Until the page's (asynchronous) expression is true; wait_for_function does not await
    a promise, it takes it for true."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true in {seconds} s: {expression[:80]}")


def ready_for_the_field(page: Page) -> None:
    """Signed in once online: the worker controls the page and has kept the shell, and the
    households of the volunteer's villages are on the phone."""
    signed_in(page, "volunteer")
    wait_for_js(page, SHELL_READY, seconds=15)


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


# Queues ``n`` group sessions from the log form on screen (as filled in), each with its own
# client_uuid, through the outbox's own keep(): the way the form keeps one, without n taps.
QUEUE = """async (n) => {
  const form = document.querySelector("#log-form");
  const base = [];
  new FormData(form).forEach((v, k) => {
    if (k !== "csrf_token" && k !== "q" && k !== "client_uuid") base.push([k, v]);
  });
  const user = Number(document.body.dataset.user);
  const uuids = [];
  for (let i = 0; i < n; i++) {
    const uuid = crypto.randomUUID();
    uuids.push(uuid);
    await GocuaOutbox.keep({ uuid, user, action: form.getAttribute("action"),
                             fields: base.concat([["client_uuid", uuid]]),
                             summary: { who: "Buổi hướng dẫn tập trung", village: "", services: "", day: "" } });
  }
  return uuids;
}"""


def group_session_form(page: Page, people: str = "9") -> None:
    page.goto("/logs/new")
    page.locator(".seg", has_text="Hướng dẫn nhóm").click()
    page.fill("#people_count", people)
    choose_services(page, "An toàn trên không gian mạng")


def expire_sessions(live_app, username: str = "volunteer") -> None:
    """The server forgets the user's sign-ins, as when a session has expired."""
    from sqlalchemy import delete

    from app.accounts.models import User, UserSession
    from app.extensions import db

    with live_app.app_context():
        db.session.execute(delete(UserSession).where(
            UserSession.user_id.in_(select(User.id).where(User.username == username))))
        db.session.commit()


def test_a_refused_entry_is_parked_reopened_with_what_was_typed_fixed_and_sent(page: Page, live_app):
    ready_for_the_field(page)
    group_session_form(page, "14")
    page.context.set_offline(True)
    # Taken offline with a date the server no longer accepts (more than 30 days back).
    page.evaluate("document.querySelector('#helped_on').value = '2020-01-02'")
    keep_offline(page)
    uuid = outbox(page)[0]["uuid"]
    page.get_by_role("link", name="Về trang hôm nay").click()
    expect(page.locator("#outbox-count")).to_have_text("1 lượt hỗ trợ đang chờ gửi")

    page.context.set_offline(False)
    parked = page.locator("#parked-logs li")
    expect(parked).to_have_count(1)
    expect(page.locator("#parked-title")).to_have_text("Chưa gửi được, cần bạn xem lại (1)")
    expect(parked).to_contain_text("Chỉ ghi được lượt hỗ trợ trong vòng 30 ngày trở lại.")
    expect(page.locator("#outbox-count")).to_have_count(0)
    page.locator("#outbox").scroll_into_view_if_needed()
    shot(page, "offline-parked-vi")
    assert logs_with_uuids(live_app, [uuid]) == {}

    # Signing out warns first, with the count; the volunteer stays.
    warnings = []
    page.once("dialog", lambda dialog: (warnings.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Đăng xuất").click()
    wait_until(page, lambda: warnings)
    expect(page.locator("footer.footer")).to_be_visible()
    assert warnings == ["Còn 1 lượt hỗ trợ chưa gửi. Các lượt này vẫn nằm trên máy và sẽ được gửi khi bạn "
                        "đăng nhập lại. Vẫn đăng xuất?"]

    # Opened in the form with what was typed; the date fixed, it is sent.
    parked.get_by_role("link", name="Mở để sửa và gửi").click()
    expect(page.locator("#people_count")).to_have_value("14")
    expect(page.locator("#helped_on")).to_have_value("2020-01-02")
    expect(page.locator("input[name=mode][value=group]")).to_be_checked()
    assert page.locator("input[name=client_uuid]").input_value() == uuid
    page.fill("#helped_on", page.evaluate("new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10)"))
    page.get_by_role("button", name="Lưu lượt hỗ trợ").click()
    expect(page.locator(".saved-title")).to_contain_text("Đã lưu")
    wait_for_js(page, OUTBOX_EMPTY)
    assert logs_with_uuids(live_app, [uuid]) == {uuid: 1}

    # Nothing waits: signing out asks nothing, and the households and pages kept go.
    page.on("dialog", lambda dialog: (warnings.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/login"))
    assert len(warnings) == 1
    left = page.evaluate("""async () => ({
      households: (await GocuaOutbox.households(%d)) || null,
      pages: (await (await caches.open("gocua-shell-v1")).keys()).map((r) => new URL(r.url).pathname)
        .filter((path) => !path.startsWith("/static/")),
    })""" % page_user(live_app))
    assert left == {"households": None, "pages": []}


def wait_until(page: Page, condition, seconds: float = 10) -> None:
    for _ in range(int(seconds * 20)):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError("the condition never held")


def page_user(live_app, username: str = "volunteer") -> int:
    from app.accounts.models import User
    from app.extensions import db

    with live_app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def test_an_entry_refused_for_an_expired_sign_in_is_sent_after_signing_in_again(page: Page, live_app):
    ready_for_the_field(page)
    group_session_form(page, "6")
    page.context.set_offline(True)
    keep_offline(page)
    uuid = outbox(page)[0]["uuid"]
    page.get_by_role("link", name="Về trang hôm nay").click()

    expire_sessions(live_app)
    page.context.set_offline(False)
    parked = page.locator("#parked-logs li")
    expect(parked).to_contain_text("Đăng nhập lại để gửi.")
    shot(page, "offline-parked-signin-vi")
    assert logs_with_uuids(live_app, [uuid]) == {}
    assert [entry["state"] for entry in outbox(page)] == ["parked"]

    parked.get_by_role("link", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/login"))
    sign_in(page, "volunteer")
    expect(page.locator("#outbox-flash")).to_have_text("Đã gửi 1 lượt hỗ trợ")
    assert logs_with_uuids(live_app, [uuid]) == {uuid: 1}
    assert outbox(page) == []


@pytest.mark.parametrize("locks", [True, False], ids=["web-locks", "no-locks"])
def test_two_tabs_replaying_at_once_store_each_log_once(page: Page, live_app, locks):
    """With the Web Locks API one tab replays and the other waits its turn; without it (older
    browsers) both send, and the server's client_uuid still stores each log once."""
    if not locks:
        page.context.add_init_script("Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined })")
    ready_for_the_field(page)
    group_session_form(page, "5")
    other = page.context.new_page()
    other.goto("/")
    page.context.set_offline(True)
    uuids = page.evaluate(QUEUE, 3)
    page.goto("/")
    other.reload()
    for tab in (page, other):
        expect(tab.locator("#outbox-count")).to_have_text("3 lượt hỗ trợ đang chờ gửi")

    page.context.set_offline(False)
    for tab in (page, other):
        expect(tab.locator("#outbox")).to_be_hidden()
    wait_for_js(page, OUTBOX_EMPTY)
    assert logs_with_uuids(live_app, uuids) == {uuid: 1 for uuid in uuids}
    other.close()


def test_a_new_household_that_looks_registered_is_parked_for_the_volunteer_to_choose(page: Page, live_app):
    ready_for_the_field(page)
    page.goto("/logs/new")
    page.context.set_offline(True)
    page.select_option("#village_id", label=VILLAGE)
    page.locator(".seg", has_text="Hộ mới").click()
    page.fill("#new-display_name", "Nguyen Van Duc")
    page.locator("label.choice", has_text="Ký xác nhận trên giấy").click()
    page.get_by_label("Người dân đã nghe nội dung xin phép và đồng ý").check()
    choose_services(page, "Định danh điện tử VNeID", "Dịch vụ công trực tuyến")
    keep_offline(page)
    uuid = outbox(page)[0]["uuid"]
    page.get_by_role("link", name="Về trang hôm nay").click()

    page.context.set_offline(False)
    parked = page.locator("#parked-logs li")
    expect(parked).to_contain_text("Hộ mới giống một hộ đã có trong danh sách. Mở ra để chọn.")
    assert logs_with_uuids(live_app, [uuid]) == {}

    # Opened, the form asks again; the volunteer takes the registered household, and what
    # was typed (the kinds of help) comes along.
    parked.get_by_role("link", name="Mở để sửa và gửi").click()
    page.get_by_role("button", name="Lưu lượt hỗ trợ").click()
    expect(page.locator("#log-form .warning")).to_contain_text("Hộ này có thể đã có trong danh sách")
    page.locator("#log-form .warning a", has_text="Nguyễn Văn Đức").first.click()
    expect(page.locator("#household-options input[name=household_id]:checked")).to_have_count(1)
    expect(page.locator(".tile input:checked")).to_have_count(2)
    page.get_by_role("button", name="Lưu lượt hỗ trợ").click()
    expect(page.locator(".saved-title")).to_contain_text("Đã lưu")
    expect(page.locator("#log-form")).to_contain_text("Nguyễn Văn Đức")
    wait_for_js(page, OUTBOX_EMPTY)
    assert logs_with_uuids(live_app, [uuid]) == {uuid: 1}


def test_the_offline_states_read_in_english(page: Page, live_app):
    ready_for_the_field(page)
    page.goto("/logs/new?lang=en")
    # The pages kept in Vietnamese are fetched again in English.
    wait_for_js(page, """caches.open("gocua-shell-v1").then((c) => c.match(location.origin + "/"))
                          .then((r) => r.text()).then((html) => html.includes('<html lang="en">'))""")
    page.goto("/logs/new")
    page.context.set_offline(True)
    page.fill("#q", "nguyen")
    expect(page.locator("#household-options .offline-note")).to_have_text(
        "No network: searching the households saved on this phone.")
    page.locator("#household-options .option:not(.change-household)").first.click()
    page.locator(".tile").first.click()
    page.get_by_role("button", name="Save the log").click()
    expect(page.locator(".kept .saved-title")).to_have_text(
        "Saved on this phone; it will be sent when the network is back")
    assert_no_horizontal_scroll(page)
    shot(page, "offline-kept-en")
    page.get_by_role("link", name="Back to today").click()
    expect(page.locator("#outbox-count")).to_have_text("1 log waiting to be sent")
    expect(page.locator("#outbox")).to_contain_text("No network: logs are kept on this phone.")
    page.locator("#outbox").scroll_into_view_if_needed()
    shot(page, "offline-today-waiting-en")
    page.goto("/logs")
    expect(page.locator("h1")).to_have_text("No connection")
    shot(page, "offline-note-en")

    expire_sessions(live_app)
    page.goto("/")
    page.context.set_offline(False)
    expect(page.locator("#parked-logs li")).to_contain_text("Sign in again to send it.")
    expect(page.locator("#parked-title")).to_have_text("Not sent: needs you (1)")
    page.locator("#outbox").scroll_into_view_if_needed()
    shot(page, "offline-parked-en")
    page.reload()
    sign_in(page, "volunteer")
    expect(page.locator("#outbox-flash")).to_have_text("1 log sent")
    shot(page, "offline-sent-en")


@pytest.mark.slow
def test_two_hundred_queued_logs_are_sent_within_a_minute(page: Page, live_app):
    """The outbox of a long day without signal: 200 logs, sent one by one in order over
    loopback, well under a minute."""
    import time

    ready_for_the_field(page)
    group_session_form(page, "3")
    page.context.set_offline(True)
    uuids = page.evaluate(QUEUE, 200)
    page.goto("/")
    expect(page.locator("#outbox-count")).to_have_text("200 lượt hỗ trợ đang chờ gửi")

    started = time.monotonic()
    page.context.set_offline(False)
    wait_for_js(page, OUTBOX_EMPTY, seconds=60)
    took = time.monotonic() - started
    expect(page.locator("#outbox-flash")).to_have_text("Đã gửi 200 lượt hỗ trợ")
    assert logs_with_uuids(live_app, uuids) == {uuid: 1 for uuid in uuids}
    print(f"200 queued logs replayed in {took:.1f} s")
    assert took < 60


def test_a_damaged_entry_is_parked_and_can_be_deleted_and_a_full_phone_keeps_the_form(page: Page, live_app):
    ready_for_the_field(page)
    user = page_user(live_app)
    page.evaluate("""(user) => GocuaOutbox.put({ uuid: "damaged-1", user, state: "waiting", seq: 1,
                                                  action: "/logs/new", fields: "not a list" })""", user)
    page.reload()
    parked = page.locator("#parked-logs li")
    expect(parked).to_contain_text("Bản lưu này bị hỏng nên không gửi được. Hãy ghi lại lượt hỗ trợ.")
    expect(parked.get_by_role("link")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    parked.get_by_role("button", name="Xóa khỏi máy").click()
    expect(page.locator("#outbox")).to_be_hidden()
    assert outbox(page) == []

    # The phone's storage is full: the form stays as typed, with the reason.
    group_session_form(page, "8")
    page.context.set_offline(True)
    page.evaluate("() => { GocuaOutbox.keep = () => Promise.reject(new DOMException('full', 'QuotaExceededError')); }")
    page.get_by_role("button", name="Lưu lượt hỗ trợ").click()
    expect(page.locator("#log-form .outbox-full")).to_contain_text("Bộ nhớ máy đã đầy nên không lưu được lượt hỗ trợ.")
    expect(page.locator("#people_count")).to_have_value("8")
    shot(page, "offline-full-vi")


def test_the_phone_keeps_the_current_version_of_each_file_only(page: Page, live_app):
    ready_for_the_field(page)
    page.evaluate("""async () => {
      const cache = await caches.open("gocua-shell-v1");
      await cache.put(location.origin + "/static/css/app.css?v=0000000000", new Response("old"));
    }""")
    page.reload()
    wait_for_js(page, """caches.open("gocua-shell-v1").then((c) => c.keys()).then((keys) =>
      !keys.some((r) => r.url.endsWith("?v=0000000000"))
      && keys.some((r) => r.url.includes("/static/css/app.css?v=")))""")


def test_households_unused_for_thirty_days_are_deleted_from_the_phone(page: Page, live_app):
    ready_for_the_field(page)
    user = page_user(live_app)
    page.goto("/logs/new")
    page.evaluate("""async (user) => {
      const record = await GocuaOutbox.households(user);
      record.used_at = Date.now() - 31 * 24 * 3600e3;
      const db = await new Promise((ok) => { const r = indexedDB.open("gocua", 1); r.onsuccess = () => ok(r.result); });
      await new Promise((ok) => { const tx = db.transaction("households", "readwrite");
        tx.objectStore("households").put(record); tx.oncomplete = ok; });
      db.close();
    }""", user)
    page.context.set_offline(True)
    page.reload()
    wait_for_js(page, "GocuaOutbox.households(%d).then((r) => r === undefined)" % user)
    page.fill("#q", "nguyen")
    expect(page.locator("#household-options")).to_contain_text(
        "Danh sách hộ của các thôn bạn phụ trách chưa có trên máy.")


def test_a_parked_entry_reopens_offline_from_the_phones_copy_of_the_form(page: Page, live_app):
    ready_for_the_field(page)
    group_session_form(page, "17")
    page.evaluate("document.querySelector('#helped_on').value = '2020-01-02'")
    page.context.set_offline(True)
    keep_offline(page)
    uuid = outbox(page)[0]["uuid"]
    page.get_by_role("link", name="Về trang hôm nay").click()
    page.context.set_offline(False)
    parked = page.locator("#parked-logs li")
    expect(parked).to_contain_text("Chỉ ghi được lượt hỗ trợ trong vòng 30 ngày trở lại.")

    page.context.set_offline(True)
    parked.get_by_role("link", name="Mở để sửa và gửi").click()
    expect(page.locator("#people_count")).to_have_value("17")
    expect(page.locator("input[name=mode][value=group]")).to_be_checked()
    expect(page.locator(".tile input:checked")).to_have_count(1)
    assert page.locator("input[name=client_uuid]").input_value() == uuid
    page.fill("#helped_on", page.evaluate("new Date(Date.now() + 7 * 3600e3).toISOString().slice(0, 10)"))
    keep_offline(page)
    assert [(e["uuid"], e["state"]) for e in outbox(page)] == [(uuid, "waiting")]

    page.context.set_offline(False)
    wait_for_js(page, OUTBOX_EMPTY)
    assert logs_with_uuids(live_app, [uuid]) == {uuid: 1}
