"""Targets: who may set them, the rules a target keeps, its progress and "behind schedule",
the pages, and the CSV import through the imports' upload → preview → confirm."""

import io
from datetime import date

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.catalog.models import Service
from app.core.db import local_today
from app.coverage import summaries, targets
from app.coverage.models import ANY, FIVE, Target
from app.coverage.targets import TargetError, TargetInput
from app.helplogs.models import LogStatus
from app.imports import services as imports
from app.imports.rows import Status
from tests.conftest import count_queries, make_area, make_household, make_services, make_upload, sign_in

YEAR = local_today().year


@pytest.fixture()
def places(db, world):
    """Commune A has 150 households (100 + 50 declared); an approved visit in village A1."""
    world["village_a1"].declared_households = 100
    world["village_a2"].declared_households = 50
    world["village_b1"].declared_households = 80
    world["log_a"].status = LogStatus.APPROVED
    db.session.commit()
    summaries.rebuild()
    db.session.commit()
    return {"services": make_services(), **world}


def target_input(world, place="commune_a", year=YEAR, key=ANY, households=100):
    return TargetInput(world[place].id, year, key, households)


def events(db, action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


# The service ---------------------------------------------------------------------------------

def test_staff_set_a_target_then_change_it_each_write_audited(db, places):
    target = targets.set_target(places["staff"], target_input(places, households=100))
    assert (target.area_id, target.year, target.key, target.households) == (places["commune_a"].id, YEAR, ANY, 100)
    again = targets.set_target(places["staff"], target_input(places, households=120))
    assert again.id == target.id and again.households == 120
    targets.set_target(places["staff"], target_input(places, households=120))  # nothing changes, nothing logged
    logged = events(db, "target.set")
    assert [e.changes["households"] for e in logged] == [100, [100, 120]]
    assert logged[0].object_type == "coverage_targets" and logged[0].actor_id == places["staff"].id
    assert db.session.scalar(select(Target.households)) == 120


def test_a_village_target_and_a_target_per_kind_of_help(db, places):
    vneid = places["services"]["VNEID"]
    targets.set_target(places["admin"], target_input(places, "village_a1", key=vneid.id, households=60))
    targets.set_target(places["admin"], target_input(places, "commune_a", key=FIVE, households=30))
    assert db.session.scalar(select(Target.key).where(Target.area_id == places["village_a1"].id)) == vneid.id


@pytest.mark.parametrize("username,place", [
    ("staff_b", "commune_a"),  # another commune's staff
    ("commune_admin", "commune_b"),  # an administrator of commune A only
    ("leader", "commune_a"), ("volunteer", "village_a1"),
    ("staff", "province"),  # targets are set per commune or village
])
def test_a_place_outside_the_actors_is_refused_as_if_it_did_not_exist(db, places, commune_admin, username, place):
    actor = commune_admin if username == "commune_admin" else places[username]
    with pytest.raises(TargetError) as refused:
        targets.set_target(actor, target_input(places, place, households=10))
    assert refused.value.status == 404
    assert db.session.scalar(select(Target.id)) is None


@pytest.mark.parametrize("change,field", [
    ({"year": YEAR - 2}, "year"), ({"year": YEAR + 6}, "year"), ({"year": None}, "year"),
    ({"households": 0}, "households"), ({"households": -5}, "households"), ({"households": None}, "households"),
    ({"households": 301}, "households"),  # more than twice the commune's 150
    ({"key": 999_999}, "key"), ({"key": -3}, "key"),  # no such service; a skill is not a target key
])
def test_bad_targets_are_refused_with_the_field(db, places, change, field):
    data = target_input(places, households=100)
    for name, value in change.items():
        setattr(data, name, value)
    with pytest.raises(TargetError) as refused:
        targets.set_target(places["staff"], data)
    assert (refused.value.field, refused.value.status) == (field, 400)
    assert events(db, "target.set") == []


def test_the_bounds_are_the_years_and_twice_the_households(db, places):
    targets.set_target(places["staff"], target_input(places, year=YEAR - 1, households=300))
    targets.set_target(places["staff"], target_input(places, year=YEAR + 5, households=1))


def test_a_deactivated_kind_of_help_and_a_place_without_households_are_refused(db, places):
    kns = places["services"]["KNS"]
    kns.is_active = False
    db.session.commit()
    with pytest.raises(TargetError, match="ngừng sử dụng"):
        targets.set_target(places["staff"], target_input(places, key=kns.id))
    empty = make_area(places["village_a1"].kind, "Thôn Mới", places["commune_a"])
    with pytest.raises(TargetError, match="chưa có số hộ"):
        targets.set_target(places["staff"], target_input(places | {"new": empty}, "new", households=5))


def test_delete_is_audited_and_kept_to_the_actors_places(db, places):
    target = targets.set_target(places["staff"], target_input(places))
    with pytest.raises(TargetError) as refused:
        targets.delete_target(places["staff_b"], target)
    assert refused.value.status == 404
    targets.delete_target(places["staff"], target)
    assert db.session.scalar(select(Target.id)) is None
    assert events(db, "target.deleted")[0].changes == {"area_id": places["commune_a"].id, "year": YEAR, "key": ANY,
                                                       "households": 100}


def test_progress_is_behind_schedule_below_the_share_of_the_year_gone_by(db, places):
    """One household reached in commune A, by the log's day."""
    day = places["log_a"].helped_on
    targets.set_target(places["staff"], target_input(places, year=day.year, households=4))
    targets.set_target(places["staff"], target_input(places, "village_a2", year=day.year, households=10))
    found = targets.progress_of(targets.places_under(places["commune_a"]), day.year, today=day)
    by_place = {p.target.area_id: p for p in found}
    commune, village = by_place[places["commune_a"].id], by_place[places["village_a2"].id]
    assert (commune.reached, commune.target.households) == (1, 4)
    assert (village.reached, village.share) == (0, 0)
    assert village.behind  # nothing reached after a part of the year
    targets.set_target(places["staff"], target_input(places, "village_a1", year=day.year, households=1))
    assert not targets.progress_of([places["village_a1"]], day.year, today=day)[0].behind  # reached in full
    targets.set_target(places["staff"], target_input(places, year=day.year + 1, households=4))
    assert not targets.progress_of([places["commune_a"]], day.year + 1, today=day)[0].behind  # next year: not yet
    past = targets.progress_of([places["commune_a"]], day.year, today=date(day.year + 1, 3, 1))[0]
    assert past.expected == 1.0 and past.behind  # a quarter reached when the year is over


def test_year_elapsed():
    assert targets.year_elapsed(2026, date(2026, 1, 1)) == pytest.approx(1 / 365)
    assert targets.year_elapsed(2026, date(2026, 7, 2)) == pytest.approx(183 / 365)
    assert targets.year_elapsed(2025, date(2026, 1, 1)) == 1.0
    assert targets.year_elapsed(2027, date(2026, 12, 31)) == 0.0


# The pages --------------------------------------------------------------------------------------

def form(world, place="commune_a", year=YEAR, key=ANY, households="100"):
    return {"area_id": str(world[place].id), "year": str(year), "key": str(key), "households": households}


def test_the_page_lists_targets_with_progress_and_a_form(client, db, places):
    targets.set_target(places["staff"], target_input(places, households=300))
    sign_in(client, places["staff"])
    page = client.get(f"/coverage/targets/?area={places['commune_a'].id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Tiến độ chỉ tiêu năm" in html and "Bất kỳ nội dung hỗ trợ nào" in html
    assert "Chậm tiến độ" in html and "Đặt chỉ tiêu" in html
    assert "Thôn 1 (Xã Thạch Sơn)" in html  # the form offers the commune's villages
    province = client.get("/coverage/targets/").get_data(as_text=True)  # the staff member's province
    assert "Xã Can Lộc" in province


def test_a_target_set_through_the_form(client, db, places):
    sign_in(client, places["staff"])
    response = client.post(f"/coverage/targets/?area={places['commune_a'].id}", data=form(places))
    assert response.status_code == 303
    assert db.session.scalar(select(Target.households)) == 100
    htmx = client.post(f"/coverage/targets/?area={places['commune_a'].id}", data=form(places, households="1.200"),
                       headers={"HX-Request": "true"})
    assert htmx.status_code == 400  # 1,200 is more than twice 150: the form comes back under htmx
    assert "<html" not in htmx.get_data(as_text=True)
    assert "lớn hơn gấp đôi số hộ" in htmx.get_data(as_text=True)
    ok = client.post(f"/coverage/targets/?area={places['commune_a'].id}", data=form(places, households="120"),
                     headers={"HX-Request": "true"})
    assert ok.status_code == 204 and "/coverage/targets/" in ok.headers["HX-Redirect"]


@pytest.mark.parametrize("change,message", [
    ({"households": "abc"}, "Nhập số hộ là số nguyên"),
    ({"households": "12,5"}, "Nhập số hộ là số nguyên"),
    ({"households": "-5"}, "Nhập số hộ lớn hơn 0"),
    ({"households": "0"}, "Nhập số hộ lớn hơn 0"),
    ({"households": ""}, "Nhập số hộ lớn hơn 0"),
    ({"year": str(YEAR + 9)}, "Chọn năm từ"),
    ({"year": "năm sau"}, "Lựa chọn không hợp lệ"),
    ({"key": "999999"}, "Chọn nội dung hỗ trợ trong danh sách"),
    ({"area_id": "abc"}, "Chọn xã, phường hoặc thôn, tổ dân phố trong danh sách"),
])
def test_bad_input_is_a_400_in_vietnamese(client, db, places, change, message):
    sign_in(client, places["staff"])
    response = client.post(f"/coverage/targets/?area={places['commune_a'].id}", data=form(places) | change)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Target.id)) is None


def test_a_place_outside_the_users_is_404(client, db, places):
    sign_in(client, places["staff_b"])
    assert client.get(f"/coverage/targets/?area={places['commune_a'].id}").status_code == 404
    response = client.post(f"/coverage/targets/?area={places['commune_b'].id}", data=form(places))
    assert response.status_code == 404
    assert "thuộc địa bàn phụ trách của bạn" in response.get_data(as_text=True)
    target = targets.set_target(places["staff"], target_input(places))
    assert client.get(f"/coverage/targets/{target.id}/edit").status_code == 404
    assert client.post(f"/coverage/targets/{target.id}/delete").status_code == 404
    assert db.session.get(Target, target.id) is not None


@pytest.mark.parametrize("username", ["leader", "volunteer"])
def test_field_roles_may_not_set_targets(client, places, username):
    sign_in(client, places[username])
    assert client.get("/coverage/targets/").status_code == 403
    assert client.post(f"/coverage/targets/?area={places['commune_a'].id}", data=form(places)).status_code == 403


def test_change_and_delete_a_target(client, db, places):
    target = targets.set_target(places["staff"], target_input(places, "village_a1", households=50))
    sign_in(client, places["admin"])
    page = client.get(f"/coverage/targets/{target.id}/edit")
    assert page.status_code == 200 and "Sửa chỉ tiêu" in page.get_data(as_text=True)
    response = client.post(f"/coverage/targets/?area={places['commune_a'].id}",
                           data=form(places, "village_a1", households="70"))
    db.session.expire_all()
    assert response.status_code == 303 and db.session.get(Target, target.id).households == 70
    response = client.post(f"/coverage/targets/{target.id}/delete")
    assert response.status_code == 303 and f"area={places['commune_a'].id}" in response.headers["Location"]
    assert db.session.scalar(select(Target.id)) is None


def test_a_bad_year_in_the_address_is_a_400(client, places):
    sign_in(client, places["staff"])
    response = client.get(f"/coverage/targets/?year={YEAR + 40}")
    assert response.status_code == 400 and "Chọn năm từ" in response.get_data(as_text=True)


# The CSV import -----------------------------------------------------------------------------------

HEADER = "commune_code,village_name,former_commune,year,service,households"


def csv_text(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def test_the_template_is_this_years_and_imports_cleanly(client, db, places):
    places["village_a1"].declared_households = 2_000  # the example's commune has 3,000 households
    places["village_a2"].declared_households = 1_000
    db.session.commit()
    sign_in(client, places["admin"])
    response = client.get("/imports/targets/template.csv")
    raw = response.get_data()
    assert response.status_code == 200 and raw.startswith(b"\xef\xbb\xbf" + HEADER.encode())
    assert f",{YEAR},".encode() in raw
    upload = make_upload(places["admin"], "targets", raw)
    assert [row.status for row in imports.preview(places["admin"], upload).rows] == [Status.NEW] * 3


def test_each_bad_row_says_what_is_wrong(db, places):
    targets.set_target(places["staff"], target_input(places, key=FIVE, households=40))
    targets.set_target(places["staff"], target_input(places, households=90))
    content = csv_text(
        f"18562,,,{YEAR},ALL,100",  # 2: changes the stored 90
        f"18562,,,{YEAR},FIVE,40",  # 3: the same as stored
        f"99999,,,{YEAR},ALL,10",  # 4: unknown commune
        f"18406,,,{YEAR},ALL,10",  # 5: another commune's: staff of the province keep it; see below
        f"18562,Thôn Không Có,,{YEAR},ALL,10",  # 6: unknown village
        f"18562,Thôn 1,,{YEAR},ALL,10",  # 7: two villages named Thôn 1
        f"18562,Thôn 1,Xã Thạch Sơn,{YEAR},VNEID,-5",  # 8: negative
        f"18562,Thôn 1,Xã Thạch Sơn,{YEAR},VNEID,nhiều",  # 9: not a number
        f"18562,Thôn 1,Xã Thạch Sơn,{YEAR},VNEID,20",  # 10: new
        f"18562,Thôn 1,Xã Thạch Sơn,{YEAR},vneid,20",  # 11: the same row again
        f"18562,Thôn 1,Xã Thạch Sơn,{YEAR},VNEID,25",  # 12: the same target, another number
        f"18562,,,{YEAR + 7},ALL,10",  # 13: year too far
        f"18562,,,{YEAR},ABC,10",  # 14: unknown kind of help
        f"18562,Thôn 1,Xã Thạch Long,{YEAR},ALL,500",  # 15: more than twice the village's 50
        f"18562,,,{YEAR},ALL,0",  # 16: zero
    )
    rows = imports.preview(places["staff_b"], make_upload(places["staff_b"], "targets", content)).rows
    assert [row.status for row in rows] == [Status.ERROR] * 3 + [Status.NEW] + [Status.ERROR] * 11, \
        "commune B's staff keep only commune B"
    rows = imports.preview(places["staff"], make_upload(places["staff"], "targets", content)).rows
    statuses = {row.number: (row.status, str(row.reason)) for row in rows}
    assert statuses[2][0] == Status.UPDATE and "từ 90 hộ thành 100 hộ" in statuses[2][1]
    assert statuses[3] == (Status.DUPLICATE, "Chỉ tiêu đã là 40 hộ.")
    assert statuses[4][0] == Status.ERROR and "commune_code" in statuses[4][1] and "99999" in statuses[4][1]
    assert statuses[5][0] == Status.NEW
    assert statuses[6][0] == Status.ERROR and "village_name" in statuses[6][1]
    assert statuses[7][0] == Status.ERROR and "former_commune" in statuses[7][1]
    assert statuses[8] == (Status.ERROR, "households: Nhập số hộ lớn hơn 0.")
    assert statuses[9][0] == Status.ERROR and "households" in statuses[9][1]
    assert statuses[10][0] == Status.NEW
    assert statuses[11] == (Status.DUPLICATE, "Trùng với chỉ tiêu ở dòng 10.")
    assert statuses[12][0] == Status.ERROR and "Dòng 10" in statuses[12][1]
    assert statuses[13][0] == Status.ERROR and statuses[13][1].startswith("year: Chọn năm từ")
    assert statuses[14][0] == Status.ERROR and "ABC" in statuses[14][1]
    assert statuses[15][0] == Status.ERROR and "gấp đôi" in statuses[15][1]
    assert statuses[16] == (Status.ERROR, "households: Nhập số hộ lớn hơn 0.")


def test_confirm_saves_new_and_changed_targets_each_audited(client, db, places):
    targets.set_target(places["staff"], target_input(places, households=90))
    sign_in(client, places["staff"])
    content = csv_text(f"18562,,,{YEAR},ALL,100", f"18562,Thôn 1,Xã Thạch Sơn,{YEAR},VNEID,20",
                       f"18562,,,{YEAR},FIVE,abc")
    response = client.post("/imports/targets/upload", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(content.encode()), "chi-tieu.csv")})
    assert response.status_code == 303
    preview = client.get("/imports/targets/preview?show=all").get_data(as_text=True)
    assert "Xác nhận: lưu 1 dòng mới và 1 thay đổi" in preview and "Sẽ đổi chỉ tiêu từ 90 hộ thành 100 hộ." in preview
    token = imports.latest_upload(places["staff"], "targets").token
    done = client.post("/imports/targets/confirm", data={"token": token}, follow_redirects=True)
    assert "lưu 2 chỉ tiêu (mới hoặc thay đổi)" in done.get_data(as_text=True)
    stored = {(t.area_id, t.key): t.households for t in db.session.scalars(select(Target))}
    vneid = db.session.scalar(select(Service.id).where(Service.code == "VNEID"))
    assert stored == {(places["commune_a"].id, ANY): 100, (places["village_a1"].id, vneid): 20}
    assert [e.changes["households"] for e in events(db, "target.set")] == [90, [90, 100], 20]
    confirmed = events(db, "import.confirmed")[0].changes
    assert (confirmed["created"], confirmed["updated"], confirmed["errors"]) == (1, 1, 1)
    again = make_upload(places["staff"], "targets", content)
    assert [r.status for r in imports.preview(places["staff"], again).rows] == [
        Status.DUPLICATE, Status.DUPLICATE, Status.ERROR]


def test_the_import_page_offers_targets_and_an_unknown_kind_is_404(client, places):
    sign_in(client, places["staff"])
    page = client.get("/imports/").get_data(as_text=True)
    assert 'id="import-targets"' in page and "/imports/targets/template.csv" in page
    assert client.get("/imports/nothing/template.csv").status_code == 404


def test_the_preview_runs_a_bounded_number_of_queries(client, db, places):
    sign_in(client, places["admin"])
    counts = []
    for n in (2, 60):
        content = csv_text(*[f"18562,Thôn 1,Xã Thạch Sơn,{YEAR - 1 + i % 7},{code},{1 + i}"
                             for i, code in zip(range(n), ["ALL", "FIVE", "VNEID", "DVC", "KNS"] * 20, strict=False)])
        make_upload(places["admin"], "targets", content)
        with count_queries() as queries:
            assert client.get("/imports/targets/preview").status_code == 200
        counts.append(queries())
    assert counts[0] == counts[1] <= 20


def test_households_in_the_list_stand_for_n_when_none_were_declared(db, places):
    village = make_area(places["village_a1"].kind, "Thôn Đông", places["commune_b"])
    for n in range(3):
        make_household(village, f"Hộ {n}")
    summaries.rebuild()
    db.session.commit()
    targets.set_target(places["staff"], TargetInput(village.id, YEAR, ANY, 6))
    with pytest.raises(TargetError):
        targets.set_target(places["staff"], TargetInput(village.id, YEAR, ANY, 7))


def test_the_page_runs_a_bounded_number_of_queries(client, db, places):
    sign_in(client, places["staff"])
    page = f"/coverage/targets/?area={places['commune_a'].id}"
    services = places["services"]
    counts = []
    for keys in ([ANY], [ANY, FIVE, services["VNEID"].id, services["DVC"].id, services["KNS"].id]):
        for key in keys:
            for place in ("commune_a", "village_a1", "village_a2"):
                targets.set_target(places["staff"], target_input(places, place, key=key, households=20))
        with count_queries() as queries:
            assert client.get(page).status_code == 200
        counts.append(queries())
    assert counts[0] == counts[1] <= 12
