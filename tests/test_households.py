"""Households: search, the consent step, duplicates, editing, masking, anonymising."""

import pytest
from sqlalchemy import select

from app.areas.models import AreaKind
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
from tests.conftest import count_queries, count_rows, make_household, sign_in

SIGNED = {"consent_method": "signed", "consent_given": "y"}


# Services ----------------------------------------------------------------------------

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
    db.session.commit()
    with pytest.raises(HouseholdError):
        anonymise_household(world["volunteer"], household)
    anonymise_household(world["admin"], household)
    assert household.display_name == "" and household.phone is None and household.anonymised_at
    assert count_rows(Household) == 2
    assert search_households(world["admin"], world["village_a1"], q="").total == 0


# Routes ------------------------------------------------------------------------------

def test_household_list_page_and_fragment(client, world):
    sign_in(client, world["volunteer"])
    url = f"/areas/{world['village_a1'].id}/households"
    page = client.get(url + "?q=nguyen+van+duc")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<html" in html and "Nguyễn Văn Đức" in html and 'hx-get="' in html
    fragment = client.get(url + "?q=duc", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text and 'id="results"' in text
    assert "Nguyễn Văn Đức" in text
    assert "HX-Request" in fragment.headers["Vary"]


def test_household_list_bounded_queries(client, world):
    sign_in(client, world["volunteer"])
    url = f"/areas/{world['commune_a'].id}/households"
    with count_queries() as few:
        client.get(url)
    for i in range(30):
        make_household(world["village_a1"], f"Hộ {i}", phone="+8491234{:04d}".format(i))
    with count_queries() as many:
        client.get(url)
    assert many() == few()


def test_phone_is_full_for_the_team_and_masked_for_others(client, world, db):
    world["household_a"].phone = "+84912345678"
    db.session.commit()
    path = f"/households/{world['household_a'].id}"
    sign_in(client, world["volunteer"])
    assert "0912 345 678" in client.get(path).get_data(as_text=True)
    sign_in(client, world["admin"])
    html = client.get(path).get_data(as_text=True)
    assert "0912 345 678" not in html and "091•••••78" in html


@pytest.mark.parametrize("username,status", [
    ("volunteer", 200), ("leader", 200), ("admin", 200), ("outsider", 404), ("staff", 403),
])
def test_household_page_scope(client, world, username, status):
    sign_in(client, world[username])
    assert client.get(f"/households/{world['household_a'].id}").status_code == status


def new_url(world, key="village_a1"):
    return f"/areas/{world[key].id}/households/new"


def test_add_household_walks_details_consent_and_saves(client, world, db):
    sign_in(client, world["volunteer"])
    details = {"display_name": "Hoàng Thị Yến", "phone": "0987 111 222", "member_count": "3", "is_farm": "y"}
    first = client.post(new_url(world), data={"step": "details", **details})
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert 'name="step" value="consent"' in html and "đồng ý" in html.lower()
    assert count_rows(Household) == 2  # nothing saved before the consent step
    saved = client.post(new_url(world), data={"step": "consent", **details, **SIGNED})
    assert saved.status_code == 303
    household = db.session.scalar(select(Household).where(Household.display_name == "Hoàng Thị Yến"))
    assert saved.headers["Location"] == f"/households/{household.id}"
    assert household.is_farm and household.member_count == 3 and household.consent_method == "signed"


def test_consent_step_is_required(client, world, db):
    sign_in(client, world["volunteer"])
    response = client.post(new_url(world), data={"step": "consent", "display_name": "Hoàng Thị Yến",
                                                 "consent_method": "signed"})
    assert response.status_code == 400
    assert "Chưa có sự đồng ý" in response.get_data(as_text=True) or "agreement" in response.get_data(as_text=True)
    assert count_rows(Household) == 2


def test_duplicate_warning_then_the_user_chooses(client, world, db):
    sign_in(client, world["volunteer"])
    data = {"display_name": "Nguyen Van Duc", **SIGNED}
    warned = client.post(new_url(world), data={"step": "consent", **data})
    assert warned.status_code == 200
    html = warned.get_data(as_text=True)
    assert f"/households/{world['household_a'].id}" in html and 'value="confirm"' in html
    assert count_rows(Household) == 2
    saved = client.post(new_url(world), data={"step": "confirm", **data})
    assert saved.status_code == 303
    assert count_rows(Household) == 3


def test_htmx_submit_gets_the_fragment_then_hx_redirect(client, world):
    sign_in(client, world["volunteer"])
    headers = {"HX-Request": "true"}
    step = client.post(new_url(world), data={"step": "details", "display_name": ""}, headers=headers)
    assert step.status_code == 400 and "<html" not in step.get_data(as_text=True)
    done = client.post(new_url(world), data={"step": "consent", "display_name": "Võ Văn Kiệt", **SIGNED},
                       headers=headers)
    assert done.status_code == 204 and done.headers["HX-Redirect"].startswith("/households/")


@pytest.mark.parametrize("data,message", [
    ({"display_name": "x" * 500}, "Tối đa 120 ký tự."),
    ({"display_name": "😀😀"}, "chữ"),
    ({"display_name": "Lê Văn A", "phone": "091234567"}, "10 chữ số"),
    ({"display_name": "Lê Văn A", "notes": "mật khẩu: abc123"}, "mật khẩu"),
])
def test_bad_input_keeps_what_was_typed(client, world, db, data, message):
    sign_in(client, world["volunteer"])
    response = client.post(new_url(world), data={"step": "consent", **data, **SIGNED})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert count_rows(Household) == 2


def test_adding_in_a_village_outside_scope_is_404(client, world):
    sign_in(client, world["volunteer"])
    assert client.get(new_url(world, "village_b1")).status_code == 404
    data = {"step": "consent", "display_name": "X", **SIGNED}
    assert client.post(new_url(world, "village_b1"), data=data).status_code == 404


def test_edit_and_move_outside_scope(client, world, db):
    sign_in(client, world["volunteer"])
    url = f"/households/{world['household_a'].id}/edit"
    assert client.get(url).status_code == 200
    moved = client.post(url, data={"display_name": "Nguyễn Văn Đức", "village_id": world["village_b1"].id})
    assert moved.status_code == 400
    db.session.refresh(world["household_a"])
    assert world["household_a"].village_id == world["village_a1"].id
    ok = client.post(url, data={"display_name": "Nguyễn Văn Đức", "member_count": "6",
                                "village_id": world["village_a1"].id})
    assert ok.status_code == 303
    db.session.refresh(world["household_a"])
    assert world["household_a"].member_count == 6


def test_anonymise_route_is_for_admins(client, world, db):
    url = f"/households/{world['household_a'].id}/anonymise"
    sign_in(client, world["volunteer"])
    assert client.post(url).status_code == 403
    sign_in(client, world["admin"])
    assert client.post(url).status_code == 303
    db.session.refresh(world["household_a"])
    assert world["household_a"].anonymised_at is not None
    page = client.get(f"/households/{world['household_a'].id}").get_data(as_text=True)
    assert "Nguyễn Văn Đức" not in page


def test_village_rows_are_kinds_of_area_only(client, world):
    sign_in(client, world["admin"])
    province = world["province"]
    assert province.kind == AreaKind.PROVINCE
    assert client.get(f"/areas/{province.id}/households").status_code == 404
