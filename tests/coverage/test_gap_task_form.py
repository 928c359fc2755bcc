"""The new-task form honours the query a coverage gap links with: the village, the kinds of help
and "households not yet reached" come preselected; anything else in the query is ignored."""

import re

from tests.conftest import make_services, sign_in


def checked(html: str, name: str, value) -> bool:
    for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', html):
        if f'value="{value}"' in tag:
            return "checked" in tag
    raise AssertionError(f"no {name}={value} input")


def test_the_form_is_prefilled_from_the_link(client, world):
    services = make_services()
    vneid, dvc = services["VNEID"].id, services["DVC"].id
    sign_in(client, world["leader"])
    html = client.get(f"/tasks/new?team={world['team_a'].id}&village={world['village_a1'].id}"
                      f"&service={vneid}&service={dvc}&choose=unreached").get_data(as_text=True)
    assert f'<option selected value="{world["village_a1"].id}">' in html
    assert checked(html, "service_ids", vneid) and checked(html, "service_ids", dvc)
    assert not checked(html, "service_ids", services["ATTT"].id)
    assert checked(html, "choose", "unreached") and not checked(html, "choose", "village")


def test_odd_values_in_the_link_are_ignored(client, world):
    services = make_services()
    sign_in(client, world["leader"])
    response = client.get("/tasks/new?service=abc&service=999999&choose=everyone")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert checked(html, "choose", "village")  # the default
    assert not any(checked(html, "service_ids", s.id) for s in services.values())
