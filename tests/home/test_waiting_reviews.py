"""The leader's Today says how many logs wait for their review, with a link, before the log
button; nobody else sees the line."""

from app.reviews.services import approve_log
from tests.conftest import html_of, make_log, sign_in


def test_leader_sees_what_waits_before_the_log_button(client, world):
    make_log(world["volunteer"], world["team_a"], world["household_a"])
    make_log(world["outsider"], world["team_b"], world["household_b"])  # not their team
    sign_in(client, world["leader"])
    html = html_of(client, "/")
    line = '<p class="waiting-reviews"><a href="/review">2 lượt chờ bạn duyệt ›</a></p>'
    assert line in html and html.index(line) < html.index('href="/logs/new"')
    assert '<a href="/review">2 logs waiting for your review ›</a>' in html_of(client, "/?lang=en")


def test_no_line_when_nothing_waits_or_for_a_volunteer(client, db, world):
    approve_log(world["leader"], world["log_a"], version=1)
    sign_in(client, world["leader"])
    assert "waiting-reviews" not in html_of(client, "/")
    make_log(world["volunteer"], world["team_a"], world["household_a"])
    sign_in(client, world["volunteer"])
    assert "waiting-reviews" not in html_of(client, "/")
