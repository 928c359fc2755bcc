"""Area services: adding, renaming and deactivating villages and the rules they keep, and
finding any place."""

import pytest
from sqlalchemy import select

from app.areas.models import AreaKind
from app.areas.queries import search_areas
from app.areas.services import AreaError, VillageData, add_village, set_village_active, update_village
from app.audit.models import AuditEvent
from tests.areas.conftest import village_count
from tests.conftest import make_area


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
