"""The leak probe (issue 9): every route that takes an id, as each role that may call it, pointed
at another team's objects and at another commune's, answers with none of their personal values
(names, phones in any printed form, notes) and never with a 5xx; and a write aimed at objects
outside the role's scope changes nothing.

The routes, roles and fields are generated (see ``leak_probes``), so a new route is probed as
soon as it exists. Pages that take no id are read by each role too: a list or a dashboard can
leak as well as a page about one object.
"""

import html
import io
import zipfile

import pytest

from app import create_app
from app.core.text import mask_phone
from tests.conftest import sign_in
from tests.leak_probes import (
    PATH_KINDS,
    Request,
    may_call,
    probed_targets,
    requests_for,
    routes,
    scenarios,
    unknown_path_arguments,
)
from tests.leak_world import (
    OUT_OF_SCOPE,
    ROLES,
    TARGETS,
    build,
    phone_forms,
    snapshot,
)
from tests.request_fields import endpoint_fields, spec

APP = create_app("test")  # only its URL map is read, at collection
ROUTES = routes(APP)
TARGETED = [(route, role) for route in ROUTES if probed_targets(route) for role in ROLES
            if may_call(role, route.endpoint)]
PAGES = [(route, role) for route in ROUTES if route.method == "GET" and not probed_targets(route)
         for role in ROLES if may_call(role, route.endpoint)]
PROBE_COUNT = len(TARGETED) * len(TARGETS)  # (route, role, object) probes


@pytest.fixture()
def leak_world(world):
    return build(world)


def leaks_in(text: str, forbidden: dict[str, str]) -> list[str]:
    return sorted({what for value, what in forbidden.items() if value in text})


def _body_text(response) -> str:
    """The body as text; for a workbook (a zip of XML parts), the text of every part."""
    body = response.get_data()
    if body.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(body)) as workbook:
            return "\n".join(html.unescape(workbook.read(name).decode()) for name in workbook.namelist())
    return body.decode()


def _answer_text(client, response) -> str:
    """The body, where it points the browser, and what it flashed for the next page."""
    parts = [_body_text(response)]
    parts += [response.headers.get(h, "") for h in ("Location", "HX-Redirect", "HX-Push-Url", "HX-Trigger")]
    if response.status_code in (204, 301, 302, 303):
        with client.session_transaction() as session:
            parts += [str(message) for _, message in session.pop("_flashes", [])]
    return "\n".join(parts)


def _send(client, request: Request, forbidden: dict[str, str]) -> list[str]:
    try:
        response = request.send(client)
    except Exception as error:  # TESTING propagates it; in production it is a 500
        return [f"{request}: raised {type(error).__name__}: {str(error)[:200]}"]
    problems = []
    if response.status_code >= 500:
        problems.append(f"{request}: answered {response.status_code}")
    leaked = leaks_in(_answer_text(client, response), forbidden)
    if leaked:
        problems.append(f"{request}: answered {response.status_code} showing {', '.join(leaked)}")
    return problems


def probe(client, w: dict, route, role: str, target: str) -> list[str]:
    user = w[ROLES[role]]
    sign_in(client, user)
    forbidden = w["forbidden"][role]
    all_targets = w["targets"]
    writes_checked = route.method == "POST" and target in OUT_OF_SCOPE[role]
    problems = []
    for scenario in scenarios(route):
        if scenario.setup:
            scenario.setup(w, all_targets[target], user)
        for request in requests_for(route, all_targets[target], all_targets["own"], scenario, w):
            before = snapshot(w, target) if writes_checked else None
            problems += _send(client, request, forbidden)
            if writes_checked and snapshot(w, target) != before:
                problems.append(f"{request}: changed {target}'s objects")
    return [f"[{role} → {target}] {p}" for p in problems]


@pytest.mark.parametrize("route,role", TARGETED, ids=[f"{r}-{role}" for r, role in TARGETED])
def test_no_leak_to_other_teams_and_communes(client, leak_world, route, role):
    problems = []
    for target in TARGETS:
        problems += probe(client, leak_world, route, role, target)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("route,role", PAGES, ids=[f"{r}-{role}" for r, role in PAGES])
def test_pages_without_ids_show_nothing_out_of_scope(client, leak_world, route, role):
    sign_in(client, leak_world[ROLES[role]])
    forbidden = leak_world["forbidden"][role]
    own = leak_world["targets"]["own"]
    problems = []
    for scenario in scenarios(route):
        for request in requests_for(route, own, own, scenario, leak_world):
            problems += _send(client, request, forbidden)
    assert not problems, "\n".join(f"[{role}] {p}" for p in problems)


# The probe covers what it says it covers -----------------------------------------------------

def test_every_path_argument_is_probed():
    assert unknown_path_arguments(APP) == [], "say in leak_probes.PATH_KINDS which object the argument names"


def test_every_field_read_is_classified():
    unclassified = sorted({f"{endpoint}: {name}" for endpoint, names in endpoint_fields(APP).items()
                           for name in names if spec(name) is None})
    assert unclassified == [], "say in request_fields.FIELDS whether the field names an object"


def test_every_route_that_takes_an_id_is_probed_by_some_role():
    takes_ids = {str(route) for route in ROUTES if route.takes_ids}
    assert takes_ids and takes_ids <= {str(route) for route, _ in TARGETED}
    assert {kind for route in ROUTES for _, kind in route.path_args} == set(PATH_KINDS.values())
    assert {role for _, role in TARGETED} == set(ROLES) and PROBE_COUNT >= 200


def test_the_check_sees_every_printed_form_of_a_phone():
    forbidden = {value: "phone" for value in phone_forms("+84971112233")}
    for shown in ("+84971112233", "0971112233", "0971 112 233", mask_phone("+84971112233")):
        assert leaks_in(f"<td>{shown}</td>", forbidden) == ["phone"]
    assert leaks_in("<td>(097) 111-2233</td>", forbidden) == []  # what the probe types may be echoed
