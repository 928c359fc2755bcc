"""Bytes on the wire: static files in the smallest encoding the client accepts, error
fragments compressed, and the session cookie sent only when it changes."""

import gzip
import re
import time

import brotli
import pytest
from backports import zstd

from app.core.templating import HTMX_VERSION
from tests.conftest import count_queries, make_services, sign_in

HTMX = f"/static/vendor/htmx-{HTMX_VERSION}.min.js"
DECODE = {"br": brotli.decompress, "zstd": zstd.decompress, "gzip": gzip.decompress, None: lambda body: body}


def fetch(client, path, encoding, **headers):
    return client.get(path, headers={"Accept-Encoding": encoding, **headers})


@pytest.mark.parametrize("accept,expected", [
    ("gzip", "gzip"), ("br", "br"), ("zstd", "zstd"), ("identity", None), ("", None),
    ("gzip;q=0, br", "br"), ("deflate, gzip", "gzip"), ("*", "br"),
])
def test_static_files_come_in_an_encoding_the_client_accepts(client, accept, expected):
    response = fetch(client, HTMX, accept)
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == expected
    body = DECODE[expected](response.get_data())
    assert body.startswith(b"var htmx") or b"htmx" in body[:200]
    assert "Accept-Encoding" in response.headers["Vary"]


def test_the_smallest_accepted_encoding_wins(client):
    sizes = {enc: len(fetch(client, HTMX, enc).get_data()) for enc in ("br", "zstd", "gzip")}
    chosen = fetch(client, HTMX, "gzip, zstd, br")
    assert chosen.headers["Content-Encoding"] == min(sizes, key=sizes.get)
    assert sizes["gzip"] < 20_000  # a gzip-only client no longer receives htmx raw (52 KB)


def test_versioned_static_files_are_cached_a_year_and_revalidate_by_etag(client):
    response = fetch(client, f"{HTMX}?v=abc", "br")
    assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
    again = client.get(f"{HTMX}?v=abc", headers={"Accept-Encoding": "br", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    other = client.get(f"{HTMX}?v=abc", headers={"Accept-Encoding": "gzip", "If-None-Match": response.headers["ETag"]})
    assert other.status_code == 200  # another encoding is another ETag
    assert "no-cache" in fetch(client, HTMX, "br").headers["Cache-Control"]


def test_static_answers_carry_no_cookie_and_load_no_user(client, world):
    sign_in(client, world["volunteer"])
    with count_queries() as statements:
        response = fetch(client, "/static/css/app.css?v=1", "br")
    assert statements() == 0
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers["Vary"]
    assert fetch(client, "/static/nothing-here.css", "br").status_code == 404
    assert fetch(client, "/static/../config.py", "br").status_code == 404


def test_a_validation_fragment_is_compressed_like_a_page(client, world):
    make_services()
    sign_in(client, world["volunteer"])
    form = client.get("/logs/new").get_data(as_text=True)
    uuid = re.search(r'name="client_uuid" type="hidden" value="([^"]+)"', form).group(1)
    data = {"client_uuid": uuid, "village_id": world["village_a1"].id, "mode": "existing", "household_id": "",
            "outcome": "done", "people_count": "1", "helped_on": "", "note": ""}
    for encoding in ("br", "gzip"):
        response = client.post("/logs/new", data=data, headers={"Accept-Encoding": encoding, "HX-Request": "true"})
        assert response.status_code == 400
        assert response.headers["Content-Encoding"] == encoding
        assert "<html" not in DECODE[encoding](response.get_data()).decode()


def test_the_session_cookie_goes_out_when_the_session_changes_and_once_a_day(client, world):
    sign_in(client, world["volunteer"])
    first = client.get("/")
    assert "Set-Cookie" in first.headers  # the day's renewal
    assert "Set-Cookie" not in client.get("/").headers
    with client.session_transaction() as session:
        session["_refreshed"] = int(time.time()) - 25 * 3600
    assert "Set-Cookie" in client.get("/").headers
    assert "Set-Cookie" not in client.get("/logs").headers
