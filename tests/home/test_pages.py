"""Each role's home page, the navigation that fits the role, and bounded SQL on the home page."""

import pytest

from tests.conftest import count_queries, grow_commune_a, html_of, make_user, sign_in


def test_volunteer_home_lists_teams_and_villages(client, world):
    sign_in(client, world["volunteer"])
    html = html_of(client, "/")
    assert "Tổ 1" in html
    assert "Thôn 1" in html and "Xã Thạch Sơn" in html  # the former commune tells villages apart
    assert "Tổ Can Lộc" not in html
    assert "1 hộ" in html


def test_leader_home_shows_the_leader_tag_and_members(client, world):
    sign_in(client, world["leader"])
    html = html_of(client, "/?lang=en")
    assert "Leader" in html
    assert "Members" in html and "Volunteer" in html


def test_staff_home_is_the_coverage_of_their_area(client, world):
    sign_in(client, world["staff_b"])
    response = client.get("/")
    assert response.status_code == 303 and response.headers["Location"] == "/coverage"
    html = html_of(client, "/coverage?lang=en")
    assert "<h1>Xã Can Lộc</h1>" in html
    assert "Households reached" in html
    assert "Recent activity" not in html


def test_admin_home_shows_recent_activity(client, world):
    sign_in(client, world["admin"])
    html = html_of(client, "/?lang=en")
    assert "Recent activity" in html
    assert "active accounts" in html


def test_volunteer_without_team_is_told_what_to_do(client, world):
    sign_in(client, make_user("newcomer"))
    assert "Bạn chưa thuộc tổ nào" in html_of(client, "/")


def test_navigation_fits_the_role(client, world):
    sign_in(client, world["volunteer"])
    html = html_of(client, "/?lang=en")
    assert "My villages" in html
    sign_in(client, world["staff"])
    html = html_of(client, "/coverage?lang=en")
    assert f'href="/areas/{world["province"].id}"' in html and ">Areas<" in html
    assert '<a href="/coverage" aria-current="page">Coverage</a>' in html and ">Home<" not in html


@pytest.mark.parametrize("username", ["volunteer", "leader", "admin"])  # staff start on coverage (tests/coverage)
def test_home_runs_a_bounded_number_of_queries(client, world, username):
    sign_in(client, world[username])
    with count_queries() as small:
        html_of(client, "/")
    grow_commune_a(world, 5)
    with count_queries() as large:
        html_of(client, "/")
    assert large() == small()
    assert small() <= 19  # with the navigation badges' COUNTs and the tasks (rows, services, progress)
