"""Area pages and fragments: the province, commune and village pages, the search (page and
fragment), adding, renaming, deactivating and reactivating a village; bounded SQL."""

import pytest
from sqlalchemy import select

from app.areas.models import Area, AreaKind
from app.areas.queries import search_areas
from app.areas.services import set_village_active
from tests.areas.conftest import village_count
from tests.conftest import count_queries, grow_commune_a, html_of, make_area, make_household, sign_in


def test_commune_page_tells_two_thon_1_apart_and_lists_teams(client, world):
    sign_in(client, world["admin"])
    html = html_of(client, f"/areas/{world['commune_a'].id}")
    assert html.count("Thôn 1") == 2
    assert "Xã Thạch Sơn" in html and "Xã Thạch Long" in html
    assert "Tổ 1" in html


def test_village_page_shows_registered_beside_declared(client, world, db):
    world["village_a1"].declared_households = 240
    db.session.commit()
    sign_in(client, world["volunteer"])
    html = html_of(client, f"/areas/{world['village_a1'].id}")
    assert "240" in html and "hộ theo số liệu của xã" in html


def test_no_data_shows_a_dash_not_zero(client, world):
    sign_in(client, world["admin"])
    assert "—" in html_of(client, f"/areas/{world['village_a2'].id}")
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


def test_search_runs_a_bounded_number_of_queries(client, db, world):
    for n in range(1, 30):
        make_area(AreaKind.VILLAGE, f"Thôn {n}", world["commune_b"], former_commune="Xã Cũ")
    sign_in(client, world["admin"])
    client.get("/areas/search?q=thon")
    with count_queries() as small:
        assert client.get("/areas/search?q=thon+1").status_code == 200
    with count_queries() as large:
        assert client.get("/areas/search?q=thon").status_code == 200
    assert large() == small() <= 8


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
@pytest.mark.parametrize("area_key", ["province", "commune_a"])
def test_area_page_runs_a_bounded_number_of_queries(client, world, area_key):
    sign_in(client, world["admin"])
    path = f"/areas/{world[area_key].id}"
    with count_queries() as small:
        html_of(client, path)
    grow_commune_a(world, 5)
    with count_queries() as large:
        html_of(client, path)
    assert large() == small()
