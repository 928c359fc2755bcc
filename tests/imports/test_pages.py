"""Import pages: upload, preview (page and filtered fragment), confirm; bad files and their
messages, the templates, bounded SQL and the CSRF check on large uploads."""

import io
import re

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.imports import services
from app.imports.models import ImportUpload
from app.imports.reading import read_table
from tests.conftest import count_queries, sign_in
from tests.imports.conftest import (
    BAD_VILLAGES,
    HOUSEHOLD_HEADER,
    VILLAGE_HEADER,
    confirm,
    cp1258,
    csv_text,
    household_rows,
    upload,
    villages,
)


def test_upload_preview_confirm_through_the_pages(client, db, world):
    sign_in(client, world["staff"])
    assert client.get("/imports/?lang=en").status_code == 200
    response = upload(client, "villages", cp1258(BAD_VILLAGES.replace("🏠🌾", "???")), "thon.csv")
    assert response.status_code == 303 and response.headers["Location"] == "/imports/villages/preview"
    page = client.get("/imports/villages/preview?lang=en&show=all")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "thon.csv" in html
    assert "Thôn Đồng" not in html and "Thôn Mới" in html and "Unknown commune code" in html
    assert "Confirm: save 2 new rows" in html
    assert villages(db, world["commune_a"]) == ["Thôn 1", "Thôn 1"]
    done = confirm(client, "villages")
    assert done.status_code == 303
    assert villages(db, world["commune_a"]) == ["Thôn 1", "Thôn 1", "Thôn Mới"]
    html = client.get("/imports/villages/preview?lang=en").get_data(as_text=True)
    assert "Import done" in html and "2 new rows saved" in html


def test_preview_fragment_filters_rows(client, world):
    sign_in(client, world["admin"])
    upload(client, "villages", BAD_VILLAGES)
    page = client.get("/imports/villages/preview?lang=en").get_data(as_text=True)
    assert 'aria-current="true">Errors (5)' in page  # errors shown first
    fragment = client.get("/imports/villages/preview?show=new&lang=en", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body and 'id="import-rows"' in body
    assert body.count('class="import-row status-new"') == 2 and "status-error" not in body


def test_second_confirm_and_stale_token_are_refused(client, db, world):
    sign_in(client, world["admin"])
    upload(client, "villages", BAD_VILLAGES)
    old_token = services.latest_upload(world["admin"], "villages").token
    upload(client, "villages", BAD_VILLAGES.replace("Thôn Hạ", "Thôn Thượng"))
    stale = client.post("/imports/villages/confirm", data={"token": old_token})
    assert stale.status_code == 409
    assert confirm(client, "villages").status_code == 303
    token = services.latest_upload(world["admin"], "villages").token
    again = client.post("/imports/villages/confirm?lang=en", data={"token": token})
    assert again.status_code == 409 and "already imported" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "import.confirmed")) == 1


@pytest.mark.parametrize("content,status,text", [
    (b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(256)), 415, "Tệp này không phải"),
    (csv_text(VILLAGE_HEADER, *[f"18562,Thôn {n},," for n in range(50_000)]), 413, "Chia nhỏ tệp"),
    ("tên,số\n1,2\n", 400, "commune_code"),
])
def test_bad_files_get_a_clear_4xx_and_nothing_is_kept(client, db, world, content, status, text):
    sign_in(client, world["admin"])
    response = upload(client, "villages", content)
    assert response.status_code == status
    assert text in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportUpload)) == 0


def test_missing_file_is_a_400(client, world):
    sign_in(client, world["admin"])
    response = client.post("/imports/villages/upload", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and 'class="field-error"' in response.get_data(as_text=True)


def test_more_than_five_megabytes_is_a_413_with_a_message(client, world):
    sign_in(client, world["admin"])
    response = upload(client, "households", b"a,b\n" * (1_400_000))
    assert response.status_code == 413
    assert "5 MB" in response.get_data(as_text=True)


def test_templates_are_utf8_with_bom_and_import_cleanly(client, db, world):
    sign_in(client, world["admin"])
    for kind, header in (("villages", VILLAGE_HEADER), ("households", HOUSEHOLD_HEADER)):
        response = client.get(f"/imports/{kind}/template.csv")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in response.headers["Content-Disposition"]
        raw = response.get_data()
        assert raw.startswith(b"\xef\xbb\xbf" + header.encode())
        assert len(read_table(raw, tuple(header.split(",")[:2])).rows) == 2


def test_preview_runs_a_bounded_number_of_queries(client, db, world):
    sign_in(client, world["admin"])
    few = csv_text(HOUSEHOLD_HEADER, *[household_rows(display_name=f"Hộ {n}", phone=f"09{n:08d}")
                                       for n in range(3)])
    many = csv_text(HOUSEHOLD_HEADER, *[household_rows(display_name=f"Hộ {n}", phone=f"09{n:08d}")
                                        for n in range(300)])
    counts = []
    for content in (few, many):
        upload(client, "households", content)
        with count_queries() as n:
            assert client.get("/imports/households/preview").status_code == 200
        counts.append(n())
    assert counts[0] == counts[1] <= 15


def test_uploads_larger_than_other_requests_still_need_the_csrf_token(csrf_app, world):
    csrf_client = csrf_app.test_client()
    sign_in(csrf_client, world["admin"])
    big = csv_text(VILLAGE_HEADER, *[f"18562,Thôn số {n} của xã Thạch Hà tỉnh Hà Tĩnh,Xã Thạch Sơn "
                                     f"cũ thuộc huyện Thạch Hà,200" for n in range(19_000)])
    assert len(big.encode()) > 2 * 1024 * 1024  # beyond the app-wide limit
    refused = upload(csrf_client, "villages", big)
    assert refused.status_code == 400
    page = csrf_client.get("/imports/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = csrf_client.post("/imports/villages/upload", content_type="multipart/form-data",
                                data={"csrf_token": token, "file": (io.BytesIO(big.encode()), "big.csv")})
    assert response.status_code == 303


def test_every_column_is_explained_in_the_readers_language_without_its_code(client, world):
    """The header codes live in the template file; the page explains each column in words."""
    for spec in services.KINDS.values():
        assert len(spec.COLUMN_HELP) == len(spec.COLUMNS), spec.KIND
    sign_in(client, world["staff"])
    page = client.get("/imports/?lang=vi").get_data(as_text=True)
    assert "Mã quốc gia của xã" in page
    codes = {code for spec in services.KINDS.values() for code in spec.COLUMNS}
    explained = "".join(re.findall(r'<details class="columns">.*?</details>', page, re.S))
    assert explained.count("<li>") == sum(len(spec.COLUMNS) for spec in services.KINDS.values())
    assert not [code for code in codes if re.search(rf"\b{code}\b", explained)]
