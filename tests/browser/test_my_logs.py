"""My logs through the real server: each status tab answers a status line a browser accepts,
filters the list in place, updates the address bar, and Back returns to the previous tab."""

import http.client
import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.browser.conftest import shot
from tests.browser.helpers import assert_no_horizontal_scroll, signed_in

TABS = {"Tất cả": None, "Chờ duyệt": "submitted", "Bị trả lại": "returned", "Đã duyệt": "approved"}


def raw_get(live_server: str, path: str, cookies: list[dict]) -> http.client.HTTPResponse:
    """One request over a plain socket: http.client parses the status line, as a browser does
    (Flask's test client does not)."""
    parts = urlsplit(live_server)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", path, headers={"Cookie": "; ".join(f"{c['name']}={c['value']}" for c in cookies)})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_status_lines_are_numbers_whatever_the_filter_says(page: Page, live_server):
    signed_in(page, "volunteer")
    cookies = page.context.cookies()
    for query, status in (("status=submitted", 200), ("status=approved", 200),
                          ("status=200%20OK%0d%0aSet-Cookie:%20x=1", 400), ("status=bogus", 400)):
        response = raw_get(live_server, f"/logs?{query}", cookies)
        assert (response.status, response.reason.lower()) == (status, http.client.responses[status].lower())
        assert "x=1" not in (response.getheader("Set-Cookie") or "")


def test_every_status_tab_filters_the_list_in_place(page: Page, live_server):
    signed_in(page, "volunteer")
    page.goto("/logs")
    seen = []
    for label, status in TABS.items():
        with page.expect_response(re.compile(r"/logs(\?|$)")) as answer:
            page.locator(".filters-nav a", has_text=label).click()
        assert answer.value.status == 200
        expect(page.locator(".filters-nav a[aria-current=true]")).to_have_text(label)
        expect(page).to_have_url(re.compile(rf"/logs\?status={status}$" if status else r"/logs$"))
        rows = page.locator("#log-list .list li")
        if status:
            for index in range(rows.count()):
                expect(rows.nth(index)).to_contain_text(label)
        seen.append(rows.count())
        assert_no_horizontal_scroll(page)
    assert all(seen), f"the demo volunteer has logs of every status: {seen}"
    shot(page, "my-logs-approved-vi")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/logs\?status=returned$"))
    expect(page.locator(".filters-nav a[aria-current=true]")).to_have_text("Bị trả lại")


def test_an_unknown_status_is_a_clear_400(page: Page, live_server):
    signed_in(page, "volunteer")
    response = page.goto("/logs?status=200%20OK%0d%0aSet-Cookie:%20x=1")
    assert response.status == 400
    expect(page.locator("main")).to_contain_text("Trạng thái không hợp lệ")
    assert "x" not in {cookie["name"] for cookie in page.context.cookies()}
