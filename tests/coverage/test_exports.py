"""Exports: the coverage table and the service matrix as CSV and XLSX, the help logs as a
streamed, pseudonymised CSV; who may export what, bad input, empty selections, the audit."""

import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from app.audit.models import AuditEvent
from app.core.db import local_today
from app.coverage import log_export, summaries
from app.coverage.exports import find_view, neutral
from app.coverage.log_export import household_codes, volunteer_codes
from app.coverage.periods import period_from
from app.extensions import db as _db
from app.helplogs.models import LogStatus
from tests.conftest import make_area, make_household, make_log, make_services, make_team, sign_in

TODAY = local_today()
BOM = b"\xef\xbb\xbf"
EXPORTS = ("table.csv", "table.xlsx", "matrix.csv", "matrix.xlsx", "logs.csv")
SHEETS = ("table.csv", "table.xlsx", "matrix.csv", "matrix.xlsx")
SECRET_WORDS = ("Nguyễn Văn Đức", "Trần Thị Lan", "Lê Thị Hoa", "912345678", "riêng tư")


@pytest.fixture()
def logged(db, world):
    """Approved visits in commune A: two households (one with a phone and notes) and a group
    session; a submitted visit in commune B."""
    services = make_services()
    world["village_a1"].declared_households = 100
    world["village_a2"].declared_households = 50
    hoa = make_household(world["village_a2"], "Lê Thị Hoa", phone="+84912345678", notes="Nhà riêng tư")
    team_a2 = make_team(world["commune_a"], [world["village_a2"]], members=[world["volunteer"]], name="Tổ 2")
    world["log_a"].status = LogStatus.APPROVED
    visits = [
        make_log(world["volunteer"], team_a2, hoa, status=LogStatus.APPROVED, note="Ghi chú riêng tư 0912345678"),
        make_log(world["leader"], world["team_a"], None, people_count=12, status=LogStatus.APPROVED),
        make_log(world["volunteer"], world["team_a"], world["household_a"], status=LogStatus.SUBMITTED),
        make_log(world["outsider"], world["team_b"], world["household_b"]),
    ]
    visits[0].services.append(services["KNS"])
    _db.session.commit()
    summaries.rebuild()
    _db.session.commit()
    return {**world, "services": services, "hoa": hoa, "team_a2": team_a2, "visits": visits}


def url(world, area, name, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return f"/coverage/{world[area].id}/export/{name}" + (f"?{query}" if query else "")


def read_csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith(BOM), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))


def audit_events(db, action=None):
    stmt = select(AuditEvent).where(AuditEvent.action.like("export.%")).order_by(AuditEvent.id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.scalars(stmt))


def sheet_xml(response) -> str:
    raw = response.get_data()
    assert raw.startswith(b"PK\x03\x04"), "an XLSX file is a zip archive"
    with zipfile.ZipFile(io.BytesIO(raw)) as book:
        assert "xl/workbook.xml" in book.namelist()
        return book.read("xl/worksheets/sheet1.xml").decode("utf-8")


# The table and the matrix --------------------------------------------------------------------

@pytest.mark.parametrize("name", ["table.csv", "table.xlsx", "matrix.csv", "matrix.xlsx", "logs.csv"])
def test_a_head_request_exports_nothing_and_records_nothing(client, db, logged, name):
    """Flask would answer HEAD with the GET view: an export recorded that nobody received."""
    sign_in(client, logged["staff"])
    response = client.head(url(logged, "commune_a", name, period="year"))
    assert response.status_code == 405 and response.headers["Allow"] == "GET"
    assert audit_events(db) == []
    assert client.get(url(logged, "commune_a", name, period="year")).status_code == 200
    assert len(audit_events(db)) == 1


def test_the_table_as_csv_keeps_vietnamese_and_is_audited(client, db, logged):
    sign_in(client, logged["staff"])
    response = client.get(url(logged, "commune_a", "table.csv", period="year"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="bao-phu_xa-thach-ha_{TODAY.year}-01-01_{TODAY.isoformat()}.csv"')
    rows = read_csv(response)
    assert rows[0][:3] == ["Địa bàn", "Tổng số hộ (N)", "Hộ đã được hỗ trợ"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Thôn 1 (Xã Thạch Sơn)", "Thôn 1 (Xã Thạch Long)", "Tổng cộng"}
    assert by_name["Thôn 1 (Xã Thạch Sơn)"][1:4] == ["100", "1", "1.0"]
    assert by_name["Tổng cộng"][1:3] == ["150", "2"]
    [event_] = audit_events(db)
    assert (event_.action, event_.actor_id, event_.object_type, event_.object_id) == (
        "export.table", logged["staff"].id, "areas", logged["commune_a"].id)
    assert event_.changes == {"file": "table.csv", "area_id": logged["commune_a"].id, "period": "year",
                              "start": f"{TODAY.year}-01-01", "end": TODAY.isoformat(), "service": None,
                              "district": None, "rows": 2}


def test_a_village_without_data_shows_a_dash_not_zero(client, logged):
    sign_in(client, logged["admin"])
    rows = read_csv(client.get(url(logged, "commune_b", "table.csv")))
    assert rows[1][0] == "Thôn Trung" and rows[1][2] == "—"  # commune B's only visit is not approved


def test_the_table_for_one_kind_of_help(client, db, logged):
    sign_in(client, logged["staff"])
    response = client.get(url(logged, "commune_a", "table.csv", service="kns"))
    by_name = {row[0]: row for row in read_csv(response)[1:]}
    assert by_name["Thôn 1 (Xã Thạch Long)"][2] == "1" and by_name["Thôn 1 (Xã Thạch Sơn)"][2] == "—"
    assert audit_events(db)[0].changes["service"] == "KNS"


def test_the_matrix_as_csv(client, db, logged):
    sign_in(client, logged["staff"])
    response = client.get(url(logged, "commune_a", "matrix.csv"))
    assert response.headers["Content-Disposition"].startswith('attachment; filename="noi-dung-ho-tro_xa-thach-ha_')
    rows = read_csv(response)
    assert rows[0][:4] == ["Địa bàn", "Tổng số hộ (N)", "Định danh điện tử VNeID", "Dịch vụ công trực tuyến"]
    vneid, kns = 2, rows[0].index("Kỹ năng số cơ bản")
    by_name = {row[0]: row for row in rows[1:]}
    assert (by_name["Thôn 1 (Xã Thạch Long)"][vneid], by_name["Thôn 1 (Xã Thạch Long)"][kns]) == ("1", "1")
    assert by_name["Tổng cộng"][vneid] == "2"
    assert audit_events(db, "export.matrix")[0].changes["rows"] == 2


@pytest.mark.parametrize("name", ["table.xlsx", "matrix.xlsx"])
def test_the_workbooks_open_and_keep_vietnamese(client, db, logged, name):
    sign_in(client, logged["staff"])
    response = client.get(url(logged, "commune_a", name))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert ".xlsx" in response.headers["Content-Disposition"]
    xml = sheet_xml(response)
    assert "Thôn 1 (Xã Thạch Sơn)" in xml and "Địa bàn" in xml and "<f>" not in xml
    assert audit_events(db)[0].changes["file"] == name


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x.example\",\"bấm\")", "+84 Thôn", "-1+2", "@SUM(A1)"])
def test_a_name_that_looks_like_a_formula_stays_text(client, db, logged, name):
    make_area(logged["village_a1"].kind, name, logged["commune_a"])
    sign_in(client, logged["staff"])
    for sheet in ("table.csv", "matrix.csv"):
        names = [row[0] for row in read_csv(client.get(url(logged, "commune_a", sheet)))]
        assert "'" + name in names and name not in names
    for sheet in ("table.xlsx", "matrix.xlsx"):
        xml = sheet_xml(client.get(url(logged, "commune_a", sheet)))
        assert "<f>" not in xml and "<f " not in xml  # a string cell, never a formula


def test_neutral():
    assert [neutral(v) for v in ("=1", "+1", "-1", "@x", "\tx", "\rx", "Thôn 1", 5, None)] == [
        "'=1", "'+1", "'-1", "'@x", "'\tx", "'\rx", "Thôn 1", 5, None]


def test_a_former_district_narrows_the_province(client, db, logged):
    logged["commune_a"].former_district = "Huyện Thạch Hà, Thị xã Hồng Lĩnh"
    logged["commune_b"].former_district = "Huyện Can Lộc"
    db.session.commit()
    sign_in(client, logged["staff"])
    names = [row[0] for row in read_csv(client.get(url(logged, "province", "table.csv", district="Thạch Hà")))]
    assert names[1:] == ["Xã Thạch Hà", "Tổng cộng"]
    response = client.get(url(logged, "province", "table.csv", district="Huyện Đức Thọ"))
    assert response.status_code == 404 and "Không có dữ liệu để xuất" in response.get_data(as_text=True)


# Bad input, scope, roles ------------------------------------------------------------------------

@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("args,message", [
    ({"period": "decade"}, "Chọn kỳ báo cáo trong danh sách"),
    ({"period": "custom", "start": "2026-13-01", "end": "2026-12-31"}, "ngày/tháng/năm"),
    ({"period": "custom", "start": "2026-05-01", "end": "2026-04-01"}, "Kỳ báo cáo kết thúc trước khi bắt đầu"),
])
def test_a_bad_period_is_a_400_in_vietnamese(client, db, logged, name, args, message):
    sign_in(client, logged["staff"])
    response = client.get(url(logged, "commune_a", name, **args))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert audit_events(db) == []


@pytest.mark.parametrize("name", SHEETS)
@pytest.mark.parametrize("service", ["NOPE", "999999", "-1"])
def test_an_unknown_kind_of_help_is_a_400(client, db, logged, name, service):
    sign_in(client, logged["staff"])
    response = client.get(url(logged, "commune_a", name, service=service))
    assert response.status_code == 400 and "Chọn nội dung hỗ trợ trong danh sách" in response.get_data(as_text=True)
    assert audit_events(db) == []


@pytest.mark.parametrize("name", EXPORTS)
def test_an_area_outside_the_users_is_404(client, db, logged, commune_admin, name):
    sign_in(client, logged["staff_b"])
    assert client.get(url(logged, "commune_a", name)).status_code == 404
    assert client.get(f"/coverage/999999/export/{name}").status_code == 404
    sign_in(client, commune_admin)
    assert client.get(url(logged, "commune_b", name)).status_code == 404
    assert audit_events(db) == []


@pytest.mark.parametrize("name", EXPORTS)
def test_volunteers_may_not_export(client, db, logged, name):
    sign_in(client, logged["volunteer"])
    assert client.get(url(logged, "commune_a", name)).status_code == 403


def test_a_leader_exports_the_table_of_their_villages_but_not_the_logs(client, db, logged):
    sign_in(client, logged["leader"])
    rows = read_csv(client.get(url(logged, "commune_a", "table.csv")))
    assert [row[0] for row in rows[1:]] == ["Thôn 1 (Xã Thạch Sơn)", "Tổng cộng"]  # only their team's village
    assert client.get(url(logged, "commune_a", "matrix.xlsx")).status_code == 200
    assert client.get(url(logged, "village_a2", "table.csv")).status_code == 404
    assert client.get(url(logged, "commune_b", "table.csv")).status_code == 404
    assert client.get(url(logged, "commune_a", "logs.csv")).status_code == 403


@pytest.mark.parametrize("name", SHEETS)
def test_a_commune_without_villages_has_nothing_to_export(client, db, logged, name):
    empty = make_area(logged["commune_a"].kind, "Xã Mới", logged["province"], code="99998")
    sign_in(client, logged["staff"])
    response = client.get(f"/coverage/{empty.id}/export/{name}")
    assert response.status_code == 404
    assert "Không có dữ liệu để xuất cho địa bàn và khoảng thời gian này" in response.get_data(as_text=True)
    assert audit_events(db) == []


def test_no_logs_in_the_period_is_a_404_with_a_message(client, db, logged):
    sign_in(client, logged["staff"])
    response = client.get(url(logged, "commune_a", "logs.csv", period="custom", start="2001-01-01",
                              end="2001-12-31"))
    assert response.status_code == 404
    assert "Không có dữ liệu để xuất" in response.get_data(as_text=True)
    assert audit_events(db) == []


def test_the_export_links_macro(app, logged):
    from flask import g, render_template_string

    template = ('{% from "coverage/_export_links.html" import export_links %}'
                '{{ export_links(area, {"period": "year"}) }}')
    for username, logs in (("staff", True), ("leader", False)):
        with app.test_request_context("/"):
            g._login_user = logged[username]  # what Flask-Login's current_user reads
            html = render_template_string(template, area=logged["commune_a"])
        area_id = logged["commune_a"].id
        assert f'href="/coverage/{area_id}/export/table.csv?period=year"' in html
        assert f'href="/coverage/{area_id}/export/matrix.xlsx?period=year"' in html
        assert (f"/coverage/{area_id}/export/logs.csv" in html) is logs
        assert "Xuất dữ liệu" in html


# The logs ---------------------------------------------------------------------------------------

CODE = re.compile(r"^H-[0-9A-F]{12}$")


def test_the_logs_are_streamed_pseudonymised_and_audited(client, db, logged):
    sign_in(client, logged["staff"])
    response = client.get(url(logged, "commune_a", "logs.csv"))
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"].startswith('attachment; filename="luot-ho-tro_xa-thach-ha_')
    raw = response.get_data()
    text = raw.decode("utf-8")
    for secret in SECRET_WORDS:
        assert secret not in text, f"{secret!r} leaked into the staff export"
    rows = read_csv(response)
    assert rows[0] == ["Hộ (mã)", "Hình thức", "Thôn, tổ dân phố", "Xã, phường", "Ngày hỗ trợ",
                       "Mã nội dung hỗ trợ", "Nội dung hỗ trợ", "Kết quả", "Số người được hỗ trợ",
                       "Tình nguyện viên (mã)", "Tổ", "Trạng thái"]
    data = rows[1:]
    assert len(data) == 4  # commune A's four visits this month, whatever their status; not commune B's
    households = [row[0] for row in data if row[0]]
    assert len(households) == 3 and all(CODE.match(code) for code in households)
    group = next(row for row in data if not row[0])
    assert group[1] == "Buổi hướng dẫn tập trung" and group[8] == "12" and group[2] == "Thôn 1 (Xã Thạch Sơn)"
    hoa = next(row for row in data if row[2] == "Thôn 1 (Xã Thạch Long)")
    assert hoa[3] == "Xã Thạch Hà" and hoa[5] == "VNEID; KNS" and hoa[10] == "Tổ 2"
    assert hoa[4] == TODAY.strftime("%d/%m/%Y") and hoa[11] == "Đã duyệt"
    assert all(re.match(r"^V-[0-9A-F]{12}$", row[9]) for row in data)
    [event_] = audit_events(db)
    assert event_.action == "export.logs" and event_.changes["rows"] == 4 == len(data)
    assert event_.changes["period"] == "month" and event_.object_id == logged["commune_a"].id


def test_pseudonyms_are_stable_and_tell_households_apart(client, db, logged):
    sign_in(client, logged["staff"])
    first = read_csv(client.get(url(logged, "commune_a", "logs.csv")))[1:]
    second = read_csv(client.get(url(logged, "commune_a", "logs.csv")))[1:]
    assert [row[0] for row in first] == [row[0] for row in second]
    codes = household_codes()
    assert codes(logged["household_a"].id) in {row[0] for row in first}
    assert codes(logged["household_a"].id) != codes(logged["hoa"].id)
    assert sum(row[0] == codes(logged["household_a"].id) for row in first) == 2  # two visits, one household
    assert household_codes("another secret")(logged["household_a"].id) != codes(logged["household_a"].id)
    assert volunteer_codes()(logged["household_a"].id)[2:] != codes(logged["household_a"].id)[2:]


def test_the_stream_reads_one_batch_at_a_time(app, db, logged):
    """With batches of 2 rows, the 4 logs come from one query read 2 rows at a time: each
    batch is written (its kinds of help looked up) before the next is read. A log added
    after the count is not in the file."""
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append("logs" if "FROM help_logs" in statement else
                          "services" if "FROM help_log_services" in statement else "other")

    with app.test_request_context("/"):
        view = find_view(logged["staff"], logged["commune_a"].id)
        export = log_export.logs_csv(logged["staff"], view, period_from({}, TODAY), batch=2)
        late = make_log(logged["volunteer"], logged["team_a"], logged["household_a"])
        event.listen(_db.engine, "before_cursor_execute", seen)
        try:
            header = next(export.body)
            assert header.startswith(BOM) and "logs" not in statements
            first = next(export.body)
            assert (statements.count("logs"), statements.count("services")) == (1, 1)
            assert first.count(b"\r\n") == 2
            rest = list(export.body)
        finally:
            event.remove(_db.engine, "before_cursor_execute", seen)
    assert (statements.count("logs"), statements.count("services")) == (1, 2)
    assert [chunk.count(b"\r\n") for chunk in rest] == [2]
    lines = b"".join([header, first, *rest]).decode("utf-8").splitlines()
    assert export.rows == 4 == len(lines) - 1 and late.id  # the late log would be the fifth


def test_a_log_on_the_last_day_of_the_period_is_in_it(client, db, logged):
    yesterday = TODAY - timedelta(days=1)
    make_log(logged["volunteer"], logged["team_a"], logged["household_a"], helped_on=yesterday)
    sign_in(client, logged["staff"])
    response = client.get(url(logged, "commune_a", "logs.csv", period="custom", start=yesterday.isoformat(),
                              end=yesterday.isoformat()))
    rows = read_csv(response)
    assert len(rows) == 2 and rows[1][4] == yesterday.strftime("%d/%m/%Y")


def test_the_sheets_run_a_bounded_number_of_queries(client, db, logged):
    from tests.conftest import count_queries

    sign_in(client, logged["staff"])
    counts = []
    for more in (0, 10):
        for n in range(more):
            make_area(logged["village_a1"].kind, f"Thôn {n + 20}", logged["commune_a"], declared_households=30)
        with count_queries() as queries:
            for name in SHEETS:
                assert client.get(url(logged, "commune_a", name)).status_code == 200
        counts.append(queries())
    assert counts[0] == counts[1] <= 40  # four files: about ten statements each, the audit included
