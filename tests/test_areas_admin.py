"""Keeping the places: adding, renaming and deactivating villages, and finding any place."""

import pytest
from sqlalchemy import func, select

from app.accounts.models import Role
from app.areas.models import Area, AreaKind
from app.areas.queries import search_areas
from app.areas.services import AreaError, VillageData, add_village, set_village_active, update_village
from app.audit.models import AuditEvent
from tests.conftest import count_queries, make_area, make_household, make_user, sign_in


def village_count(db, commune) -> int:
    return db.session.scalar(select(func.count()).where(Area.parent_id == commune.id))


# Services -------------------------------------------------------------------

@pytest.mark.parametrize("username,commune_key,allowed", [
    ("admin", "commune_a", True),
    ("staff", "commune_a", True),      # province staff keep every commune's villages
    ("staff_b", "commune_b", True),    # commune staff keep their own commune's
    ("staff_b", "commune_a", False),
    ("leader", "commune_a", False),
    ("volunteer", "commune_a", False),
])
def test_who_may_add_a_village(db, world, username, commune_key, allowed):
    commune = world[commune_key]
    before = village_count(db, commune)
    if allowed:
        village = add_village(world[username], commune, VillageData("Thôn Mới", None, 150))
        assert village.path == f"{commune.path}{village.id}/"
        assert village.search_key == "thon moi" and village.declared_households == 150
        assert village_count(db, commune) == before + 1
    else:
        with pytest.raises(AreaError):
            add_village(world[username], commune, VillageData("Thôn Mới"))
        assert village_count(db, commune) == before


def test_admin_with_a_commune_home_area_keeps_only_that_commune(db, world):
    admin_b = make_user("admin_b", Role.ADMIN, world["commune_b"])
    add_village(admin_b, world["commune_b"], VillageData("Thôn Bắc"))
    with pytest.raises(AreaError):
        add_village(admin_b, world["commune_a"], VillageData("Thôn Bắc"))


def test_same_name_needs_another_former_commune(db, world):
    commune = world["commune_a"]
    with pytest.raises(AreaError, match="Thôn 1"):
        add_village(world["admin"], commune, VillageData("thon 1", "Xa Thach Son"))  # accents ignored
    third = add_village(world["admin"], commune, VillageData("Thôn 1", "Xã Thạch Bàn"))
    assert third.former_commune == "Xã Thạch Bàn"


@pytest.mark.parametrize("data,field", [
    (VillageData(""), "name"),
    (VillageData("   "), "name"),
    (VillageData("T" * 500), "name"),
    (VillageData("🏠🌾"), "name"),
    (VillageData("Thôn Mới", "X" * 121), "former_commune"),
    (VillageData("Thôn Mới", None, -1), "declared_households"),
    (VillageData("Thôn Mới", None, 20_001), "declared_households"),
])
def test_bad_village_data_is_refused_and_nothing_is_written(db, world, data, field):
    before = village_count(db, world["commune_a"])
    with pytest.raises(AreaError) as raised:
        add_village(world["admin"], world["commune_a"], data)
    assert raised.value.field == field
    assert village_count(db, world["commune_a"]) == before


def test_rename_keeps_the_old_name_findable(db, world):
    village = world["village_b1"]
    update_village(world["admin"], village, VillageData("Thôn Trung Hòa", None, 230))
    update_village(world["admin"], village, VillageData("Thôn Hòa Bình", None, 230))
    assert village.name == "Thôn Hòa Bình"
    assert village.former_name_list == ["Thôn Trung", "Thôn Trung Hòa"]
    assert village.declared_households == 230
    for q in ("trung hoa", "thon trung", "hoa binh"):
        assert [a.id for a in search_areas(world["admin"], q).items] == [village.id], q
    # Given back its first name, that name is current again and leaves the former names.
    update_village(world["admin"], village, VillageData("Thôn Trung", None, 230))
    assert village.former_name_list == ["Thôn Trung Hòa", "Thôn Hòa Bình"]


def test_changes_are_audited(db, world):
    village = add_village(world["staff"], world["commune_a"], VillageData("Thôn Mới", "Xã Thạch Sơn", 10))
    update_village(world["staff"], village, VillageData("Thôn Mới Hòa", "Xã Thạch Sơn", 12))
    set_village_active(world["staff"], village, False)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_id == village.id,
                                                          AuditEvent.object_type == "areas")
                                .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["area.created", "area.updated", "area.deactivated"]
    assert events[1].changes == {"name": ["Thôn Mới", "Thôn Mới Hòa"], "declared_households": [10, 12]}


def test_deactivated_village_keeps_households_and_counts(client, db, world):
    village = world["village_a1"]
    set_village_active(world["admin"], village, False)
    assert db.session.get(Area, village.id) is not None
    sign_in(client, world["admin"])
    html = client.get(f"/areas/{world['commune_a'].id}?lang=en").get_data(as_text=True)
    assert "Deactivated villages (1)" in html
    assert "1 registered of" in html  # its household still counts
    assert search_areas(world["admin"], "thon 1").total == 1  # hidden from search and pickers
    sign_in(client, world["volunteer"])
    html = client.get(f"/areas/{world['commune_a'].id}?lang=en").get_data(as_text=True)
    assert "Deactivated villages" not in html and "Xã Thạch Sơn" not in html
    set_village_active(world["admin"], village, True)
    assert search_areas(world["admin"], "thon 1").total == 2


# Search ---------------------------------------------------------------------

def test_search_is_accent_insensitive_and_scoped(db, world):
    assert [a.name for a in search_areas(world["admin"], "thach ha").items] == ["Xã Thạch Hà"]
    assert [a.name for a in search_areas(world["staff"], "THẠCH HÀ").items] == ["Xã Thạch Hà"]
    assert search_areas(world["staff_b"], "thach ha").total == 0  # another commune's staff
    assert [a.former_commune for a in search_areas(world["volunteer"], "thon 1").items] == ["Xã Thạch Sơn"]
    assert search_areas(world["admin"], "   ") is None


def test_search_lists_communes_before_villages_and_can_stay_within_an_area(db, world):
    make_area(AreaKind.VILLAGE, "Thôn Can", world["commune_a"])
    results = search_areas(world["admin"], "can")
    assert [(a.kind, a.name) for a in results.items] == [("commune", "Xã Can Lộc"), ("village", "Thôn Can")]
    within = search_areas(world["admin"], "can", within=world["commune_a"])
    assert [a.name for a in within.items] == ["Thôn Can"]


def test_search_page_and_fragment(client, world):
    sign_in(client, world["staff"])
    page = client.get("/areas/search?q=thon+1&lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert "Xã Thạch Sơn" in html and "Xã Thạch Long" in html and "Xã Thạch Hà" in html
    assert "HX-Request" in page.headers["Vary"]
    fragment = client.get("/areas/search?q=thon+1", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body and 'id="area-results"' in body


def test_search_within_an_area_out_of_scope_is_404(client, world):
    sign_in(client, world["staff_b"])
    assert client.get(f"/areas/search?q=thon&within={world['commune_a'].id}").status_code == 404
    assert client.get(f"/areas/search?q=thon&within={world['commune_b'].id}").status_code == 200


def test_search_runs_a_bounded_number_of_queries(client, db, world):
    for n in range(1, 30):
        make_area(AreaKind.VILLAGE, f"Thôn {n}", world["commune_b"], former_commune="Xã Cũ")
    sign_in(client, world["admin"])
    client.get("/areas/search?q=thon")
    with count_queries() as small:
        client.get("/areas/search?q=thon+1")
    with count_queries() as large:
        client.get("/areas/search?q=thon")
    assert large() == small() <= 8


def test_province_and_commune_pages_have_the_search_box(client, world):
    sign_in(client, world["staff"])
    for key in ("province", "commune_a"):
        html = client.get(f"/areas/{world[key].id}").get_data(as_text=True)
        assert 'id="area-q"' in html and f'name="within" value="{world[key].id}"' in html
    assert 'id="area-q"' not in client.get(f"/areas/{world['village_a1'].id}").get_data(as_text=True)


def test_villages_keep_their_numbered_order_and_communes_vietnamese_order(client, db, world):
    commune = world["commune_b"]
    for n in (2, 10, 3):
        make_area(AreaKind.VILLAGE, f"Thôn {n}", commune, former_commune="Xã Khánh Vĩnh Yên")
    make_area(AreaKind.COMMUNE, "Xã Đức Thọ", world["province"], code="18100")
    make_area(AreaKind.COMMUNE, "Phường Bắc Hồng Lĩnh", world["province"], code="18200")
    sign_in(client, world["admin"])
    html = client.get(f"/areas/{commune.id}").get_data(as_text=True)
    assert html.index("Thôn 2") < html.index("Thôn 10") < html.index("Thôn 3")  # as entered
    assert html.index("Thôn Trung") < html.index("Thôn 2")  # no former commune sorts first
    html = client.get(f"/areas/{world['province'].id}").get_data(as_text=True)
    names = ["Phường Bắc Hồng Lĩnh", "Xã Can Lộc", "Xã Đức Thọ", "Xã Thạch Hà"]
    positions = [html.index(name) for name in names]
    assert positions == sorted(positions)


# Routes ---------------------------------------------------------------------

def test_add_a_village_through_the_form(client, db, world):
    sign_in(client, world["staff_b"])
    commune = world["commune_b"]
    assert client.get(f"/areas/{commune.id}/villages/new").status_code == 200
    response = client.post(f"/areas/{commune.id}/villages/new",
                           data={"name": "  Thôn   Đông ", "former_commune": "Xã Tùng Lộc",
                                 "declared_households": "212"})
    assert response.status_code == 303
    village = db.session.scalar(select(Area).where(Area.name == "Thôn Đông"))
    assert response.headers["Location"] == f"/areas/{village.id}"
    assert (village.former_commune, village.declared_households) == ("Xã Tùng Lộc", 212)


def test_htmx_form_answers_with_a_redirect_or_the_form_fragment(client, db, world):
    sign_in(client, world["admin"])
    url = f"/areas/{world['commune_a'].id}/villages/new"
    ok = client.post(url, data={"name": "Thôn Hạ"}, headers={"HX-Request": "true"})
    assert ok.status_code == 204 and ok.headers["HX-Redirect"].startswith("/areas/")
    bad = client.post(url, data={"name": "Thôn Hạ"}, headers={"HX-Request": "true"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "<html" not in body and 'id="village-form"' in body
    assert "Thôn Hạ" in body


@pytest.mark.parametrize("form,message", [
    ({"name": ""}, "Nhập tên thôn"),
    ({"name": "T" * 500}, "Tối đa 120 ký tự"),
    ({"name": "🏠🌾"}, "chữ cái hoặc chữ số"),
    ({"name": "Thôn 1", "former_commune": "Xã Thạch Sơn"}, "đã có"),
    ({"name": "Thôn Mới", "declared_households": "nhiều"}, None),
    ({"name": "Thôn Mới", "declared_households": "-5"}, None),
])
def test_bad_input_is_a_400_with_a_message_and_nothing_written(client, db, world, form, message):
    sign_in(client, world["admin"])
    before = village_count(db, world["commune_a"])
    response = client.post(f"/areas/{world['commune_a'].id}/villages/new", data=form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="field-error"' in html
    if message:
        assert message in html
    assert village_count(db, world["commune_a"]) == before


@pytest.mark.parametrize("username,status", [
    ("admin", 200), ("staff", 200), ("staff_b", 404), ("leader", 403), ("volunteer", 403),
])
def test_village_forms_in_and_out_of_scope(client, world, username, status):
    sign_in(client, world[username])
    assert client.get(f"/areas/{world['commune_a'].id}/villages/new").status_code == status
    assert client.get(f"/areas/{world['village_a2'].id}/edit").status_code == status
    post = client.post(f"/areas/{world['village_a2'].id}/deactivate")
    assert post.status_code == (303 if status == 200 else status)


def test_forms_refuse_the_wrong_kind_of_area(client, world):
    sign_in(client, world["admin"])
    assert client.get(f"/areas/{world['village_a1'].id}/villages/new").status_code == 404
    assert client.get(f"/areas/{world['commune_a'].id}/edit").status_code == 404
    assert client.post(f"/areas/{world['province'].id}/deactivate").status_code == 404


def test_rename_through_the_form_and_the_page_says_formerly(client, db, world):
    sign_in(client, world["staff"])
    village = world["village_a2"]
    response = client.post(f"/areas/{village.id}/edit",
                           data={"name": "Thôn Long Hải", "former_commune": "Xã Thạch Long",
                                 "declared_households": "199"})
    assert response.status_code == 303
    html = client.get(f"/areas/{village.id}?lang=en").get_data(as_text=True)
    assert "Thôn Long Hải" in html and "formerly: Thôn 1" in html
    results = client.get("/areas/search?q=thon+1&lang=en").get_data(as_text=True)
    assert "Thôn Long Hải" in results and "formerly: Thôn 1" in results


def test_deactivate_and_reactivate_through_the_page(client, db, world):
    make_household(world["village_a2"], "Lê Thị Hoa")
    sign_in(client, world["admin"])
    village = world["village_a2"]
    html = client.get(f"/areas/{village.id}?lang=en").get_data(as_text=True)
    assert "Deactivate this village" in html
    assert client.post(f"/areas/{village.id}/deactivate").status_code == 303
    db.session.refresh(village)
    assert village.is_active is False
    html = client.get(f"/areas/{village.id}?lang=en").get_data(as_text=True)
    assert "This village is deactivated" in html and "Reactivate" in html
    assert client.post(f"/areas/{village.id}/reactivate").status_code == 303
    db.session.refresh(village)
    assert village.is_active is True


def test_keepers_see_the_buttons_others_do_not(client, world):
    commune_url = f"/areas/{world['commune_a'].id}"
    sign_in(client, world["staff"])
    html = client.get(commune_url).get_data(as_text=True)
    assert f"/areas/{world['commune_a'].id}/villages/new" in html and "/imports/" in html
    sign_in(client, world["leader"])
    html = client.get(commune_url).get_data(as_text=True)
    assert "/villages/new" not in html and "/imports/" not in html
    assert "/edit" not in client.get(f"/areas/{world['village_a1'].id}").get_data(as_text=True)
