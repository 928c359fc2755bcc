"""The review queue on a phone: the filters folded into one "Lọc" line that names the filters
in use (kept in step under htmx), and each row's outcome and people count."""

from app.helplogs.models import Outcome
from tests.conftest import make_household, make_log, sign_in
from tests.reviews.conftest import HTMX


def test_filters_fold_into_one_line_naming_the_chosen(client, world, services):
    sign_in(client, world["leader"])
    html = client.get("/review").get_data(as_text=True)
    assert '<details class="filter-fold">' in html and '<span class="filter-label">Lọc</span>' in html
    assert html.count('id="filter-chosen"') == 1 and 'class="filter-chosen" ></span>' in html
    assert "hx-swap-oob" not in html.split('id="review-queue"')[1].split("</section>")[0]
    chosen = client.get(f"/review?author={world['volunteer'].id}&service={services['VNEID'].id}").get_data(as_text=True)
    assert chosen.count('id="filter-chosen"') == 1
    assert f"{world['volunteer'].full_name} · Định danh điện tử VNeID</span>" in chosen


def test_queue_fragment_sends_the_chosen_filters_out_of_band(client, world):
    sign_in(client, world["leader"])
    html = client.get(f"/review?village={world['village_a1'].id}", headers=HTMX).get_data(as_text=True)
    assert "<html" not in html and 'id="review-queue"' in html
    assert f'class="filter-chosen" hx-swap-oob="true">{world["village_a1"].label}</span>' in html


def test_each_row_shows_outcome_and_people(client, db, world):
    household = make_household(world["village_a1"], "Lê Thị Mai")
    make_log(world["volunteer"], world["team_a"], household, outcome=Outcome.FOLLOW_UP, people_count=3)
    make_log(world["volunteer"], world["team_a"], None, people_count=25)
    sign_in(client, world["leader"])
    for headers in ({}, HTMX):
        html = client.get("/review", headers=headers).get_data(as_text=True)
        assert '<span class="outcome-done">Đã xong</span> · 1 người' in html
        assert '<span class="outcome-follow_up">Cần hỗ trợ tiếp</span> · 3 người' in html
        assert "Buổi hướng dẫn tập trung · 25 người" in html and '<span class="outcome-done">Đã xong</span></p>' in html
