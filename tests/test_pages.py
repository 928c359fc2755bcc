"""Home pages by role, the area page, the render helper and bounded SQL per page."""

import pytest

from app.areas.models import AreaKind
from app.core.rendering import render
from tests.conftest import count_queries, make_area, make_household, make_team, make_user, sign_in


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_volunteer_home_lists_teams_and_villages(client, world):
    sign_in(client, world["volunteer"])
    html = page(client, "/")
    assert "Tổ 1" in html
    assert "Thôn 1" in html and "Xã Thạch Sơn" in html  # the former commune tells villages apart
    assert "Tổ Can Lộc" not in html
    assert "1 hộ" in html


def test_leader_home_shows_the_leader_tag_and_members(client, world):
    sign_in(client, world["leader"])
    html = page(client, "/?lang=en")
    assert "Leader" in html
    assert "Members" in html and "Volunteer" in html


def test_staff_home_is_the_coverage_of_their_area(client, world):
    sign_in(client, world["staff_b"])
    response = client.get("/")
    assert response.status_code == 303 and response.headers["Location"] == "/coverage"
    html = page(client, "/coverage?lang=en")
    assert "<h1>Xã Can Lộc</h1>" in html
    assert "Households reached" in html
    assert "Recent activity" not in html


def test_admin_home_shows_recent_activity(client, world):
    sign_in(client, world["admin"])
    html = page(client, "/?lang=en")
    assert "Recent activity" in html
    assert "active accounts" in html


def test_volunteer_without_team_is_told_what_to_do(client, world):
    sign_in(client, make_user("newcomer"))
    assert "Bạn chưa thuộc tổ nào" in page(client, "/")


def test_navigation_fits_the_role(client, world):
    sign_in(client, world["volunteer"])
    html = page(client, "/?lang=en")
    assert "My villages" in html
    sign_in(client, world["staff"])
    html = page(client, "/coverage?lang=en")
    assert f'href="/areas/{world["province"].id}"' in html and ">Areas<" in html
    assert '<a href="/coverage" aria-current="page">Coverage</a>' in html and ">Home<" not in html


def test_commune_page_tells_two_thon_1_apart_and_lists_teams(client, world):
    sign_in(client, world["admin"])
    html = page(client, f"/areas/{world['commune_a'].id}")
    assert html.count("Thôn 1") == 2
    assert "Xã Thạch Sơn" in html and "Xã Thạch Long" in html
    assert "Tổ 1" in html


def test_commune_page_for_a_volunteer_lists_only_their_villages(client, world):
    sign_in(client, world["volunteer"])
    html = page(client, f"/areas/{world['commune_a'].id}")
    assert "Xã Thạch Sơn" in html
    assert "Xã Thạch Long" not in html


def test_village_page_shows_registered_beside_declared(client, world, db):
    world["village_a1"].declared_households = 240
    db.session.commit()
    sign_in(client, world["volunteer"])
    html = page(client, f"/areas/{world['village_a1'].id}")
    assert "240" in html and "hộ theo số liệu của xã" in html


def test_no_data_shows_a_dash_not_zero(client, world):
    sign_in(client, world["admin"])
    assert "—" in page(client, f"/areas/{world['village_a2'].id}")


def grow(world, n):
    """More villages, households and teams in commune A."""
    for i in range(n):
        village = make_area(AreaKind.VILLAGE, f"Thôn {i + 10}", world["commune_a"])
        make_household(village, f"Hộ {i}")
        make_team(world["commune_a"], [village], members=[world["volunteer"]], leaders=[world["leader"]],
                  name=f"Tổ {i + 10}")


@pytest.mark.parametrize("username", ["volunteer", "leader", "admin"])  # staff start on coverage (tests/coverage)
def test_home_runs_a_bounded_number_of_queries(client, world, username):
    sign_in(client, world[username])
    with count_queries() as small:
        page(client, "/")
    grow(world, 5)
    with count_queries() as large:
        page(client, "/")
    assert large() == small()
    assert small() <= 19  # with the navigation badges' COUNTs and the tasks (rows, services, progress)


@pytest.mark.parametrize("area_key", ["province", "commune_a"])
def test_area_page_runs_a_bounded_number_of_queries(client, world, area_key):
    sign_in(client, world["admin"])
    path = f"/areas/{world[area_key].id}"
    with count_queries() as small:
        page(client, path)
    grow(world, 5)
    with count_queries() as large:
        page(client, path)
    assert large() == small()


def test_render_gives_the_page_or_the_fragment_and_varies_on_hx_request(app, tmp_path):
    app.jinja_loader.searchpath.append(str(tmp_path))
    (tmp_path / "_frag.html").write_text("<p>fragment</p>")
    (tmp_path / "page.html").write_text("<html>{% include '_frag.html' %}</html>")
    with app.test_request_context("/"):
        full = render("page.html", "_frag.html")
        assert full.get_data(as_text=True) == "<html><p>fragment</p></html>"
        assert "HX-Request" in full.headers["Vary"]
    with app.test_request_context("/", headers={"HX-Request": "true"}):
        assert render("page.html", "_frag.html").get_data(as_text=True) == "<p>fragment</p>"
    with app.test_request_context("/", headers={"HX-Request": "true", "HX-Boosted": "true"}):
        assert "<html>" in render("page.html", "_frag.html").get_data(as_text=True)
    with app.test_request_context("/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}):
        assert "<html>" in render("page.html", "_frag.html").get_data(as_text=True)
    app.jinja_loader.searchpath.remove(str(tmp_path))


def test_base_template_sends_csrf_header_for_htmx_and_loads_vendored_htmx(client, world):
    sign_in(client, world["volunteer"])
    html = page(client, "/")
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert "/static/vendor/htmx-2.0.11.min.js" in html
    assert "http://" not in html and "https://" not in html  # nothing from a CDN
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200


