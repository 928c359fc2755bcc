"""Who sees and keeps which place: province staff and administrators every commune, commune staff
and administrators their own; field roles see their villages and keep none."""

import pytest

from app.accounts.models import Role
from app.areas.services import AreaError, VillageData, add_village
from tests.areas.conftest import village_count
from tests.conftest import html_of, make_user, sign_in


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


def test_search_within_an_area_out_of_scope_is_404(client, world):
    sign_in(client, world["staff_b"])
    assert client.get(f"/areas/search?q=thon&within={world['commune_a'].id}").status_code == 404
    assert client.get(f"/areas/search?q=thon&within={world['commune_b'].id}").status_code == 200


@pytest.mark.parametrize("username,status", [
    ("admin", 200), ("staff", 200), ("staff_b", 404), ("leader", 403), ("volunteer", 403),
])
def test_village_forms_in_and_out_of_scope(client, world, username, status):
    sign_in(client, world[username])
    assert client.get(f"/areas/{world['commune_a'].id}/villages/new").status_code == status
    assert client.get(f"/areas/{world['village_a2'].id}/edit").status_code == status
    post = client.post(f"/areas/{world['village_a2'].id}/deactivate")
    assert post.status_code == (303 if status == 200 else status)


def test_keepers_see_the_buttons_others_do_not(client, world):
    commune_url = f"/areas/{world['commune_a'].id}"
    sign_in(client, world["staff"])
    html = client.get(commune_url).get_data(as_text=True)
    assert f"/areas/{world['commune_a'].id}/villages/new" in html and "/imports/" in html
    sign_in(client, world["leader"])
    html = client.get(commune_url).get_data(as_text=True)
    assert "/villages/new" not in html and "/imports/" not in html
    assert "/edit" not in client.get(f"/areas/{world['village_a1'].id}").get_data(as_text=True)
def test_commune_page_for_a_volunteer_lists_only_their_villages(client, world):
    sign_in(client, world["volunteer"])
    html = html_of(client, f"/areas/{world['commune_a'].id}")
    assert "Xã Thạch Sơn" in html
    assert "Xã Thạch Long" not in html
