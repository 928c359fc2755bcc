"""Objects a request names are loaded through the user's scope: the log form, duplicate checks
and a commune administrator's logs, reviews and households (DESIGN §5, §6)."""

import uuid

import pytest
from sqlalchemy import func, select

from app.core.db import local_today
from app.helplogs.models import HelpLog, LogStatus
from app.households.models import Household
from tests.conftest import count_rows, make_household, make_log, make_services, sign_in

FOREIGN_NAME = "Trần Thị Lan"  # household_b, in commune B
FOREIGN_PHONE = "+84987654321"
FOREIGN_PRINTED = ("+84987654321", "0987654321", "0987 654 321", "098•••••21")


@pytest.fixture()
def foreign(db, world):
    """Commune B's household with a phone and a visit this week by its own volunteer."""
    household = world["household_b"]
    household.phone = FOREIGN_PHONE
    db.session.commit()
    make_services()
    log = make_log(world["outsider"], world["team_b"], household)
    return {"household": household, "log": log}


def assert_nothing_of(html: str, *values) -> None:
    for value in values:
        assert value not in html, f"{value!r} leaked"


def new_log(world, **overrides):
    services = make_services()
    data = {"client_uuid": str(uuid.uuid4()), "village_id": world["village_a1"].id, "mode": "existing",
            "household_id": world["household_a"].id, "service_ids": [services["VNEID"].id],
            "outcome": "done", "people_count": "1", "helped_on": local_today().isoformat(), "note": ""}
    return data | overrides


def new_household_in(village_id, name, phone):
    return {"mode": "new", "household_id": "", "village_id": village_id, "new-display_name": name,
            "new-phone": phone, "new-consent_method": "signed", "new-consent_given": "y"}


# The log form ---------------------------------------------------------------------------

@pytest.mark.parametrize("village", ["village_b1", "village_a1"])
def test_log_form_never_prefills_a_household_the_volunteer_may_not_see(client, world, foreign, village):
    sign_in(client, world["volunteer"])
    household = foreign["household"]
    response = client.get("/logs/new", query_string={
        "client_uuid": str(uuid.uuid4()), "village_id": world[village].id, "household_id": household.id,
        "service_ids": foreign["log"].services[0].id, "mode": "existing"})
    assert response.status_code == 200
    assert_nothing_of(response.get_data(as_text=True), FOREIGN_NAME, world["outsider"].full_name,
                      *FOREIGN_PRINTED)


def test_a_new_household_in_another_teams_village_is_refused_before_any_duplicate_check(client, world, foreign, db):
    sign_in(client, world["volunteer"])
    before = count_rows(Household)
    # Typed without accents and with spaces, so that only a leak would print the stored forms.
    response = client.post("/logs/new", data=new_log(
        world, **new_household_in(world["village_b1"].id, "Tran Thi Lan", "0987 654 321")))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Chọn một thôn, tổ dân phố do tổ của bạn phụ trách." in html
    assert_nothing_of(html, "Hộ này có thể đã", "Thôn Trung", FOREIGN_NAME, "0987654321", "098•••••21")
    assert count_rows(Household) == before


def test_a_phone_registered_by_another_team_is_mentioned_without_name_or_place(client, world, foreign, db):
    sign_in(client, world["volunteer"])
    data = new_log(world, **new_household_in(world["village_a1"].id, "Lê Văn Bình", "0987 654 321"))
    warned = client.post("/logs/new", data=data)
    html = warned.get_data(as_text=True)
    assert warned.status_code == 200 and "Số điện thoại này đã có trong danh sách của một tổ khác." in html
    assert_nothing_of(html, FOREIGN_NAME, "Thôn Trung", "Xã Can Lộc", "098•••••21")
    assert db.session.scalar(select(func.count()).select_from(HelpLog)) == 2  # nothing saved yet
    confirmed = client.post("/logs/new", data=data | {"new-confirmed_new": "1"})
    assert confirmed.status_code == 303


def test_the_household_form_mentions_a_foreign_phone_without_name_or_place(client, world, foreign):
    sign_in(client, world["volunteer"])
    response = client.post(f"/areas/{world['village_a1'].id}/households/new", data={
        "step": "consent", "display_name": "Lê Văn Bình", "phone": "0987654321",
        "consent_method": "signed", "consent_given": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Số điện thoại này đã có trong danh sách của một tổ khác." in html
    assert_nothing_of(html, FOREIGN_NAME, "Thôn Trung", "098•••••21")


def test_the_overlap_warning_is_only_for_a_household_in_scope(client, world, foreign):
    sign_in(client, world["volunteer"])
    response = client.get("/logs/overlaps", query_string={
        "household_id": foreign["household"].id, "service_ids": foreign["log"].services[0].id})
    assert response.status_code == 404
    assert_nothing_of(response.get_data(as_text=True), world["outsider"].full_name)


# A commune administrator ---------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/logs/{log}", "/households/{household}", "/households/{household}/edit",
    "/areas/{village}/households", "/areas/{village}/households/new", "/areas/{village}",
])
def test_a_commune_administrator_cannot_open_another_communes_records(client, world, foreign, commune_admin, path):
    sign_in(client, commune_admin)
    url = path.format(log=foreign["log"].id, household=foreign["household"].id, village=world["village_b1"].id)
    assert client.get(url).status_code == 404
    mine = path.format(log=world["log_a"].id, household=world["household_a"].id, village=world["village_a1"].id)
    assert client.get(mine).status_code == 200


def test_a_commune_administrator_reviews_only_their_communes_logs(client, world, foreign, commune_admin, db):
    sign_in(client, commune_admin)
    queue = client.get("/review").get_data(as_text=True)
    assert world["household_a"].display_name in queue
    assert_nothing_of(queue, FOREIGN_NAME, world["outsider"].full_name)
    log = foreign["log"]
    assert client.post(f"/review/{log.id}/approve", data={"version": log.version}).status_code == 404
    assert client.post(f"/review/{log.id}/return", data={"version": log.version, "reason": "other",
                                                          "comment": "x"}).status_code == 404
    client.post("/review/approve", data={"log": [f"{log.id}:{log.version}"]})
    db.session.refresh(log)
    assert log.status == LogStatus.SUBMITTED


def test_a_commune_administrator_cannot_change_or_anonymise_another_communes_household(client, world, foreign,
                                                                                       commune_admin, db):
    sign_in(client, commune_admin)
    household = foreign["household"]
    assert client.post(f"/households/{household.id}/anonymise").status_code == 404
    assert client.post(f"/households/{household.id}/edit", data={
        "display_name": "Đổi tên", "village_id": world["village_b1"].id}).status_code == 404
    db.session.refresh(household)
    assert household.display_name == FOREIGN_NAME and household.anonymised_at is None


def test_a_commune_administrator_sees_no_duplicates_from_another_commune(db, world, foreign, commune_admin):
    from app.households.services import find_duplicates

    make_household(world["village_a1"], "Lê Văn Bình")
    found = find_duplicates(commune_admin, world["village_a1"], FOREIGN_NAME, "0987654321")
    assert [h.display_name for h in found.households] == [] and found.phone_elsewhere
