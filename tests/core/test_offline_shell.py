"""The installable app shell: the manifest, the service worker served from the root, the policy
that allows them, and the mark that tells the worker which pages it may keep offline."""

import json

import pytest

from app.core.offline import OFFLINE_SHELL_HEADER
from app.core.security import CONTENT_SECURITY_POLICY
from tests.conftest import html_of, sign_in


def test_the_manifest_names_the_app_with_its_icons(client, world):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == "Gõ Cửa" and manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone" and manifest["theme_color"] == "#0b5d3b"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512", "any"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200, icon["src"]


def test_the_manifest_speaks_the_chosen_language(client, world):
    english = json.loads(client.get("/manifest.webmanifest?lang=en").get_data(as_text=True))
    assert english["description"] == "Log the digital help given to households, door to door."


def test_the_service_worker_is_served_from_the_root_for_the_whole_app(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response.headers["Cache-Control"]
    source = response.get_data(as_text=True)
    assert 'importScripts("/static/js/outbox.js")' in source
    assert client.get("/static/js/outbox.js").status_code == 200


def test_the_policy_allows_the_worker_and_the_manifest_from_the_site_only(client):
    policy = client.get("/sw.js").headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy
    assert "script-src 'self';" in policy  # still no inline script


def test_pages_link_the_manifest_and_the_field_pages_name_what_to_keep(client, world):
    sign_in(client, world["volunteer"])
    html = html_of(client, "/")
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'data-sw="/sw.js"' in html and 'hx-history="false"' in html
    pages = html.split('data-offline-pages="')[1].split('"')[0].split()
    areas = [f"/areas/{world['commune_a'].id}", f"/areas/{world['village_a1'].id}"]
    assert pages == ["/", "/logs/new", "/offline", *areas]
    assert 'id="offline-words"' in html and "Đã lưu trên máy, sẽ gửi khi có mạng" in html


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_offices_get_no_offline_shell(client, world, role):
    sign_in(client, world[role])
    html = html_of(client, "/areas/" + str(world["village_a1"].id))
    assert "data-sw=" not in html and "offline-words" not in html


@pytest.mark.parametrize("path", ["/", "/logs/new", "/logs/new?lang=en", "/offline"])
def test_shell_pages_are_marked_for_the_worker(client, world, path):
    sign_in(client, world["volunteer"])
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers.get(OFFLINE_SHELL_HEADER) == "1"


def test_the_commune_and_village_pages_of_figures_are_marked(client, world):
    sign_in(client, world["volunteer"])
    for area in ("commune_a", "village_a1"):
        assert client.get(f"/areas/{world[area].id}").headers.get(OFFLINE_SHELL_HEADER) == "1"


def test_pages_with_residents_or_a_chosen_household_are_not_marked(client, world):
    """The worker keeps only what the server marks: never a household list, a household, a
    log, or a form opened for one household."""
    sign_in(client, world["volunteer"])
    for path in (f"/areas/{world['village_a1'].id}/households", f"/households/{world['household_a'].id}",
                 f"/logs/{world['log_a'].id}", "/logs", f"/logs/new?household_id={world['household_a'].id}",
                 f"/logs/new?village_id={world['village_a1'].id}", "/logs/offline-households"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert OFFLINE_SHELL_HEADER not in response.headers, path


def test_an_error_page_is_not_marked(client, world):
    sign_in(client, world["volunteer"])
    response = client.get(f"/areas/{world['village_b1'].id}")
    assert response.status_code == 404
    assert OFFLINE_SHELL_HEADER not in response.headers


def test_the_offline_note_offers_the_log_form(client, world):
    sign_in(client, world["volunteer"])
    html = html_of(client, "/offline")
    assert "Không có mạng" in html and 'href="/logs/new"' in html


def test_the_worker_keeping_pages_after_a_sign_out_leaves_no_message(client, world):
    """A page fetched in the background by the worker, signed out, answers 401 and leaves no
    "please sign in" behind for the next page to show."""
    response = client.get("/logs/new", headers={"X-Offline-Warm": "1"})
    assert response.status_code == 401 and "Location" not in response.headers
    login = client.get("/login").get_data(as_text=True)
    assert "Vui lòng đăng nhập để tiếp tục." not in login
    assert client.get("/logs/new").status_code == 302
    assert "Vui lòng đăng nhập để tiếp tục." in client.get("/login").get_data(as_text=True)


def test_a_page_showing_a_one_time_message_is_not_kept(client, world):
    sign_in(client, world["volunteer"])
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Đã giao nhiệm vụ.")]
    response = client.get("/")
    assert "Đã giao nhiệm vụ." in response.get_data(as_text=True)
    assert OFFLINE_SHELL_HEADER not in response.headers
    assert client.get("/").headers.get(OFFLINE_SHELL_HEADER) == "1"


def test_the_worker_keeping_a_page_leaves_the_message_for_the_user(client, world):
    sign_in(client, world["volunteer"])
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Đã giao nhiệm vụ.")]
    kept = client.get("/", headers={"X-Offline-Warm": "1"})
    assert "Đã giao nhiệm vụ." not in kept.get_data(as_text=True)
    assert OFFLINE_SHELL_HEADER not in kept.headers
    assert "Đã giao nhiệm vụ." in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("mode", ["cors", "same-origin", "no-cors"])
def test_a_scripts_fetch_after_a_sign_out_leaves_no_message(client, world, mode):
    """The phone's household list or outbox fetched by a script just after signing out answers
    401 and leaves no "please sign in" for the next page: only a navigation is sent to /login."""
    response = client.get("/logs/offline-households", headers={"Sec-Fetch-Mode": mode})
    assert response.status_code == 401 and "Location" not in response.headers
    assert "Vui lòng đăng nhập để tiếp tục." not in client.get("/login").get_data(as_text=True)
    navigated = client.get("/logs/new", headers={"Sec-Fetch-Mode": "navigate"})
    assert navigated.status_code == 302
    assert "Vui lòng đăng nhập để tiếp tục." in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("headers", [{"X-Offline-Warm": "1"}, {"Sec-Fetch-Mode": "cors"}])
def test_a_background_read_never_writes_the_session_cookie(client, world, headers):
    """A page the worker keeps, fetched beside a page that shows and clears a message, must not
    bring the message back with an older copy of the session arriving last."""
    sign_in(client, world["volunteer"])
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Đã lưu.")]
    background = client.get("/offline", headers=headers)
    assert background.status_code == 200 and "Set-Cookie" not in background.headers
    shown = client.get("/offline")
    assert "Set-Cookie" in shown.headers  # a navigation that shows the message clears it
