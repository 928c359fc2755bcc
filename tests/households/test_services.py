"""Household services: search, adding with consent, duplicates, changing and moving within
scope, anonymising."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.households.models import ConsentMethod, Household
from app.households.queries import search_households
from app.households.services import (
    Consent,
    HouseholdData,
    HouseholdError,
    anonymise_household,
    create_household,
    find_duplicates,
    update_household,
)
from tests.conftest import count_rows, make_household


def test_search_is_accent_insensitive_and_word_by_word(db, world):
    make_household(world["village_a1"], "Nguyễn Thị Đào")
    make_household(world["village_a1"], "Trần Văn Đức")
    found = search_households(world["volunteer"], world["village_a1"], q="nguyen van duc")
    assert [h.display_name for h in found.items] == ["Nguyễn Văn Đức"]
    found = search_households(world["volunteer"], world["village_a1"], q="DUC")
    assert {h.display_name for h in found.items} == {"Nguyễn Văn Đức", "Trần Văn Đức"}
    assert search_households(world["volunteer"], world["village_a1"], q="100%").total == 0


def test_commune_search_is_limited_to_the_users_villages(db, world):
    make_household(world["village_a2"], "Nguyễn Văn Đức")
    volunteer = search_households(world["volunteer"], world["commune_a"], q="duc")
    admin = search_households(world["admin"], world["commune_a"], q="duc")
    assert volunteer.total == 1 and admin.total == 2


def test_filters_and_pagination(db, world):
    for i in range(25):
        make_household(world["village_a1"], f"Hộ {i:02d}", is_farm=i % 2 == 0, is_business=i % 5 == 0)
    assert search_households(world["volunteer"], world["village_a1"], farm=True).total == 13
    assert search_households(world["volunteer"], world["village_a1"], business=True).total == 5
    page2 = search_households(world["volunteer"], world["village_a1"], page=2)
    assert page2.total == 26 and len(page2.items) == 6


def test_create_household_records_consent_and_audits_masked(db, world):
    household = create_household(
        world["volunteer"], world["village_a1"],
        HouseholdData("  Lê   Thị Hoa ", phone="0912 345 678", is_farm=True, member_count=4),
        Consent(ConsentMethod.VERBAL_WITNESSED, witness="Trưởng thôn Hùng"),
    )
    assert household.display_name == "Lê Thị Hoa" and household.search_key == "le thi hoa"
    assert household.phone == "+84912345678"
    assert household.consent_collected_by_id == world["volunteer"].id
    assert household.consent_version and household.consent_witness == "Trưởng thôn Hùng"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "household.created"))
    assert event.changes["display_name"] == "•••" and event.changes["phone"] == "•••"
    assert event.changes["is_farm"] is True


@pytest.mark.parametrize("data,field", [
    (HouseholdData("😀😀😀"), "display_name"),
    (HouseholdData("x" * 500), "display_name"),
    (HouseholdData("Lê Văn A", phone="091234567"), "phone"),
    (HouseholdData("Lê Văn A", member_count=0), "member_count"),
    (HouseholdData("Lê Văn A", notes="CCCD 042095001234"), "notes"),
])
def test_create_household_refuses_bad_data(db, world, data, field):
    with pytest.raises(HouseholdError) as error:
        create_household(world["volunteer"], world["village_a1"], data, Consent(ConsentMethod.SIGNED))
    assert error.value.field == field
    db.session.rollback()
    assert count_rows(Household) == 2


def test_verbal_consent_needs_a_witness(db, world):
    with pytest.raises(HouseholdError):
        create_household(world["volunteer"], world["village_a1"], HouseholdData("Lê Văn A"),
                         Consent(ConsentMethod.VERBAL_WITNESSED))


@pytest.mark.parametrize("username,village", [
    ("volunteer", "village_a2"), ("volunteer", "village_b1"), ("staff", "village_a1"), ("outsider", "village_a1"),
])
def test_adding_outside_ones_villages_is_refused(db, world, username, village):
    with pytest.raises(HouseholdError):
        create_household(world[username], world[village], HouseholdData("Lê Văn A"), Consent(ConsentMethod.SIGNED))


def test_duplicates_by_similar_name_in_the_village_or_same_phone_in_scope(db, world):
    make_household(world["village_a1"], "Phạm Thị Hằng", phone="+84987654321")
    volunteer = world["volunteer"]

    def names(village, name, phone=None):
        return [h.display_name for h in find_duplicates(volunteer, world[village], name, phone).households]

    assert names("village_a1", "nguyen van duc") == ["Nguyễn Văn Đức"]
    assert names("village_a1", "Nguyễn Văn Đực") == ["Nguyễn Văn Đức"]  # one tone off
    assert not find_duplicates(volunteer, world["village_a2"], "Nguyễn Văn Đức", None)  # another village
    assert names("village_a1", "Lê B", "0987654321") == ["Phạm Thị Hằng"]
    assert not find_duplicates(volunteer, world["village_a1"], "Trần Quốc Toản", None)


def test_a_phone_registered_outside_ones_scope_is_only_flagged(db, world):
    """DESIGN §6: a match elsewhere is mentioned without name or place."""
    make_household(world["village_b1"], "Phạm Thị Hằng", phone="+84987654321")
    found = find_duplicates(world["volunteer"], world["village_a1"], "Lê B", "0987 654 321")
    assert found.households == [] and found.phone_elsewhere
    mine = find_duplicates(world["outsider"], world["village_b1"], "Lê B", "0987654321")
    assert [h.display_name for h in mine.households] == ["Phạm Thị Hằng"] and not mine.phone_elsewhere


def test_update_records_changed_fields_and_moves_within_scope(db, world):
    world["team_a"].villages.append(world["village_a2"])
    db.session.commit()
    household = world["household_a"]
    update_household(world["volunteer"], household, HouseholdData("Nguyễn Văn Đức", member_count=5),
                     world["village_a2"])
    assert household.village_id == world["village_a2"].id and household.member_count == 5
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "household.updated"))
    assert event.changes == {"member_count": [None, 5], "village_id": [world["village_a1"].id, world["village_a2"].id]}


def test_moving_to_a_village_outside_scope_is_refused_and_nothing_changes(db, world):
    household = world["household_a"]
    with pytest.raises(HouseholdError):
        update_household(world["volunteer"], household, HouseholdData("Tên mới"), world["village_b1"])
    db.session.rollback()
    db.session.refresh(household)
    assert household.display_name == "Nguyễn Văn Đức" and household.village_id == world["village_a1"].id


def test_anonymise_erases_personal_data_but_keeps_the_row(db, world):
    household = world["household_a"]
    household.phone = "+84912345678"
    household.notes = "Nhà cạnh cây đa, gọi trước khi đến"
    household.consent_method, household.consent_witness = ConsentMethod.VERBAL_WITNESSED, "Trưởng thôn Lê Văn Hải"
    db.session.commit()
    with pytest.raises(HouseholdError):
        anonymise_household(world["volunteer"], household)
    assert db.session.get(Household, household.id).notes and not household.anonymised_at
    anonymise_household(world["admin"], household)
    db.session.expire_all()
    household = db.session.get(Household, household.id)
    assert household.display_name == "" and household.search_key == "" and household.phone is None
    assert household.notes is None and household.consent_witness is None and household.anonymised_at
    assert count_rows(Household) == 2
    assert search_households(world["admin"], world["village_a1"], q="").total == 0
