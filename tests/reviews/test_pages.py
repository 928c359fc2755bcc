"""Review pages and fragments: the queue and its filters, approving and returning in place and
without JavaScript, two people on one log, the log's history and the navigation counts."""

import re
import uuid

import pytest

from app.helplogs.models import LogStatus
from app.helplogs.services import edit_log, submit_log
from app.reviews.services import approve_log, return_log
from tests.conftest import count_queries, make_household, make_log, make_member, sign_in
from tests.helplogs.conftest import base_input, post_data
from tests.reviews.conftest import HTMX, fresh


def test_queue_page_and_fragment(client, world):
    make_log(world["outsider"], world["team_b"], world["household_b"], note="not mine")
    sign_in(client, world["leader"])
    page = client.get("/review").get_data(as_text=True)
    assert "<html" in page and "Nguyễn Văn Đức" in page and "Trần Thị Lan" not in page
    assert f'value="{world["log_a"].id}:1"' in page
    fragment = client.get("/review", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert 'id="review-queue"' in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]


def test_queue_is_oldest_first_and_filters(client, world, services, db):
    other_household = make_household(world["village_a1"], "Lê Văn Tám")
    newer = make_log(world["leader"], world["team_a"], other_household)
    newer.services = [services["ATTT"]]
    db.session.commit()
    sign_in(client, world["leader"])
    html = client.get("/review").get_data(as_text=True)
    assert html.index("Nguyễn Văn Đức") < html.index("Lê Văn Tám")
    by_author = client.get(f"/review?author={world['leader'].id}", headers=HTMX).get_data(as_text=True)
    assert "Lê Văn Tám" in by_author and f'review-{world["log_a"].id}"' not in by_author
    by_service = client.get(f"/review?service={services['ATTT'].id}", headers=HTMX).get_data(as_text=True)
    assert f'review-{newer.id}"' in by_service and f'review-{world["log_a"].id}"' not in by_service
    by_village = client.get(f"/review?village={world['village_a2'].id}", headers=HTMX).get_data(as_text=True)
    assert "review-row" not in by_village


def test_approve_in_place_and_without_javascript(client, world, db):
    log = world["log_a"]
    sign_in(client, world["leader"])
    response = client.post(f"/review/{log.id}/approve", data={"version": "1"}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and f'id="review-{log.id}"' in html
    assert "status-approved" in html and response.headers["HX-Trigger"] == "nav-counts-changed"
    second = make_log(world["volunteer"], world["team_a"], world["household_a"])
    response = client.post(f"/review/{second.id}/approve?village={world['village_a1'].id}", data={"version": "1"})
    assert response.status_code == 303 and f"village={world['village_a1'].id}" in response.headers["Location"]
    assert fresh(db, second).status == LogStatus.APPROVED


def test_return_in_place_then_second_return_without_comment_is_400(client, world, db, services):
    log = world["log_a"]
    sign_in(client, world["leader"])
    response = client.post(f"/review/{log.id}/return", data={"version": "1", "reason": "missing_details"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "status-returned" in response.get_data(as_text=True)
    log = fresh(db, log)
    data = base_input(world, services, service_ids=[services["VNEID"].id])
    edit_log(world["volunteer"], log, data, version=log.version)
    version = fresh(db, log).version
    response = client.post(f"/review/{log.id}/return", data={"version": str(version), "reason": "other"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 400 and "field-error" in response.get_data(as_text=True)
    assert fresh(db, log).status == LogStatus.SUBMITTED
    no_js = client.post(f"/review/{log.id}/return", data={"version": str(version), "reason": "bogus"})
    assert no_js.status_code == 400 and "<html" in no_js.get_data(as_text=True)


def test_another_teams_log_is_404(client, world, db):
    other = make_log(world["outsider"], world["team_b"], world["household_b"])
    sign_in(client, world["leader"])
    assert client.post(f"/review/{other.id}/approve", data={"version": "1"}).status_code == 404
    assert client.post(f"/review/{other.id}/return", data={"version": "1", "reason": "other",
                                                           "comment": "x"}).status_code == 404
    assert fresh(db, other).status == LogStatus.SUBMITTED


def test_volunteer_may_not_review(client, world):
    sign_in(client, world["volunteer"])
    assert client.post(f"/review/{world['log_a'].id}/approve", data={"version": "1"}).status_code == 403


def test_bulk_route_reports_the_stale_log_by_name(client, world, db):
    second_household = make_household(world["village_a1"], "Phan Thị Hoa")
    stale = make_log(world["volunteer"], world["team_a"], second_household)
    approve_log(world["leader"], stale, version=1)
    sign_in(client, world["leader"])
    response = client.post("/review/approve", data={"log": [f"{world['log_a'].id}:1", f"{stale.id}:1", "junk"]},
                           headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and "Phan Thị Hoa" in html
    assert fresh(db, world["log_a"]).status == LogStatus.APPROVED
    no_js = client.post("/review/approve", data={"log": [f"{stale.id}:1"]})
    assert no_js.status_code == 303
    assert "Phan Thị Hoa" in client.get("/review").get_data(as_text=True)


def test_two_leaders_on_one_log_the_second_gets_409(app, world, db):
    second_leader = make_member(world["team_a"], "leader2", world["leader"].role, leader=True)
    first, second = app.test_client(), app.test_client()
    sign_in(first, world["leader"])
    sign_in(second, second_leader)
    log = world["log_a"]
    assert first.post(f"/review/{log.id}/approve", data={"version": "1"},
                      headers={"HX-Request": "true"}).status_code == 200
    response = second.post(f"/review/{log.id}/return", data={"version": "1", "reason": "duplicate", "comment": "x"},
                           headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and 'class="warning changed"' in html and "status-approved" in html
    log = fresh(db, log)
    assert log.status == LogStatus.APPROVED and log.version == 2 and log.reviewed_by_id == world["leader"].id


def test_volunteer_editing_while_the_leader_approves_gets_409(app, world, db, services):
    volunteer, leader = app.test_client(), app.test_client()
    sign_in(volunteer, world["volunteer"])
    sign_in(leader, world["leader"])
    log = world["log_a"]
    form = volunteer.get(f"/logs/{log.id}/edit").get_data(as_text=True)
    seen = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    assert leader.post(f"/review/{log.id}/approve", data={"version": seen}).status_code == 303
    response = volunteer.post(f"/logs/{log.id}/edit", headers={"HX-Request": "true"}, data=post_data(
        world, services, log.client_uuid, version=seen, service_ids=[services["DVC"].id], outcome="partly",
        people_count="2"))
    assert response.status_code == 409 and 'id="log-form"' in response.get_data(as_text=True)
    log = fresh(db, log)
    assert log.status == LogStatus.APPROVED and log.outcome == "done" and [s.code for s in log.services] == ["VNEID"]


def test_history_on_the_log_page(client, world, db, services):
    log = world["log_a"]
    return_log(world["leader"], log, version=1, reason="wrong_service", comment="Chọn DVC")
    edit_log(world["volunteer"], fresh(db, log), base_input(world, services, service_ids=[services["DVC"].id]),
             version=2)
    approve_log(world["leader"], fresh(db, log), version=3)
    fresh_log, _ = submit_log(world["volunteer"], str(uuid.uuid4()),
                              base_input(world, services, service_ids=[services["DVC"].id]))
    sign_in(client, world["volunteer"])
    with count_queries() as long_history:
        html = client.get(f"/logs/{log.id}").get_data(as_text=True)
    assert "Chọn DVC" in html and html.index("Chọn DVC") < html.index('class="event-approved"')
    assert 'class="event-resubmitted"' in html and 'class="event-returned"' in html
    with count_queries() as short_history:
        assert client.get(f"/logs/{fresh_log.id}").status_code == 200
    assert long_history() == short_history()


def test_nav_counts_on_page_load_and_fragment(client, world, db):
    sign_in(client, world["leader"])
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'id="nav-badge-reviews-index"\s*>1<', html)
    return_log(world["leader"], world["log_a"], version=1, reason="other", comment="")
    sign_in(client, world["volunteer"])
    fragment = client.get("/nav/counts", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and 'hx-swap-oob="true"' in fragment
    assert re.search(r'id="nav-badge-home-index" hx-swap-oob="true"\s*>1<', fragment)
    with count_queries() as n:
        assert client.get("/nav/counts", headers={"HX-Request": "true"}).status_code == 200
    assert n() <= 4  # the user, the count(s)


@pytest.mark.parametrize("role", ["leader", "admin"])
def test_queue_runs_a_bounded_number_of_queries(client, world, db, role):
    sign_in(client, world[role])
    for _ in range(4):
        make_log(world["volunteer"], world["team_a"], world["household_a"])
    with count_queries() as few:
        assert client.get("/review").status_code == 200
    for _ in range(45):
        make_log(world["volunteer"], world["team_a"], world["household_a"])
    with count_queries() as many:
        assert client.get("/review").status_code == 200
    assert many() == few()
