"""What the phone's outbox relies on: how a replayed submission ends (X-Log-Result and honest
status codes), the households kept for searching offline (the user's own teams' villages,
the minimum fields, phones masked), and tokens that survive a field day."""

import re
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import delete

from app.core.db import local_today
from app.helplogs.routes import LOG_RESULT_HEADER
from app.teams.models import Membership
from tests.conftest import count_queries, make_household, make_team, sign_in
from tests.helplogs.conftest import log_count, post_data

HTMX = {"HX-Request": "true"}


def replay(client, data):
    """A replay as the outbox sends it: form-encoded, as htmx, redirects not followed."""
    return client.post("/logs/new", data=data, headers=HTMX)


def test_a_replay_answers_saved_then_already_and_stores_one_log(client, world, services, db):
    sign_in(client, world["volunteer"])
    data = post_data(world, services, str(uuid.uuid4()))
    first, again = replay(client, data), replay(client, data)
    assert (first.status_code, first.headers[LOG_RESULT_HEADER]) == (200, "saved")
    assert (again.status_code, again.headers[LOG_RESULT_HEADER]) == (200, "already")
    assert log_count(db, world) == 1


def test_a_plain_post_says_how_it_ended_too(client, world, services, db):
    sign_in(client, world["volunteer"])
    data = post_data(world, services, str(uuid.uuid4()))
    assert client.post("/logs/new", data=data).headers[LOG_RESULT_HEADER] == "saved"
    assert client.post("/logs/new", data=data).headers[LOG_RESULT_HEADER] == "already"


def test_a_household_added_offline_is_created_with_its_consent(client, world, services, db):
    from app.households.models import Household

    sign_in(client, world["volunteer"])
    data = post_data(world, services, str(uuid.uuid4()), mode="new", household_id="")
    data.update({"new-display_name": "Lê Thị Ngoại Tuyến", "new-phone": "0912 000 111",
                 "new-consent_method": "signed", "new-consent_given": "y"})
    answer = replay(client, data)
    assert answer.headers[LOG_RESULT_HEADER] == "saved"
    household = db.session.scalar(db.select(Household).where(Household.display_name == "Lê Thị Ngoại Tuyến"))
    assert household.consent_method == "signed" and household.consent_collected_by_id == world["volunteer"].id
    assert replay(client, data).headers[LOG_RESULT_HEADER] == "already"
    assert log_count(db, world) == 1


def test_a_likely_duplicate_is_said_so_and_nothing_is_stored(client, world, services, db):
    sign_in(client, world["volunteer"])
    data = post_data(world, services, str(uuid.uuid4()), mode="new", household_id="")
    data.update({"new-display_name": "Nguyen Van Duc", "new-consent_method": "signed", "new-consent_given": "y"})
    answer = replay(client, data)
    assert (answer.status_code, answer.headers[LOG_RESULT_HEADER]) == (200, "duplicates")
    assert log_count(db, world) == 0


def test_a_date_now_too_far_back_is_refused_with_its_message(client, world, services, db):
    sign_in(client, world["volunteer"])
    data = post_data(world, services, str(uuid.uuid4()), helped_on=(local_today() - timedelta(days=31)).isoformat())
    answer = replay(client, data)
    assert answer.status_code == 400 and LOG_RESULT_HEADER not in answer.headers
    assert re.search(r'class="field-error"[^>]*>Chỉ ghi được lượt hỗ trợ trong vòng 30 ngày',
                     answer.get_data(as_text=True))
    assert log_count(db, world) == 0


def test_a_replay_after_leaving_the_team_is_refused_not_stored(client, world, services, db):
    sign_in(client, world["volunteer"])
    db.session.execute(delete(Membership).where(Membership.user_id == world["volunteer"].id))
    db.session.commit()
    answer = replay(client, post_data(world, services, str(uuid.uuid4())))
    assert answer.status_code == 400
    assert "Chọn một thôn, tổ dân phố do tổ của bạn phụ trách." in answer.get_data(as_text=True)
    assert log_count(db, world) == 0


def test_a_damaged_entry_is_refused_with_400(client, world, services, db):
    sign_in(client, world["volunteer"])
    answer = replay(client, post_data(world, services, "not-a-uuid"))
    assert answer.status_code == 400 and log_count(db, world) == 0


def test_a_replay_without_a_sign_in_is_told_to_sign_in(client, world, services, db):
    answer = replay(client, post_data(world, services, str(uuid.uuid4())))
    assert answer.status_code == 401 and answer.headers["HX-Redirect"].startswith("/login")
    assert log_count(db, world) == 0


def test_a_replay_with_a_token_of_another_sign_in_is_marked_for_the_outbox(csrf_app, world, services, db):
    client = csrf_app.test_client()
    sign_in(client, world["volunteer"])
    answer = client.post("/logs/new", data={**post_data(world, services, str(uuid.uuid4())), "csrf_token": "old"},
                         headers=HTMX)
    assert answer.status_code == 400 and answer.headers["X-CSRF-Refused"] == "1"
    assert log_count(db, world) == 0


def test_a_token_from_the_morning_is_accepted_in_the_evening(csrf_app, world, services, db, monkeypatch):
    """The CSRF token is bound to the session, without a time limit: a log kept on the phone at
    7 in the morning is sent at 7 in the evening."""
    assert csrf_app.config["WTF_CSRF_TIME_LIMIT"] is None
    assert csrf_app.config["PERMANENT_SESSION_LIFETIME"] >= timedelta(days=1)
    client = csrf_app.test_client()
    sign_in(client, world["volunteer"])
    html = client.get("/logs/new").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    evening = time.time() + 12 * 3600
    monkeypatch.setattr(time, "time", lambda: evening)
    answer = client.post("/logs/new", data={**post_data(world, services, str(uuid.uuid4())), "csrf_token": token},
                         headers=HTMX)
    assert answer.headers[LOG_RESULT_HEADER] == "saved"
    assert log_count(db, world) == 1


def offline_data(client):
    response = client.get("/logs/offline-households")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json"
    assert "no-store" in response.headers["Cache-Control"]
    return response.get_json()


def test_offline_households_are_the_minimum_of_the_users_own_villages(client, world, db):
    make_household(world["village_a1"], "Phạm Thị Hoa", phone="+84912345678")
    make_household(world["village_a2"], "Hộ Thôn Khác")  # commune A, but not a village of the team
    db.session.commit()
    sign_in(client, world["volunteer"])
    data = offline_data(client)
    assert data["villages"] == [{"id": world["village_a1"].id, "label": world["village_a1"].label}]
    names = {h["name"] for h in data["households"]}
    assert names == {"Nguyễn Văn Đức", "Phạm Thị Hoa"}
    assert all(set(h) == {"id", "name", "village_id", "key", "phone"} for h in data["households"])
    hoa = next(h for h in data["households"] if h["name"] == "Phạm Thị Hoa")
    assert hoa["phone"] == "091•••••78" and hoa["key"] == "pham thi hoa"


def test_offline_households_leave_out_other_teams_and_anonymised_ones(client, world, db):
    from app.core.db import utcnow

    make_household(world["village_a1"], "Hộ Đã Ẩn Danh", anonymised_at=utcnow())
    db.session.commit()
    sign_in(client, world["outsider"])
    assert {h["name"] for h in offline_data(client)["households"]} == {"Trần Thị Lan"}
    sign_in(client, world["volunteer"])
    assert "Hộ Đã Ẩn Danh" not in {h["name"] for h in offline_data(client)["households"]}


def test_a_leader_gets_the_villages_of_the_teams_they_are_in_only(client, world, db):
    sign_in(client, world["leader"])
    assert {h["name"] for h in offline_data(client)["households"]} == {"Nguyễn Văn Đức"}


def test_a_volunteer_without_a_team_gets_nothing(client, world, db):
    db.session.execute(delete(Membership).where(Membership.user_id == world["volunteer"].id))
    db.session.commit()
    sign_in(client, world["volunteer"])
    assert offline_data(client) == {"villages": [], "households": []}


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_offices_get_no_offline_households(client, world, role):
    sign_in(client, world[role])
    assert client.get("/logs/offline-households").status_code == 403


def test_offline_households_take_a_bounded_number_of_queries(client, world, db):
    sign_in(client, world["volunteer"])
    offline_data(client)
    with count_queries() as small:
        offline_data(client)
    for i in range(5):
        village = make_household(world["village_a1"], f"Hộ {i}").village
        make_team(world["commune_a"], [village], members=[world["volunteer"]], name=f"Tổ thêm {i}")
    db.session.commit()
    with count_queries() as large:
        data = offline_data(client)
    assert len(data["households"]) == 6
    assert large() == small()
