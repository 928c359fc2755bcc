"""The team's members' figures read cleanly at 390 px: every figure carries its own label (the
phone layout shows it above the number), the week and month say where they start, and on the
first days of a month a line says why this week can count more than this month."""

import re
from datetime import date

from flask import render_template
from flask_login import login_user

from app.coverage.teams import team_stats_page
from tests.conftest import new_session_id, sign_in


def stats_html(app, world, today: date) -> str:
    new_session_id(world["leader"])
    with app.test_request_context("/"):
        login_user(world["leader"])
        return render_template("teams/stats.html", team=world["team_a"],
                               **team_stats_page(world["leader"], world["team_a"], today=today))


def test_every_figure_carries_its_label(client, world):
    sign_in(client, world["leader"])
    html = client.get(f"/teams/{world['team_a'].id}/stats").get_data(as_text=True)
    row = re.search(rf'<tr id="member-{world["volunteer"].id}">.*?</tr>', html, re.S).group(0)
    labels = re.findall(r'<td class="(\w+)" data-label="([^"]+)"', row)
    assert labels == [("week", "Tuần này"), ("month", "Tháng này"), ("share", "Đã duyệt"),
                      ("returned", "Bị trả lại"), ("pending", "Chờ duyệt")]
    assert 'class="stats member-stats"' in html


def test_week_and_month_say_where_they_start(app, db, world):
    html = stats_html(app, world, date(2026, 11, 18))
    assert '<th scope="col" class="week">Tuần này<span class="since">từ 16/11</span></th>' in html
    assert '<th scope="col" class="month">Tháng này<span class="since">từ 01/11</span></th>' in html
    assert "Tuần này bắt đầu từ tháng trước" not in html


def test_on_the_first_of_a_month_the_week_is_explained(app, db, world):
    html = stats_html(app, world, date(2026, 12, 1))  # a Tuesday: the week began on Monday 30 November
    assert '<span class="since">từ 30/11</span>' in html and '<span class="since">từ 01/12</span>' in html
    assert "Tuần này bắt đầu từ tháng trước nên có thể nhiều hơn tháng này." in html
