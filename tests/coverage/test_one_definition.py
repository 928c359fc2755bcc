"""One definition of "reached": the coverage page, the team statistics page and the area pages
show the same households reached, visits and people helped for the same village and commune,
because they read the same summaries through the same query."""

from contextlib import contextmanager
from datetime import date

import pytest
from flask import template_rendered

from app.core.db import local_today
from app.coverage import summaries
from app.extensions import db
from app.helplogs.models import LogStatus
from tests.conftest import make_household, sign_in
from tests.coverage.small_world import log


@contextmanager
def rendered(app):
    """The context of each template rendered inside the block, by template name."""
    found = {}

    def record(sender, template, context, **extra):
        found.setdefault(template.name, context)

    template_rendered.connect(record, app)
    try:
        yield found
    finally:
        template_rendered.disconnect(record, app)


def page_context(client, app, path, template):
    with rendered(app) as found:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return found[template]


@pytest.fixture()
def reached_world(world, services):
    """Village a1 (team A): three households reached, one of them only last year; four approved
    visits this year (one a group session of ten), and a log still waiting. Village a2 (team A
    too): one household reached this year by another team. Village b1 (commune B): nothing."""
    w = dict(world)
    this_year = local_today().replace(month=1, day=1)
    a1, a2 = w["village_a1"], w["village_a2"]
    w["team_a"].villages.append(a2)
    a1.declared_households = 40
    h1, h2, h3 = w["household_a"], make_household(a1, "Lê Thị Hai"), make_household(a1, "Phạm Văn Ba")
    h4 = make_household(a2, "Hoàng Thị Bốn")
    make_household(a2, "Vũ Văn Năm")
    vneid, dvc, qr = services["VNEID"], services["DVC"], services["QR"]
    log(w["volunteer"], w["team_a"], a1, h1, [vneid], this_year, 2)
    log(w["leader"], w["team_a"], a1, h1, [dvc], this_year, 1)
    log(w["volunteer"], w["team_a"], a1, h2, [vneid, qr], this_year, 3)
    log(w["volunteer"], w["team_a"], a1, None, [vneid], this_year, 10)
    log(w["volunteer"], w["team_a"], a1, h3, [dvc], date(this_year.year - 1, 6, 1), 4)
    log(w["volunteer"], w["team_a"], a1, h3, [qr], this_year, 5, status=LogStatus.SUBMITTED)
    log(w["outsider"], w["team_b"], a2, h4, [qr], this_year, 2)
    db.session.commit()
    summaries.rebuild()
    db.session.commit()
    return w


EXPECTED = {  # village: (households reached, visits this year, people helped this year)
    "village_a1": (3, 4, 16),
    "village_a2": (1, 1, 2),
}


@pytest.mark.parametrize("username", ["leader", "admin"])
def test_a_village_reads_the_same_on_the_three_pages(client, app, reached_world, username):
    w = reached_world
    sign_in(client, w[username])
    dashboard = page_context(client, app, f"/coverage/{w['commune_a'].id}?period=year", "coverage/show.html")
    stats = page_context(client, app, f"/teams/{w['team_a'].id}/stats", "teams/stats.html")
    area = page_context(client, app, f"/areas/{w['commune_a'].id}", "areas/show.html")

    for key, expected in EXPECTED.items():
        village = w[key]
        row = next(r for r in dashboard["rows"] if r.area.id == village.id)
        reach = next(r for r in stats["villages"] if r.village.id == village.id)
        listed = area["coverage_rows"][village.id]
        assert (row.reached, row.visits, row.people) == expected, key
        assert (reach.reached, reach.visits, reach.people) == expected, key
        assert (listed.reached, listed.visits, listed.people) == expected, key
        assert row.households == reach.total == listed.households
    assert stats["villages"][0].by_service  # the kinds of help come from the same summaries


def test_a_commune_reads_the_same_on_the_dashboard_and_the_area_pages(client, app, reached_world):
    w = reached_world
    sign_in(client, w["staff"])
    province = page_context(client, app, f"/coverage/{w['province'].id}?period=year", "coverage/show.html")
    commune_page = page_context(client, app, f"/areas/{w['commune_a'].id}", "areas/show.html")
    province_page = page_context(client, app, f"/areas/{w['province'].id}", "areas/show.html")

    row = next(r for r in province["rows"] if r.area.id == w["commune_a"].id)
    own = commune_page["coverage"]
    listed = province_page["coverage_rows"][w["commune_a"].id]
    assert (row.reached, row.visits, row.people) == (4, 5, 18)
    assert (own.reached, own.visits, own.people) == (4, 5, 18)
    assert (listed.reached, listed.visits, listed.people) == (4, 5, 18)
    village_page = page_context(client, app, f"/areas/{w['village_a1'].id}", "areas/show.html")
    assert (village_page["coverage"].reached, village_page["coverage"].visits) == (3, 4)


def test_the_area_page_prints_the_figures_and_links_the_coverage_page(client, reached_world):
    w = reached_world
    sign_in(client, w["staff"])
    html = client.get(f"/areas/{w['commune_a'].id}").get_data(as_text=True)
    assert "3 / 40 hộ đã được hỗ trợ" in html and "4 lượt" in html and "16 người được hỗ trợ" in html
    assert f'href="/coverage/{w["commune_a"].id}?period=year"' in html
    english = client.get(f"/areas/{w['commune_a'].id}?lang=en").get_data(as_text=True)
    assert "3 / 40 reached" in english and "4 visits" in english and "16 people helped" in english


def test_a_volunteer_sees_no_coverage_on_the_area_page(client, app, reached_world):
    sign_in(client, reached_world["volunteer"])
    page = page_context(client, app, f"/areas/{reached_world['village_a1'].id}", "areas/show.html")
    assert page["coverage"] is None and page["coverage_rows"] == {}
