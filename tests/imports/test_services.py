"""Import services: the preview tells each row apart and writes nothing; confirming writes the new
rows in one transaction, audited, and a second time changes nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.areas.models import Area
from app.audit.models import AuditEvent
from app.core.db import utcnow
from app.households.models import ConsentMethod, Household
from app.imports import services
from app.imports.models import ImportUpload
from app.imports.rows import Status
from tests.conftest import count_rows, make_household, make_upload
from tests.imports.conftest import BAD_VILLAGES, HOUSEHOLD_HEADER, VILLAGE_HEADER, csv_text, household_rows, villages


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


def test_deactivated_village_takes_no_households(db, world):
    world["village_b1"].is_active = False
    db.session.commit()
    content = csv_text(HOUSEHOLD_HEADER, household_rows(commune_code="18406", village_name="Thôn Trung",
                                                        former_commune="", phone=""))
    [row] = services.preview(world["admin"], make_upload(world["admin"], "households", content)).rows
    assert row.status == Status.ERROR and "deactivated" in str(row.reason)


def test_unconfirmed_uploads_expire(db, world):
    old = make_upload(world["admin"], "villages", BAD_VILLAGES)
    old.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    assert services.latest_upload(world["admin"], "villages") is None
    make_upload(world["staff"], "households", csv_text(HOUSEHOLD_HEADER, household_rows()))
    assert db.session.scalar(select(func.count()).select_from(ImportUpload)) == 1
