"""The log form in few taps: the volunteer's usual kinds of help first, the rest behind
"More…", the household list folding to the chosen one, Save in a bar that stays on screen."""

import re

from app.helplogs.models import HelpLog
from app.helplogs.queries import FAVOURITES, favourite_service_ids
from tests.conftest import make_log, sign_in
from tests.helplogs.conftest import form_of, post_data


def usual_and_more(html: str) -> tuple[list[str], list[str]]:
    """The service ids of the tiles before the "More…" disclosure, and inside it."""
    tiles = html[html.index('class="tiles"'):html.index("</fieldset>", html.index('class="tiles"'))]
    usual, _, more = tiles.partition('class="more-services"')
    pick = re.compile(r'name="service_ids" type="checkbox" value="(\d+)"')
    return pick.findall(usual), pick.findall(more)


def log_with(world, *services, **fields) -> HelpLog:
    log = make_log(world["volunteer"], world["team_a"], world["household_a"], **fields)
    log.services = list(services)
    return log


def test_favourites_are_the_most_logged_services_first(db, world, services):
    for _ in range(3):
        log_with(world, services["CKS"], services["KHAC"])
    log_with(world, services["KHAC"])
    log_with(world, services["ATTT"])
    db.session.commit()
    favourites = favourite_service_ids(world["volunteer"])
    assert favourites[:2] == [services["KHAC"].id, services["CKS"].id]
    # ATTT and VNEID (world's own log) once each: ties in the catalogue's order.
    assert favourites[2:4] == [services["VNEID"].id, services["ATTT"].id]
    assert favourite_service_ids(world["leader"]) == []


def test_an_inactive_service_is_no_favourite(db, world, services):
    log_with(world, services["CKS"])
    services["CKS"].is_active = False
    db.session.commit()
    assert services["CKS"].id not in favourite_service_ids(world["volunteer"])


def test_form_shows_usual_services_first_and_the_rest_behind_more(client, db, world, services):
    for _ in range(2):
        log_with(world, services["PAHT"], services["CKS"])
    db.session.commit()
    sign_in(client, world["volunteer"])
    html, _ = form_of(client)
    usual, more = usual_and_more(html)
    assert len(usual) == FAVOURITES and usual[:3] == [str(services[c].id) for c in ("CKS", "PAHT", "VNEID")]
    assert len(usual) + len(more) == len(services) and not set(usual) & set(more)
    assert "Thêm…" in html and '<details class="more-services" >' in html  # folded: nothing chosen there
    assert 'class="action-bar"' in html and "interactive-widget=resizes-content" in html


def test_a_volunteer_without_logs_gets_the_catalogue_order(client, db, world, services):
    db.session.delete(world["log_a"])
    db.session.commit()
    sign_in(client, world["volunteer"])
    usual, _ = usual_and_more(form_of(client)[0])
    assert usual == [str(services[c].id) for c in ("VNEID", "DVC", "TTKDTM", "QR", "TMDT")]


def test_a_chosen_service_among_the_rest_keeps_the_disclosure_open(client, db, world, services):
    sign_in(client, world["volunteer"])
    _, key = form_of(client)
    # A failed save (no household) comes back with the choice shown, page and htmx fragment alike.
    data = post_data(world, services, key, household_id="", service_ids=[services["KHAC"].id])
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post("/logs/new", data=data, headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and ("<html" in html) == (not headers)
        assert '<details class="more-services" open>' in html
        assert str(services["KHAC"].id) in usual_and_more(html)[1]
        assert "Chọn hộ" in html


def test_the_fix_form_groups_the_services_too(client, db, world, services):
    log = log_with(world, services["PAHT"])
    db.session.commit()
    sign_in(client, world["volunteer"])
    for headers in ({}, {"HX-Request": "true"}):
        html = client.get(f"/logs/{log.id}/edit", headers=headers).get_data(as_text=True)
        usual, more = usual_and_more(html)
        assert str(services["PAHT"].id) in usual and more and 'class="action-bar"' in html


def test_household_options_offer_to_choose_another(client, world, services):
    sign_in(client, world["volunteer"])
    village, household = world["village_a1"], world["household_a"]
    html = client.get(f"/logs/households?village_id={village.id}&q=duc&household_id={household.id}",
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in html
    assert re.search(r'class="option change-household">\s*<input type="radio" name="household_id" value="">', html)
    assert f'value="{household.id}" checked' in html
    assert "Chọn hộ khác" in html
