"""With CSRF on, as in production, every plain POST form on every page carries its token.

A crawl signs in as each role, follows the links and htmx GETs of every page it can open in a
small world (with a returned log, an open task, a pending import...), and reads every
``<form method="post">``: a form that lost its ``csrf_token`` input would answer 400 to the
person who fills it in, and no other test would notice.
"""

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

from app.helplogs.models import LogStatus
from app.households.models import Household
from tests.conftest import make_log, make_task, make_upload, sign_in

ROLES = ("admin", "staff", "leader", "volunteer")
MAX_PAGES = 80  # per role: enough for every page of this small world
VARIANTS_PER_PATH = 2  # query strings (filters, pages) of one path worth opening
# Not pages: files, downloads, signing out; the language switch only repeats a page.
SKIPPED = ("/static/", "/logout", "/exports/", "/imports/template")


class PageReader(HTMLParser):
    """The links, htmx GETs and POST forms (with their fields) of one page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "hx-get"):
            if attrs.get(name):
                self.links.append(attrs[name])
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            self._form = {"action": attrs.get("action") or "", "method": method, "fields": {}}
            if method == "post":
                self.forms.append(self._form)
        elif tag in ("input", "button", "select", "textarea") and self._form is not None and attrs.get("name"):
            self._form["fields"].setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def read(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    return reader


def crawl(client, start: str = "/"):
    """Every page reachable from ``start`` (HTML answers only), as ``{url: PageReader}``."""
    seen, variants, pages = {start}, {}, {}
    queue = deque([start])
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code in (302, 303):
            links = [response.headers["Location"]]
        elif response.status_code == 200 and response.mimetype == "text/html":
            page = pages[url] = read(response.get_data(as_text=True))
            links = page.links
        else:
            continue
        for link in links:
            link = urldefrag(link).url
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or link in seen:
                continue
            if parts.path.startswith(SKIPPED) or parts.path.endswith((".csv", ".xlsx")) or "lang=" in parts.query:
                continue
            variants[parts.path] = variants.get(parts.path, 0) + 1
            if variants[parts.path] > VARIANTS_PER_PATH:
                continue
            seen.add(link)
            queue.append(link)
    return pages


@pytest.fixture()
def busy_world(db, world, services):
    """The world with something behind every form: a returned log, an open task claimed by the
    volunteer, a household with notes for the administrator, an import waiting for staff."""
    returned = make_log(world["volunteer"], world["team_a"], world["household_a"], status=LogStatus.RETURNED,
                        return_reason="other", return_comment="Thiếu ngày")
    make_task(world["team_a"], world["village_a1"], returned.services, leader=world["leader"],
              assignee=None, note="Việc mở")
    make_upload(world["staff"])
    return world


@pytest.mark.parametrize("role", ROLES)
def test_every_post_form_on_every_page_carries_its_csrf_token(csrf_app, busy_world, role):
    client = csrf_app.test_client()
    sign_in(client, busy_world[role])
    pages = crawl(client)
    forms = [(url, form) for url, page in pages.items() for form in page.forms]
    assert len(pages) >= 5 and forms, f"the crawl found too little: {sorted(pages)}"
    missing = [(url, form["action"]) for url, form in forms if not form["fields"].get("csrf_token")]
    assert missing == [], f"POST forms without a CSRF token: {missing}"


def test_the_login_form_carries_its_token(csrf_app, world):
    page = read(csrf_app.test_client().get("/login").get_data(as_text=True))
    assert page.forms and all(form["fields"].get("csrf_token") for form in page.forms)


def test_the_anonymise_form_is_found_and_its_token_is_accepted(csrf_app, busy_world, db):
    client = csrf_app.test_client()
    sign_in(client, busy_world["admin"])
    household_id = busy_world["household_a"].id
    pages = crawl(client)
    found = [form for page in pages.values() for form in page.forms
             if form["action"] == f"/households/{household_id}/anonymise"]
    assert found, "the crawl did not reach the anonymise form"
    assert found[0]["fields"].get("csrf_token")
    response = client.post(found[0]["action"], data=found[0]["fields"])
    assert response.status_code in (200, 303), response.status_code
    db.session.expire_all()
    assert db.session.get(Household, household_id).anonymised_at is not None
