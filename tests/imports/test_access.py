"""Who imports what: the keepers of places only, into their own area, and only their own upload."""

from app.imports import services
from app.imports.rows import Status
from tests.conftest import make_upload, sign_in
from tests.imports.conftest import (
    BAD_VILLAGES,
    HOUSEHOLD_HEADER,
    VILLAGE_HEADER,
    csv_text,
    household_rows,
    upload,
    villages,
)


def test_commune_staff_import_only_into_their_commune(db, world):
    content = csv_text(VILLAGE_HEADER, "18562,Thôn Xa,,", "18406,Thôn Gần,,")
    upload_ = make_upload(world["staff_b"], "villages", content)
    rows = services.preview(world["staff_b"], upload_).rows
    assert [r.status for r in rows] == [Status.ERROR, Status.NEW]
    assert "outside your area" in str(rows[0].reason)
    services.confirm(world["staff_b"], "villages", upload_.token)
    assert villages(db, world["commune_a"]) == ["Thôn 1", "Thôn 1"]
    assert villages(db, world["commune_b"]) == ["Thôn Trung", "Thôn Gần"]


def test_commune_staff_cannot_import_households_elsewhere(db, world):
    content = csv_text(HOUSEHOLD_HEADER, household_rows(phone=""))
    rows = services.preview(world["staff_b"], make_upload(world["staff_b"], "households", content)).rows
    assert rows[0].status == Status.ERROR and rows[0].reason.startswith("commune_code:")


def test_someone_elses_upload_cannot_be_seen_or_confirmed(client, db, world):
    theirs = make_upload(world["staff"], "villages", BAD_VILLAGES)
    sign_in(client, world["admin"])
    assert client.get("/imports/villages/preview").status_code == 303  # nothing of their own
    assert client.post("/imports/villages/confirm", data={"token": theirs.token}).status_code == 409
    assert "Thôn Mới" not in villages(db)


def test_field_roles_may_not_import(client, world):
    for username in ("leader", "volunteer"):
        sign_in(client, world[username])
        assert client.get("/imports/").status_code == 403
        assert upload(client, "villages", BAD_VILLAGES).status_code == 403
