"""Fuzzing (issue 9): malformed values posted to every form and every page that reads query
parameters, as each role the access table lets in, answer below 500 and raise nothing (with
TESTING on, Flask hands the exception to the test: in production it is a 500).

Routes and fields are generated (``leak_probes.routes``, ``request_fields``), so a new form is
fuzzed as soon as it exists. Every run sends each field, alone, the values that matter for its
type (NUL, 100,000 characters, 2³¹, 2⁶³, "²", 30 February), and each form a JSON array and a
file for a field (see ``fuzz_requests.explicit_cases``), as the first role of ``PRIMARY_ROLES``
that may call the route; then Hypothesis draws
``FUZZ_EXAMPLES`` more requests per (route, role): bad values of every class in one to three
fields, repeated keys, JSON, text/plain, files for fields, bodies that are not UTF-8.

``make test`` draws 6 examples, derandomized (the same every run, so CI cannot flake) and
unshrunk (a failing run stays bounded). The long run draws fresh ones, shrinks what fails and
keeps it in Hypothesis' database (.hypothesis/) to replay:

    FUZZ_EXAMPLES=2000 .venv/bin/python -m pytest tests/test_fuzz.py
"""

import os

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings

from app import create_app
from app.access import ACCESS, ANYONE
from app.accounts.models import Role
from app.extensions import db
from tests.conftest import sign_in
from tests.fuzz_requests import build_request, cases, explicit_cases, fields_of, path_ids
from tests.leak_probes import routes

LONG_RUN = "FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,  # one request with a 100,000-character field on PostgreSQL is slow, not wrong
    derandomize=not LONG_RUN,
    database=settings.default.database if LONG_RUN else None,
    phases=list(Phase) if LONG_RUN else [Phase.explicit, Phase.generate],
    # The world is built once per test by function-scoped fixtures and Hypothesis runs inside
    # the test: the examples share the world on purpose (building it for each would cost more
    # than the requests), so the check for fixtures that are not reset between examples does
    # not apply; a world changed by one example is still a world to send bad values into.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

APP = create_app("test")  # only its URL map is read, at collection
ROLES = {"anonymous": None, "volunteer": Role.VOLUNTEER, "leader": Role.LEADER, "staff": Role.STAFF,
         "admin": Role.ADMIN}
# Who gets the explicit examples of a route: the role that reaches the most code behind it.
PRIMARY_ROLES = ("anonymous", "admin", "leader", "volunteer", "staff")


def may_call(role: str, endpoint: str) -> bool:
    rule = ACCESS[endpoint]
    return rule == ANYONE or (ROLES[role] is not None and ROLES[role] in rule)


FUZZED = [(route, role) for route in routes(APP) if route.method == "POST" or fields_of(route)
          for role in ROLES if may_call(role, route.endpoint)]


def primary_role(route) -> str:
    return next(role for role in PRIMARY_ROLES if may_call(role, route.endpoint))


EXPLICIT_COUNT = sum(len(explicit_cases(route)) for route, role in FUZZED if role == primary_role(route))
CASE_COUNT = len(FUZZED) * EXAMPLES + EXPLICIT_COUNT


@pytest.mark.parametrize("route,role", FUZZED, ids=[f"{r}-{role}" for r, role in FUZZED])
def test_malformed_requests_answer_below_500(client, world, route, role):
    ids = path_ids(world)

    def malformed_request(case):
        if ROLES[role] is not None:
            db.session.expire_all()  # a password changed by an earlier example is read again
            sign_in(client, world[role])
        response = client.open(**build_request(case, route, world, ids))
        assert response.status_code < 500, case

    test = FUZZ_SETTINGS(given(case=cases(route))(malformed_request))
    if role == primary_role(route):
        for case in explicit_cases(route):
            test = example(case=case)(test)
    test()


def test_every_form_and_query_is_fuzzed():
    fuzzed = {str(route) for route, _ in FUZZED}
    posts = {str(route) for route in routes(APP) if route.method == "POST"}
    assert posts <= fuzzed and len(fuzzed) > len(posts)  # every form, and pages with query parameters
    assert EXPLICIT_COUNT > 300
