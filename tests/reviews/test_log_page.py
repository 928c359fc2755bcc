"""Leaders act where they read: Approve and Return on the log's own page, with the queue's
version checks, landing on the next waiting log; the queue's count after an action in place;
the 409 note naming who acted and what they did."""

import re
from datetime import timedelta

from app.core.db import utcnow
from app.helplogs.models import LogStatus
from app.helplogs.queries import QueueFilters, next_waiting
from app.reviews.services import approve_log
from tests.conftest import make_household, make_log, make_member, sign_in
from tests.reviews.conftest import HTMX, fresh


def waiting_logs(world, n: int):
    """``n`` more waiting logs after the world's own, each received a minute after the last."""
    logs = [world["log_a"]]
    for i in range(n):
        household = make_household(world["village_a1"], f"Hộ số {i}")
        logs.append(make_log(world["volunteer"], world["team_a"], household,
                             received_at=world["log_a"].received_at + timedelta(minutes=i + 1)))
    return logs


def test_next_waiting_follows_the_queue_order_and_starts_over(db, world):
    first, second, third = waiting_logs(world, 2)
    leader = world["leader"]
    assert next_waiting(leader, first) == second and next_waiting(leader, second) == third
    assert next_waiting(leader, third) == first  # from the oldest again
    approve_log(leader, second, version=1)
    assert next_waiting(leader, first) == third
    assert next_waiting(world["volunteer"], first) is None  # reviews nothing
    assert next_waiting(world["outsider"], first) is None


def another_authors_log(world, after):
    """A waiting log by another volunteer of the team, received just after ``after``."""
    author = make_member(world["team_a"], "tnv2", world["volunteer"].role, full_name="Lê Thị Hoa")
    household = make_household(world["village_a1"], "Hộ của Hoa")
    return make_log(author, world["team_a"], household, received_at=after.received_at + timedelta(seconds=30))


def test_next_waiting_stays_in_the_queues_filters(db, world):
    first, second, third = waiting_logs(world, 2)
    theirs = another_authors_log(world, first)
    leader, mine = world["leader"], QueueFilters(author_id=world["volunteer"].id)
    assert next_waiting(leader, first) == theirs  # the whole queue
    assert next_waiting(leader, first, mine) == second and next_waiting(leader, third, mine) == first
    assert next_waiting(leader, theirs, QueueFilters(author_id=theirs.author_id)) is None  # nothing else there
    assert next_waiting(leader, first, QueueFilters(village_id=world["village_b1"].id)) is None


def test_a_log_opened_from_a_filtered_queue_acts_and_moves_on_within_it(client, db, world):
    first, second = waiting_logs(world, 1)
    theirs = another_authors_log(world, first)
    mine = f"author={world['volunteer'].id}"
    sign_in(client, world["leader"])
    queue = client.get(f"/review?{mine}").get_data(as_text=True)
    assert f'href="/logs/{first.id}?{mine}"' in queue and f"/logs/{theirs.id}" not in queue
    html = client.get(f"/logs/{first.id}?{mine}").get_data(as_text=True)
    assert f'action="/review/{first.id}/approve?{mine}"' in html
    assert f'action="/review/{first.id}/return?{mine}"' in html
    assert f'href="/logs/{second.id}?{mine}"' in html  # next in this queue, not the other author's log
    response = client.post(f"/review/{first.id}/approve?{mine}", data={"version": "1", "where": "log"})
    assert response.status_code == 303 and response.headers["Location"] == f"/logs/{second.id}?{mine}"
    response = client.post(f"/review/{second.id}/return?{mine}", data={"version": "1", "where": "log",
                                                                      "reason": "duplicate"})
    assert response.status_code == 303 and response.headers["Location"] == f"/review?{mine}"  # none left there
    assert fresh(db, theirs).status == LogStatus.SUBMITTED
    html = client.get(f"/logs/{theirs.id}?author=x&village=99999999999").get_data(as_text=True)
    assert f'action="/review/{theirs.id}/approve"' in html  # what is not an id is no filter


def test_log_page_offers_approve_return_and_next_to_its_reviewer(client, world):
    first, second = waiting_logs(world, 1)
    sign_in(client, world["leader"])
    html = client.get(f"/logs/{first.id}").get_data(as_text=True)
    assert f'action="/review/{first.id}/approve"' in html and f'action="/review/{first.id}/return"' in html
    assert html.count('name="where" value="log"') == 2 and "hx-post" not in html.split("log-review")[1]
    assert f'href="/logs/{second.id}"' in html and "Lượt chờ duyệt tiếp theo" in html


def test_the_author_sees_no_review_actions(client, world):
    sign_in(client, world["volunteer"])
    html = client.get(f"/logs/{world['log_a'].id}").get_data(as_text=True)
    assert "/approve" not in html and "Lượt chờ duyệt tiếp theo" not in html


def test_an_approved_log_has_no_actions_but_still_the_next_one(client, db, world):
    first, second = waiting_logs(world, 1)
    approve_log(world["leader"], first, version=1)
    sign_in(client, world["leader"])
    html = client.get(f"/logs/{first.id}").get_data(as_text=True)
    assert "/approve" not in html and f'href="/logs/{second.id}"' in html


def test_approve_on_the_log_page_lands_on_the_next_waiting_log(client, db, world):
    first, second = waiting_logs(world, 1)
    sign_in(client, world["leader"])
    response = client.post(f"/review/{first.id}/approve", data={"version": "1", "where": "log"})
    assert response.status_code == 303 and response.headers["Location"] == f"/logs/{second.id}"
    assert fresh(db, first).status == LogStatus.APPROVED
    landed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã duyệt." in landed and f'action="/review/{second.id}/approve"' in landed
    # The last one: back to the (empty) queue.
    response = client.post(f"/review/{second.id}/return", data={"version": "1", "where": "log",
                                                               "reason": "duplicate"})
    assert response.status_code == 303 and response.headers["Location"] == "/review"
    assert fresh(db, second).status == LogStatus.RETURNED


def test_return_without_a_reason_on_the_log_page_is_400_with_the_form_open(client, db, world):
    log = world["log_a"]
    sign_in(client, world["leader"])
    response = client.post(f"/review/{log.id}/return", data={"version": "1", "where": "log", "comment": "xem lại"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "<html" in html and '<details class="return" open>' in html
    assert "xem lại" in html and fresh(db, log).status == LogStatus.SUBMITTED


def test_stale_on_the_log_page_is_409_naming_who_did_what(app, db, world):
    other = make_member(world["team_a"], "leader2", world["leader"].role, leader=True, full_name="Phạm Văn Bình")
    log = world["log_a"]
    approve_log(other, log, version=1)
    client = app.test_client()
    sign_in(client, world["leader"])
    response = client.post(f"/review/{log.id}/return", data={"version": "1", "where": "log", "reason": "duplicate"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "<html" in html
    assert re.search(r"Phạm Văn Bình đã duyệt lượt này lúc \d\d/\d\d/\d{4} \d\d:\d\d\.", html)
    assert "/approve" not in html and fresh(db, log).status == LogStatus.APPROVED


def test_stale_in_the_queue_names_who_did_what_and_updates_the_count(app, db, world):
    first, second, third = waiting_logs(world, 2)
    other = make_member(world["team_a"], "leader2", world["leader"].role, leader=True, full_name="Phạm Văn Bình")
    client = app.test_client()
    sign_in(client, world["leader"])
    queue = client.get("/review").get_data(as_text=True)
    assert 'id="waiting-count"' in queue and "3 lượt đang chờ duyệt" in queue

    response = client.post(f"/review/{first.id}/approve", data={"version": "1"}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and f'id="review-{first.id}"' in html
    assert re.search(r'<p id="waiting-count" class="muted" hx-swap-oob="true">2 lượt đang chờ duyệt', html)

    approve_log(other, second, version=1)
    response = client.post(f"/review/{second.id}/return", data={"version": "1", "reason": "duplicate"}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Phạm Văn Bình đã duyệt lượt này lúc" in html
    assert re.search(r'hx-swap-oob="true">1 lượt đang chờ duyệt', html)


def test_the_volunteers_409_names_the_leader(app, db, world, services):
    from tests.helplogs.conftest import post_data

    log = world["log_a"]
    client = app.test_client()
    sign_in(client, world["volunteer"])
    client.get(f"/logs/{log.id}/edit")
    approve_log(world["leader"], log, version=1)
    log.reviewed_at = utcnow()
    for headers in ({}, HTMX):
        response = client.post(f"/logs/{log.id}/edit", headers=headers, data=post_data(
            world, services, log.client_uuid, version="1"))
        html = response.get_data(as_text=True)
        assert response.status_code == 409 and ("<html" in html) == (not headers)
        assert f"{world['leader'].full_name} đã duyệt lượt này lúc" in html
