"""Imports from CSV: reading what Excel writes, the preview, confirm in one transaction."""

import io
import re
import unicodedata
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.areas.models import Area, AreaKind
from app.audit.models import AuditEvent
from app.core.db import utcnow
from app.households.models import ConsentMethod, Household
from app.imports import services
from app.imports.models import ImportUpload
from app.imports.reading import ImportFileError, read_table
from app.imports.rows import Status
from tests.conftest import count_queries, count_rows, make_household, make_upload, sign_in

VILLAGE_HEADER = "commune_code,village_name,former_commune,declared_households"
HOUSEHOLD_HEADER = ("commune_code,village_name,former_commune,display_name,phone,member_count,is_farm,"
                    "is_business,consent_method,consent_date,consent_collected_by,consent_witness")
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


@pytest.fixture(autouse=True)
def english(db):
    """Messages made outside a request read in English here (requests choose with ?lang)."""
    with force_locale("en"):
        yield


def cp1258(text: str) -> bytes:
    """Text as Excel writes it in Windows-1258: base letters precomposed, tones combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + "".join(c for c in parts if c in TONES))
    return "".join(out).encode("cp1258")


def csv_text(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


def villages(db, commune=None) -> list[str]:
    stmt = select(Area.name).where(Area.kind == AreaKind.VILLAGE).order_by(Area.id)
    if commune is not None:
        stmt = stmt.where(Area.parent_id == commune.id)
    return list(db.session.scalars(stmt))


def upload(client, kind: str, content, filename: str = "file.csv"):
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(f"/imports/{kind}/upload", data={"file": (io.BytesIO(raw), filename)},
                       content_type="multipart/form-data")


def confirm(client, kind: str):
    page = client.get(f"/imports/{kind}/preview").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    return client.post(f"/imports/{kind}/confirm", data={"token": token})


# Reading ---------------------------------------------------------------------

NAMES = "18562,Thôn Đồng Khánh,Xã Thạch Sơn,240\n18562;Xóm Hưng Lợi"


@pytest.mark.parametrize("encode", [
    pytest.param(lambda t: t.encode("utf-8"), id="utf-8"),
    pytest.param(lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), id="utf-8-bom"),
    pytest.param(cp1258, id="windows-1258"),
    pytest.param(lambda t: t.encode("utf-16"), id="utf-16"),
])
@pytest.mark.parametrize("separator", [",", ";"])
def test_reads_the_encodings_and_separators_excel_writes(app, encode, separator):
    text = csv_text(VILLAGE_HEADER, "18562,Thôn Đồng Khánh,Xã Thạch Sơn,240", "18562,Xóm Hưng Lợi,,")
    raw = encode(text.replace(",", separator))
    table = read_table(raw, ("commune_code", "village_name"))
    assert [values["village_name"] for _, values in table.rows] == ["Thôn Đồng Khánh", "Xóm Hưng Lợi"]
    name = table.rows[0][1]["village_name"]
    assert unicodedata.is_normalized("NFC", name)  # cp1258's combining tones are joined
    assert table.rows[0][1]["former_commune"] == "Xã Thạch Sơn"


def test_quoted_cells_headers_in_any_case_and_blank_rows(app):
    text = ('Commune_Code;"Village Name";Declared_Households\r\n'
            '18562;"Thôn 1; khu A";"1.234"\r\n;;\r\n\r\n18562;Thôn 2;\r\n')
    table = read_table(text.encode(), ("commune_code", "village_name"))
    assert [(n, v["village_name"]) for n, v in table.rows] == [(2, "Thôn 1; khu A"), (5, "Thôn 2")]


@pytest.mark.parametrize("raw,status,message", [
    (b"", 400, "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, 415, "not a CSV"),
    (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100, 415, "Excel workbook"),
    (b"%PDF-1.7\n...", 415, "PDF"),
    ("Tên thôn, số hộ\nThôn 1, 200\n".encode(), 400, "Missing: commune_code, village_name"),
    (f"{VILLAGE_HEADER}\n".encode(), 400, "no rows"),
    (f"{VILLAGE_HEADER}\n18562,\"Thôn 1\n".encode() + b"x" * 140_000, 400, "Row 2 has a cell longer than"),
    (f"{VILLAGE_HEADER}\n18562,Thôn 1\n".encode() + b"x" * 140_000, 400, "Row 3 has a cell longer than"),
    (b"x" * 140_000 + f"\n{VILLAGE_HEADER}\n".encode(), 400, "Row 1 has a cell longer than"),
    (f"{VILLAGE_HEADER}\n".encode() + b"18562,Thon 1\n" * 6000 + b"18562,Th\x00n 2\n", 415, "not a CSV"),
])
def test_files_that_cannot_be_imported(app, raw, status, message):
    with pytest.raises(ImportFileError) as raised:
        read_table(raw, ("commune_code", "village_name"))
    assert raised.value.status == status
    assert message in str(raised.value.message)


def test_too_many_rows_and_too_large(app):
    many = csv_text(VILLAGE_HEADER, *[f"18562,Thôn {n},," for n in range(50_000)]).encode()
    with pytest.raises(ImportFileError, match="too many rows") as raised:
        read_table(many, ("commune_code", "village_name"))
    assert raised.value.status == 413 and "50,000" in str(raised.value.message)
    with pytest.raises(ImportFileError, match="larger than 5 MB") as raised:
        read_table(b"a" * (5 * 1024 * 1024 + 1), ("commune_code",))
    assert raised.value.status == 413


# Villages --------------------------------------------------------------------

BAD_VILLAGES = csv_text(
    VILLAGE_HEADER,
    "18562,Thôn Mới,Xã Thạch Sơn,230",        # 2 new
    "99999,Thôn Lạ,,",                       # 3 unknown commune code
    "18562,,,",                              # 4 empty name
    "18562," + "T" * 500 + ",,",             # 5 500-character name
    "18562,🏠🌾,,",                          # 6 emoji only
    "18562,thon 1,xa thach son,",            # 7 duplicate of a stored village (accents ignored)
    "18562,Thôn  Mới,xã thạch sơn,",         # 8 duplicate of row 2
    "18562,Thôn Cũ,,nhiều",                  # 9 not a number
    "18406,Thôn Hạ,,1.200",                  # 10 new, in commune B
)


def test_village_preview_tells_each_row_apart_and_writes_nothing(db, world):
    before = villages(db)
    upload_ = make_upload(world["admin"], "villages", BAD_VILLAGES)
    rows = services.preview(world["admin"], upload_).rows
    assert [(r.number, r.status) for r in rows] == [
        (2, Status.NEW), (3, Status.ERROR), (4, Status.ERROR), (5, Status.ERROR), (6, Status.ERROR),
        (7, Status.DUPLICATE), (8, Status.DUPLICATE), (9, Status.ERROR), (10, Status.NEW),
    ]
    reasons = {r.number: str(r.reason) for r in rows}
    assert reasons[3].startswith("commune_code:") and "99999" in reasons[3]
    assert reasons[4].startswith("village_name:")
    assert "120" in reasons[5]
    assert reasons[6].startswith("village_name:")
    assert "Thôn 1" in reasons[7] and "row 2" in reasons[8]
    assert reasons[9].startswith("declared_households:")
    assert villages(db) == before


def test_village_confirm_writes_the_new_rows_in_one_go_and_audits(db, world):
    upload_ = make_upload(world["admin"], "villages", BAD_VILLAGES)
    services.confirm(world["admin"], "villages", upload_.token)
    added = db.session.scalars(select(Area).where(Area.name.in_(["Thôn Mới", "Thôn Hạ"]))).all()
    assert {(a.name, a.parent_id, a.declared_households, a.former_commune) for a in added} == {
        ("Thôn Mới", world["commune_a"].id, 230, "Xã Thạch Sơn"), ("Thôn Hạ", world["commune_b"].id, 1200, None)}
    assert all(a.path == f"{a.parent.path}{a.id}/" for a in added)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.confirmed"))
    assert event.changes["created"] == 2 and event.changes["duplicates"] == 2 and event.changes["errors"] == 5
    assert event.changes["rows"] == 9 and event.changes["kind"] == "villages"
    assert upload_.created_rows == 2 and upload_.confirmed_at is not None


def test_reimporting_the_same_file_changes_nothing(db, world):
    make_upload(world["admin"], "villages", BAD_VILLAGES)
    services.confirm(world["admin"], "villages", services.latest_upload(world["admin"], "villages").token)
    after_first = villages(db)
    again = make_upload(world["admin"], "villages", BAD_VILLAGES)
    assert services.Counter(r.status for r in services.preview(world["admin"], again).rows)[Status.NEW] == 0
    services.confirm(world["admin"], "villages", again.token)
    assert villages(db) == after_first


def test_a_renamed_village_is_a_duplicate_under_its_old_name(db, world):
    from app.areas.services import VillageData, update_village

    update_village(world["admin"], world["village_b1"], VillageData("Thôn Trung Hòa"))
    upload_ = make_upload(world["admin"], "villages", csv_text(VILLAGE_HEADER, "18406,Thôn Trung,,"))
    [row] = services.preview(world["admin"], upload_).rows
    assert row.status == Status.DUPLICATE and "Thôn Trung Hòa" in str(row.reason)


def test_commune_staff_import_only_into_their_commune(db, world):
    content = csv_text(VILLAGE_HEADER, "18562,Thôn Xa,,", "18406,Thôn Gần,,")
    upload_ = make_upload(world["staff_b"], "villages", content)
    rows = services.preview(world["staff_b"], upload_).rows
    assert [r.status for r in rows] == [Status.ERROR, Status.NEW]
    assert "outside your area" in str(rows[0].reason)
    services.confirm(world["staff_b"], "villages", upload_.token)
    assert villages(db, world["commune_a"]) == ["Thôn 1", "Thôn 1"]
    assert villages(db, world["commune_b"]) == ["Thôn Trung", "Thôn Gần"]


def test_a_failure_while_writing_leaves_nothing_behind(db, world, monkeypatch):
    from app.imports import villages as village_import

    calls = []

    def failing_build(commune, data):
        calls.append(data)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_build(commune, data)

    real_build = village_import.build_village
    monkeypatch.setattr(village_import, "build_village", failing_build)
    before = villages(db)
    upload_ = make_upload(world["admin"], "villages", BAD_VILLAGES)
    with pytest.raises(RuntimeError):
        services.confirm(world["admin"], "villages", upload_.token)
    assert villages(db) == before
    db.session.refresh(upload_)
    assert upload_.confirmed_at is None  # it can still be confirmed


# Households ------------------------------------------------------------------

def household_rows(**overrides):
    row = {"commune_code": "18562", "village_name": "Thôn 1", "former_commune": "Xã Thạch Sơn",
           "display_name": "Phạm Thị Mai", "phone": "0912 345 678", "member_count": "4", "is_farm": "1",
           "is_business": "0", "consent_method": "signed", "consent_date": "15/01/2026",
           "consent_collected_by": "volunteer", "consent_witness": ""}
    row.update(overrides)
    return ",".join(row[c] for c in HOUSEHOLD_HEADER.split(","))


def test_household_rows_checked_like_the_form(db, world):
    make_household(world["village_a1"], "Lê Văn Tám", phone="+84987654321")
    content = csv_text(
        HOUSEHOLD_HEADER,
        household_rows(),                                                    # 2 new
        household_rows(display_name="", phone=""),                           # 3 empty name
        household_rows(display_name="N" * 500, phone=""),                    # 4 500 characters
        household_rows(display_name="🙂🙂", phone=""),                         # 5 emoji only
        household_rows(display_name="Hồ Văn Sơn", phone="091234567"),         # 6 9-digit phone
        household_rows(village_name="Thôn 99", phone=""),                    # 7 unknown village
        household_rows(former_commune="", display_name="Võ Văn An", phone=""),  # 8 two Thôn 1
        household_rows(display_name="nguyen van duc", phone=""),             # 9 stored, same name
        household_rows(display_name="Ngô Thị Hà", phone="0987 654 321"),     # 10 stored phone
        household_rows(display_name="Phạm Thị Mai", phone="0912345678"),     # 11 same as row 2
        household_rows(consent_method="hỏi miệng", phone="", display_name="Hà Văn Lý"),  # 12
        household_rows(consent_method="verbal_witnessed", phone="", display_name="Hà Văn Lý"),  # 13
        household_rows(consent_collected_by="nobody", phone="", display_name="Hà Văn Lý"),  # 14
        household_rows(consent_date="31/12/2999", phone="", display_name="Hà Văn Lý"),  # 15
        household_rows(consent_date="mai", phone="", display_name="Hà Văn Lý"),  # 16
        household_rows(member_count="bốn", phone="", display_name="Hà Văn Lý"),  # 17
        household_rows(is_farm="có lẽ", phone="", display_name="Hà Văn Lý"),  # 18
        household_rows(display_name="Lê Văn Tám", phone="0977 111 222"),     # 19 namesake, other phone
        household_rows(village_name="Thôn Trung", commune_code="18406", former_commune="",
                       phone=""),                                            # 20 new in commune B
    )
    before = count_rows(Household)
    rows = services.preview(world["admin"], make_upload(world["admin"], "households", content)).rows
    status = {r.number: r.status for r in rows}
    reasons = {r.number: str(r.reason) for r in rows}
    assert [n for n, s in status.items() if s == Status.NEW] == [2, 19, 20]
    assert [n for n, s in status.items() if s == Status.DUPLICATE] == [9, 10, 11]
    for number, column in [(3, "display_name"), (4, "display_name"), (5, "display_name"), (6, "phone"),
                           (7, "village_name"), (8, "former_commune"), (12, "consent_method"),
                           (13, "consent_witness"), (14, "consent_collected_by"), (15, "consent_date"),
                           (16, "consent_date"), (17, "member_count"), (18, "is_farm")]:
        assert status[number] == Status.ERROR and reasons[number].startswith(f"{column}:"), (number, reasons[number])
    assert "10 digits" in reasons[6]
    assert "row 2" in reasons[11]
    assert count_rows(Household) == before


def test_household_confirm_writes_consent_and_search_keys(db, world):
    content = csv_text(HOUSEHOLD_HEADER, household_rows(),
                       household_rows(display_name="Đặng Văn Hùng", phone="", consent_method="bằng lời",
                                      consent_witness="Trần Văn Bình", is_farm="", is_business="x"))
    upload_ = make_upload(world["staff"], "households", content)
    services.confirm(world["staff"], "households", upload_.token)
    mai, hung = db.session.scalars(select(Household).where(Household.created_by_id == world["staff"].id)
                                   .order_by(Household.id)).all()
    assert (mai.village_id, mai.phone, mai.member_count, mai.is_farm, mai.is_business) == (
        world["village_a1"].id, "+84912345678", 4, True, False)
    assert mai.consent_method == ConsentMethod.SIGNED and mai.consent_collected_by_id == world["volunteer"].id
    assert mai.consent_collected_at.astimezone().date().isoformat() in ("2026-01-14", "2026-01-15")
    assert hung.search_key == "dang van hung" and hung.consent_witness == "Trần Văn Bình"
    assert hung.consent_method == ConsentMethod.VERBAL_WITNESSED and hung.is_business
    again = make_upload(world["staff"], "households", content)
    assert {r.status for r in services.preview(world["staff"], again).rows} == {Status.DUPLICATE}


def test_commune_staff_cannot_import_households_elsewhere(db, world):
    content = csv_text(HOUSEHOLD_HEADER, household_rows(phone=""))
    rows = services.preview(world["staff_b"], make_upload(world["staff_b"], "households", content)).rows
    assert rows[0].status == Status.ERROR and rows[0].reason.startswith("commune_code:")


def test_deactivated_village_takes_no_households(db, world):
    world["village_b1"].is_active = False
    db.session.commit()
    content = csv_text(HOUSEHOLD_HEADER, household_rows(commune_code="18406", village_name="Thôn Trung",
                                                        former_commune="", phone=""))
    [row] = services.preview(world["admin"], make_upload(world["admin"], "households", content)).rows
    assert row.status == Status.ERROR and "deactivated" in str(row.reason)


# Routes ----------------------------------------------------------------------

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


def test_someone_elses_upload_cannot_be_seen_or_confirmed(client, db, world):
    theirs = make_upload(world["staff"], "villages", BAD_VILLAGES)
    sign_in(client, world["admin"])
    assert client.get("/imports/villages/preview").status_code == 303  # nothing of their own
    assert client.post("/imports/villages/confirm", data={"token": theirs.token}).status_code == 409
    assert "Thôn Mới" not in villages(db)


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


def test_field_roles_may_not_import(client, world):
    for username in ("leader", "volunteer"):
        sign_in(client, world[username])
        assert client.get("/imports/").status_code == 403
        assert upload(client, "villages", BAD_VILLAGES).status_code == 403


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


def test_unconfirmed_uploads_expire(db, world):
    old = make_upload(world["admin"], "villages", BAD_VILLAGES)
    old.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    assert services.latest_upload(world["admin"], "villages") is None
    make_upload(world["staff"], "households", csv_text(HOUSEHOLD_HEADER, household_rows()))
    assert db.session.scalar(select(func.count()).select_from(ImportUpload)) == 1


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
