"""Bytes a phone downloads for the log form, compressed as served, and for each htmx step.

Builds a demo database (SQLite, in a temporary folder), signs in as the demo volunteer and
fetches, with the Accept-Encoding of a current Android Chrome:
  - the log form's first load: the HTML page and every asset it links (CSS, htmx, app.js, icon);
  - a household search (htmx fragment) and a submit (htmx fragment with the confirmation).
Budgets (issue 4): first load at most 60 KB, each htmx interaction at most 10 KB.

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

ENCODING = {"Accept-Encoding": "gzip, deflate, br, zstd"}
FIRST_LOAD_BUDGET = 60 * 1024
INTERACTION_BUDGET = 10 * 1024


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


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="gocua-weight-"))
    app = create_app("development", SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'w.sqlite'}",
                     SECRET_KEY="bench", WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    with app.app_context():
        upgrade()
        seed_demo()
    client = app.test_client()
    client.post("/login", data={"username": "volunteer", "password": "gocua-demo"})

    page = client.get("/logs/new", headers=ENCODING)
    text = decoded(page)
    rows = [("html /logs/new", page.headers.get("Content-Encoding", "identity"), weight(page))]
    for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', text):
        asset = client.get(url, headers=ENCODING)
        rows.append((url.split("?")[0], asset.headers.get("Content-Encoding", "identity"), weight(asset)))
    first_load = sum(size for _, _, size in rows)

    village = re.search(r'<option selected value="(\d+)"', text).group(1)
    search = client.get(f"/logs/households?village_id={village}&q=nguyen",
                        headers={**ENCODING, "HX-Request": "true"})
    household = re.search(r'name="household_id" value="(\d+)"', decoded(search)).group(1)
    services = re.findall(r'name="service_ids" type="checkbox" value="(\d+)"', text)[:2]
    today = re.search(r'name="helped_on"[^>]*value="([\d-]+)"', text).group(1)
    submit = client.post("/logs/new", headers={**ENCODING, "HX-Request": "true"}, data={
        "client_uuid": str(uuid.uuid4()), "village_id": village, "mode": "existing", "household_id": household,
        "service_ids": services, "outcome": "done", "people_count": "1", "helped_on": today,
    })
    assert submit.status_code == 200, submit.status_code

    for name, encoding, size in rows:
        print(f"  {name:<45} {encoding:<8} {size:>7,} B")
    print(f"BENCH log_form_first_load_bytes {first_load}  (budget {FIRST_LOAD_BUDGET})")
    print(f"BENCH household_search_fragment_bytes {weight(search)}  (budget {INTERACTION_BUDGET})")
    print(f"BENCH submit_fragment_bytes {weight(submit)}  (budget {INTERACTION_BUDGET})")
    ok = first_load <= FIRST_LOAD_BUDGET and max(weight(search), weight(submit)) <= INTERACTION_BUDGET
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
