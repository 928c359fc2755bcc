"""Bytes a phone downloads for the log form, compressed as served, and for each htmx step.

Builds a demo database (SQLite, in a temporary folder), signs in as the demo volunteer and
fetches, once as a current Android Chrome (Brotli, zstd, gzip) and once as a client or proxy
that accepts gzip only:
  - the log form's first load: the HTML page and every asset it links (CSS, htmx, app.js, icon);
  - a repeat visit: the page alone (the assets' URLs carry their version, so they stay cached);
  - the htmx answers: a household search, a submit, a validation error (400) and a stale edit (409).
Budgets (issue 13): first load at most 35 KB for both clients, a repeat visit at most 6 KB, every
htmx answer at most 5 KB, as served.

    .venv/bin/python bench/page_weight.py
"""

import re
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import gzip  # noqa: E402

import brotli  # noqa: E402
from backports import zstd  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.demo.seed import seed_demo  # noqa: E402

CLIENTS = {"chrome": "gzip, deflate, br, zstd", "gzip_only": "gzip"}
FIRST_LOAD_BUDGET = 35 * 1024
REPEAT_BUDGET = 6 * 1024
INTERACTION_BUDGET = 5 * 1024


def decoded(response) -> str:
    """The body as text, whatever the server compressed it with."""
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        body = brotli.decompress(body)
    elif encoding == "zstd":
        body = zstd.decompress(body)
    elif encoding == "gzip":
        body = gzip.decompress(body)
    return body.decode()


def weight(response) -> int:
    return len(response.get_data())  # the body as sent: compressed when the server compressed it


def measure(client, encoding: str) -> tuple[dict[str, int], list[tuple[str, str, int]]]:
    headers = {"Accept-Encoding": encoding}
    htmx = {**headers, "HX-Request": "true"}
    page = client.get("/logs/new", headers=headers)
    text = decoded(page)
    rows = [("html /logs/new", page.headers.get("Content-Encoding", "identity"), weight(page))]
    for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', text):
        asset = client.get(url, headers=headers)
        rows.append((url.split("?")[0], asset.headers.get("Content-Encoding", "identity"), weight(asset)))
    village = re.search(r'<option selected value="(\d+)"', text).group(1)
    search = client.get(f"/logs/households?village_id={village}&q=nguyen", headers=htmx)
    household = re.search(r'name="household_id" value="(\d+)"', decoded(search)).group(1)
    services = re.findall(r'name="service_ids" type="checkbox" value="(\d+)"', text)[:2]
    today = re.search(r'name="helped_on"[^>]*value="([\d-]+)"', text).group(1)
    form = {"village_id": village, "mode": "existing", "household_id": household, "service_ids": services,
            "outcome": "done", "people_count": "1", "helped_on": today}
    submit = client.post("/logs/new", headers=htmx, data={"client_uuid": str(uuid.uuid4()), **form})
    assert submit.status_code == 200, submit.status_code
    invalid = client.post("/logs/new", headers=htmx,
                          data={**form, "client_uuid": str(uuid.uuid4()), "service_ids": [], "helped_on": ""})
    assert invalid.status_code == 400, invalid.status_code
    log_id = re.search(r"/logs/(\d+)", submit.headers.get("HX-Push-Url", "")).group(1)
    stale = client.post(f"/logs/{log_id}/edit", headers=htmx, data={**form, "version": "0"})
    assert stale.status_code == 409, stale.status_code
    figures = {
        "first_load": sum(size for _, _, size in rows),
        "repeat_visit": weight(client.get("/logs/new", headers=headers)),
        "search_fragment": weight(search), "submit_fragment": weight(submit),
        "validation_400_fragment": weight(invalid), "stale_409_fragment": weight(stale),
    }
    return figures, rows


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="gocua-weight-"))
    app = create_app("development", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'w.sqlite'}",
                     SECRET_KEY="bench", WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False, LOG_LEVEL="WARNING")
    with app.app_context():
        upgrade()
        seed_demo()
    client = app.test_client()
    client.post("/login", data={"username": "volunteer", "password": "gocua-demo"})
    ok = True
    for name, encoding in CLIENTS.items():
        figures, rows = measure(client, encoding)
        print(f"{name} (Accept-Encoding: {encoding})")
        for url, used, size in rows:
            print(f"  {url:<45} {used:<8} {size:>7,} B")
        budgets = {"first_load": FIRST_LOAD_BUDGET, "repeat_visit": REPEAT_BUDGET}
        for figure, size in figures.items():
            budget = budgets.get(figure, INTERACTION_BUDGET)
            ok = ok and size <= budget
            print(f"# page_weight_{name}_{figure}: budget {budget} bytes")
            print(f"BENCH page_weight_{name}_{figure} {size} bytes", flush=True)
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
