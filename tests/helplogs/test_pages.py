"""Help log pages and fragments: the one-screen form (a household, a group, a new household),
replays and races, what it refuses, the Today screen, my logs, editing, and bounded SQL."""

import re
import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.db import local_today
from app.helplogs.models import HelpLog, LogStatus
from app.helplogs.services import submit_log
from app.households.models import Household
from tests.conftest import count_queries, events, new_session_id, sign_in
from tests.helplogs.conftest import base_input, form_of, log_count, post_data


def test_form_page_preselects_the_village_and_renders_a_fresh_uuid(client, world, services):
    sign_in(client, world["volunteer"])
    html, first = form_of(client)
    _, second = form_of(client)
    assert first != second and uuid.UUID(first)
    assert f'<option selected value="{world["village_a1"].id}">' in html
    assert "Định danh điện tử VNeID" in html and "Nguyễn Văn Đức" in html


def test_submit_then_replay_gives_one_log_and_200(client, world, services, db):
    sign_in(client, world["volunteer"])
    _, key = form_of(client)
    first = client.post("/logs/new", data=post_data(world, services, key))
    assert first.status_code == 303
    replay = client.post("/logs/new", data=post_data(world, services, key))
    assert replay.status_code == 200 and "Đã lưu" in replay.get_data(as_text=True)
    htmx = client.post("/logs/new", data=post_data(world, services, key), headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and "<html" not in htmx.get_data(as_text=True)
    assert log_count(db, world) == 1


@pytest.mark.parametrize("overrides", [
    {"people_count": "0"},  # refused by the form now
    {"village_id": "999999"},  # refused by the service
    {"household_id": "999999"},  # refused by the service, after the placement
])
def test_a_replay_is_answered_with_the_saved_log_whatever_it_now_holds(client, world, services, db, overrides):
    sign_in(client, world["volunteer"])
    _, key = form_of(client)
    assert client.post("/logs/new", data=post_data(world, services, key)).status_code == 303
    replay = client.post("/logs/new", data=post_data(world, services, key, **overrides),
                         headers={"HX-Request": "true"})
    assert replay.status_code == 200 and replay.headers["X-Log-Result"] == "already"
    assert log_count(db, world) == 1


def test_two_submissions_at_once_store_one_row(app, world, services, db):
    key = str(uuid.uuid4())
    data = post_data(world, services, key)
    session_id = new_session_id(world["volunteer"])
    results, crashes = [], []

    def post():
        try:
            client = app.test_client()
            with app.app_context(), client.session_transaction() as session:
                session["_user_id"] = session_id
            results.append(client.post("/logs/new", data=data).status_code)
        except Exception as error:  # a thread's crash must fail the test, not vanish with the thread
            crashes.append(error)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert crashes == [] and len(results) == 4
    # One request saved the log (303 to it); the three others answered with the saved log (200).
    assert sorted(results) == [200, 200, 200, 303]
    assert log_count(db, world) == 1


def test_group_session_route(client, world, services, db):
    sign_in(client, world["volunteer"])
    _, key = form_of(client)
    response = client.post("/logs/new", data=post_data(world, services, key, mode="group", household_id="",
                                                         people_count="30"))
    assert response.status_code == 303
    assert db.session.scalar(select(HelpLog).where(HelpLog.id != world["log_a"].id)).people_count == 30


def test_new_household_inside_the_log_form(client, world, services, db):
    sign_in(client, world["volunteer"])
    _, key = form_of(client)
    data = post_data(world, services, key, mode="new", household_id="")
    data.update({"new-display_name": "Đặng Văn Lâm", "new-phone": "0912000111",
                 "new-consent_method": "signed", "new-consent_given": "y"})
    response = client.post("/logs/new", data=data)
    assert response.status_code == 303
    household = db.session.scalar(select(Household).where(Household.display_name == "Đặng Văn Lâm"))
    log = db.session.scalar(select(HelpLog).where(HelpLog.id != world["log_a"].id))
    assert log.household_id == household.id and household.consent_collected_by_id == world["volunteer"].id
    # The trail reads in the order things happened: the household exists before the log names it.
    [created], [submitted] = events(db, "household.created"), events(db, "helplog.submitted")
    assert created.id < submitted.id and created.object_id == household.id and submitted.object_id == log.id


def test_new_household_without_consent_keeps_the_form(client, world, services, db):
    sign_in(client, world["volunteer"])
    _, key = form_of(client)
    data = post_data(world, services, key, mode="new", household_id="", note="Hướng dẫn cài VNeID")
    data.update({"new-display_name": "Đặng Văn Lâm"})
    response = client.post("/logs/new", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="Đặng Văn Lâm"' in html and "Hướng dẫn cài VNeID" in html
    assert log_count(db, world) == 0 and db.session.scalar(select(func.count()).select_from(Household)) == 2


def test_new_household_duplicate_is_shown_before_saving(client, world, services, db):
    sign_in(client, world["volunteer"])
    _, key = form_of(client)
    data = post_data(world, services, key, mode="new", household_id="")
    data.update({"new-display_name": "Nguyen Van Duc", "new-consent_method": "signed", "new-consent_given": "y"})
    warned = client.post("/logs/new", data=data)
    assert warned.status_code == 200 and "Hộ này có thể đã có trong danh sách" in warned.get_data(as_text=True)
    assert log_count(db, world) == 0
    data["new-confirmed_new"] = "1"
    assert client.post("/logs/new", data=data).status_code == 303
    assert log_count(db, world) == 1


@pytest.mark.parametrize("overrides,message", [
    ({"mode": "group", "household_id": "", "people_count": "0"}, "1"),
    ({"service_ids": []}, "Chọn ít nhất một"),
    ({"helped_on": (local_today() + timedelta(days=1)).isoformat()}, "sau hôm nay"),
    ({"helped_on": (local_today() - timedelta(days=31)).isoformat()}, "30 ngày"),
    ({"people_count": "10000"}, "500"),
    ({"note": "số căn cước 042095001234"}, "căn cước"),
    ({"household_id": ""}, "Chọn một hộ"),
])
def test_bad_input_is_400_and_keeps_what_was_typed(client, world, services, db, overrides, message):
    sign_in(client, world["volunteer"])
    _, key = form_of(client)
    response = client.post("/logs/new", data=post_data(world, services, key, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert log_count(db, world) == 0


@pytest.mark.parametrize("overrides,message", [
    ({"people_count": "0"}, "1"),  # the form's own check
    ({"household_id": "999999"}, "Chọn một hộ của thôn, tổ dân phố này."),  # the service's refusal
])
def test_a_refused_submission_shows_the_whole_form_again(csrf_app, world, services, db, overrides, message):
    """A submission reads only the fields it uses (helplogs.forms.LogSubmission); refused, it
    answers the whole form: the new household's fields, the CSRF token, what was typed and
    the message beside its field."""
    client = csrf_app.test_client()
    sign_in(client, world["volunteer"])
    html, key = form_of(client)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    data = post_data(world, services, key, note="Hỏi về bảo hiểm", **overrides)
    response = client.post("/logs/new", data=data, headers={"HX-Request": "true", "X-CSRFToken": token,
                                                            "Referer": "http://localhost/logs/new"})
    assert response.status_code == 400
    fragment = response.get_data(as_text=True)
    assert message in fragment and "Hỏi về bảo hiểm" in fragment and key in fragment
    assert 'name="new-display_name"' in fragment and 'name="new-consent_method"' in fragment
    assert re.search(r'name="csrf_token" type="hidden" value="[^"]+"', fragment)
    assert log_count(db, world) == 0


def test_village_and_household_outside_scope_are_400(client, world, services, db):
    sign_in(client, world["volunteer"])
    _, key = form_of(client)
    other_village = client.post("/logs/new", data=post_data(world, services, key, village_id=world["village_b1"].id,
                                                             household_id=world["household_b"].id))
    assert other_village.status_code == 400
    other_household = client.post("/logs/new", data=post_data(world, services, key,
                                                               household_id=world["household_b"].id))
    assert other_household.status_code == 400
    assert log_count(db, world) == 0


def test_tampered_uuid_is_400(client, world, services):
    sign_in(client, world["volunteer"])
    response = client.post("/logs/new", data=post_data(world, services, "1234"))
    assert response.status_code == 400


def test_household_options_fragment(client, world, services):
    sign_in(client, world["volunteer"])
    response = client.get(f"/logs/households?village_id={world['village_a1'].id}&q=nguyen+van+duc",
                          headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'name="household_id"' in html
    assert "Nguyễn Văn Đức" in html
    assert client.get(f"/logs/households?village_id={world['village_b1'].id}").status_code == 404


def test_today_screen_shows_returned_first_with_reason(client, world, services, db):
    log, _ = submit_log(world["volunteer"], str(uuid.uuid4()), base_input(world, services))
    log.status, log.return_reason, log.return_comment = LogStatus.RETURNED, "wrong_household", "Hộ bên cạnh"
    db.session.commit()
    submit_log(world["volunteer"], str(uuid.uuid4()), base_input(world, services, household_id=None,
                                                                     people_count=12))
    sign_in(client, world["volunteer"])
    html = client.get("/").get_data(as_text=True)
    assert html.index("Cần sửa") < html.index("Hộ bên cạnh") < html.index("Buổi hướng dẫn tập trung")
    assert f"/logs/{log.id}/edit" in html


def test_my_logs_list_filter_and_scope(client, world, services, db):
    mine, _ = submit_log(world["volunteer"], str(uuid.uuid4()), base_input(world, services))
    sign_in(client, world["volunteer"])
    assert f"/logs/{mine.id}" in client.get("/logs").get_data(as_text=True)
    assert f"/logs/{mine.id}" not in client.get("/logs?status=approved").get_data(as_text=True)
    fragment = client.get("/logs?status=submitted", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and f"/logs/{mine.id}" in fragment
    sign_in(client, world["outsider"])
    assert client.get(f"/logs/{mine.id}").status_code == 404
    sign_in(client, world["leader"])  # leads the team: may read it, may not edit it
    assert client.get(f"/logs/{mine.id}").status_code == 200
    assert client.get(f"/logs/{mine.id}/edit").status_code == 404


def test_edit_route_resubmits_a_returned_log(client, world, services, db):
    log, _ = submit_log(world["volunteer"], str(uuid.uuid4()), base_input(world, services))
    log.status = LogStatus.RETURNED
    db.session.commit()
    sign_in(client, world["volunteer"])
    assert client.get(f"/logs/{log.id}/edit").status_code == 200
    response = client.post(f"/logs/{log.id}/edit", data=post_data(world, services, log.client_uuid,
                                                                  outcome="partly", version=log.version))
    assert response.status_code == 303
    db.session.refresh(log)
    assert log.status == LogStatus.SUBMITTED and log.outcome == "partly"


@pytest.mark.parametrize("path", ["/", "/logs/new", "/logs"])
def test_pages_run_a_bounded_number_of_queries(client, world, services, db, path):
    sign_in(client, world["volunteer"])
    for _ in range(2):
        submit_log(world["volunteer"], str(uuid.uuid4()), base_input(world, services))
    with count_queries() as few:
        assert client.get(path).status_code == 200
    for _ in range(15):
        submit_log(world["volunteer"], str(uuid.uuid4()), base_input(world, services))
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert many() == few()


def test_team_page_shows_the_last_30_days_and_latest_logs_in_scope(client, world, services, db):
    approved, _ = submit_log(world["volunteer"], str(uuid.uuid4()), base_input(world, services, people_count=3))
    approved.status = LogStatus.APPROVED
    old, _ = submit_log(world["volunteer"], str(uuid.uuid4()),
                        base_input(world, services, helped_on=local_today() - timedelta(days=29)))
    old.status = LogStatus.APPROVED
    db.session.commit()
    sign_in(client, world["leader"])
    html = client.get(f"/teams/{world['team_a'].id}?lang=en").get_data(as_text=True)
    assert "Last 30 days" in html
    cards = re.findall(r'<span class="n">([^<]+)</span><span class="what">([^<]+)</span>', html)
    assert ("1", "households reached") in cards and ("2", "visits") in cards and ("4", "people helped") in cards
    assert f"/logs/{approved.id}" in html and f"/logs/{world['log_a'].id}" in html
    sign_in(client, world["staff"])
    html = client.get(f"/teams/{world['team_a'].id}?lang=en").get_data(as_text=True)
    assert ("2", "visits") in re.findall(r'<span class="n">([^<]+)</span><span class="what">([^<]+)</span>', html)
    assert f"/logs/{approved.id}" not in html  # staff see numbers, not logs


def test_a_submission_runs_a_fixed_small_number_of_statements(client, world, services, db):
    """The write path's statements, counted, so a gain cannot silently regress
    (bench/request_cost.py measures its time)."""
    sign_in(client, world["volunteer"])
    _, key = form_of(client)
    with count_queries() as statements:
        response = client.post("/logs/new", data=post_data(world, services, key), headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["X-Log-Result"] == "saved"
    # the user and session, village+team+household with the id of a log saved under the
    # client_uuid if any, services; the log, its services and its audit event inserted
    assert statements() == 6
    log = db.session.scalar(select(HelpLog).where(HelpLog.client_uuid == key))
    assert [event.action for event in events(db, "helplog.submitted") if event.object_id == log.id] == [
        "helplog.submitted"]
    with count_queries() as replay:
        again = client.post("/logs/new", data=post_data(world, services, key), headers={"HX-Request": "true"})
    assert again.headers["X-Log-Result"] == "already"
    # the user, the placement finding its id, the saved log, then its household, village, services
    assert replay() == 6


def test_a_leaders_submission_adds_only_the_summaries_and_its_approval(client, world, services, db):
    sign_in(client, world["leader"])
    _, key = form_of(client)
    with count_queries() as statements:
        response = client.post("/logs/new", data=post_data(world, services, key), headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["X-Log-Result"] == "saved"
    log = db.session.scalar(select(HelpLog).where(HelpLog.client_uuid == key))
    assert log.status == LogStatus.APPROVED and log.reviewed_by_id == world["leader"].id
    assert [e.changes for e in events(db, "helplog.approved") if e.object_id == log.id] == [{"auto": True}]
    # the same six (one INSERT for both events), and the coverage summaries before and after
    assert statements() == 15
