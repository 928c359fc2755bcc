"""The leak probes, generated from the URL map, the access table and the fields each view reads.

Every rule whose path takes an ``<int:...>`` id, or whose view reads an id field (see
``request_fields``), is a route to probe. For each target (another team's objects, another
commune's), a probe sends the requests of ``requests_for``: every id pointing at the target's
objects, then each id alone pointing there with the others at our own objects, so a view that
checks one id and trusts the next is caught. ``SCENARIOS`` adds the other fields a view needs
to get past its validation into the code that loads and prints things (a log form that asks for
a duplicate check, a search that names the target's people).
"""

import io
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Callable

from werkzeug.routing import IntegerConverter

from app.access import ACCESS, ANYONE
from app.core.db import local_today
from tests.leak_world import ROLE_OF, Target, typed_like, unaccented
from tests.request_fields import endpoint_fields, spec

# What an <int:...> path argument names. An argument missing here fails
# test_every_path_argument_is_probed: a new route cannot slip by unprobed.
PATH_KINDS = {
    "household_id": "household", "village_id": "village", "area_id": "village", "commune_id": "commune",
    "log_id": "log", "task_id": "task", "team_id": "team", "user_id": "user", "membership_id": "membership",
    "target_id": "target", "service_id": "service",
    "session_id": "training_session", "question_id": "question", "quiz_id": "quiz",
}
# Arguments that name no object: a fixed value that reaches the view.
FIXED_PATH_VALUES = {"kind": "households", "stage": "post"}
# Catalogue ids are always sent valid: they hold nothing personal, and a view must get past them.
CATALOGUE_KINDS = {"service", "question", "quiz"}


@dataclass(frozen=True)
class Route:
    endpoint: str
    rule: object
    method: str
    path_args: tuple = ()   # (argument, kind)
    id_fields: tuple = ()   # (field, kind)
    other_fields: tuple = ()

    @property
    def takes_ids(self) -> bool:
        return bool(self.path_args or self.id_fields)

    def __str__(self) -> str:
        return f"{self.method} {self.rule.rule}"


def unknown_path_arguments(app) -> list[str]:
    return sorted(f"{rule.rule}: {arg}" for rule in app.url_map.iter_rules() if rule.endpoint != "static"
                  for arg in rule.arguments if arg not in PATH_KINDS and arg not in FIXED_PATH_VALUES)


def routes(app) -> list[Route]:
    fields = endpoint_fields(app)
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        # An argument nobody classified gets no kind: test_every_path_argument_is_probed says which.
        path_args = tuple((arg, PATH_KINDS.get(arg)) for arg in sorted(rule.arguments)
                          if isinstance(rule._converters[arg], IntegerConverter))
        read = fields[rule.endpoint]
        ids = tuple((name, spec(name).kind) for name in read if spec(name) and spec(name).kind)
        others = tuple(name for name in read if not (spec(name) and spec(name).kind))
        for method in sorted(rule.methods & {"GET", "POST"}):
            found.append(Route(rule.endpoint, rule, method, path_args, ids, others))
    return sorted(found, key=str)


def may_call(role: str, endpoint: str) -> bool:
    rule = ACCESS[endpoint]
    return rule == ANYONE or ROLE_OF[role] in rule


# Scenarios: the other fields a request needs to reach the code worth probing ------------------

@dataclass(frozen=True)
class Scenario:
    fields: Callable[[dict, Target], dict] = lambda w, t: {}
    names_target: bool = False  # the fields carry the target's data: send them with our own ids too
    setup: Callable | None = None  # (world, target, user) -> None, before the request


def _log_form(mode: str):
    def fields(w, t):
        data = {"client_uuid": str(uuid.uuid4()), "mode": mode, "outcome": "done", "people_count": "1",
                "helped_on": local_today().isoformat(), "version": "1"}
        if mode == "new":  # the target's household typed again: the duplicate check looks for it
            data |= {"new-display_name": unaccented(t.household_name), "new-phone": typed_like(t.household_phone),
                     "new-member_count": "2", "new-consent_method": "signed", "new-consent_given": "y"}
        return data
    return fields


def _new_household(w, t):
    return {"step": "consent", "display_name": unaccented(t.household_name), "phone": typed_like(t.household_phone),
            "consent_method": "signed", "consent_given": "y"}


def _search_for_person(w, t):
    return {"q": unaccented(t.objects["user"].full_name)}


def _households_csv(w, t) -> str:
    village, commune, collector = t.objects["village"], t.objects["commune"], t.objects["user"]
    return ("commune_code,village_name,former_commune,display_name,phone,member_count,is_farm,is_business,"
            "consent_method,consent_date,consent_collected_by,consent_witness\n"
            f"{commune.code},{village.name},{village.former_commune or ''},{unaccented(t.household_name)},"
            f"{typed_like(t.household_phone)},2,0,0,signed,{local_today():%d/%m/%Y},{collector.username},\n")


def _stage_households(w, t, user):
    from tests.conftest import make_upload

    make_upload(user, "households", _households_csv(w, t))


def _due(days: int = 7) -> str:
    return (local_today() + timedelta(days=days)).isoformat()


VERSION = Scenario(lambda w, t: {"version": "1"})
SCENARIOS: dict[str, list[Scenario]] = {
    "helplogs.new": [Scenario(), Scenario(lambda w, t: {"client_uuid": str(uuid.uuid4()), "mode": "existing"})],
    "helplogs.create": [Scenario(_log_form("existing")), Scenario(_log_form("new"), names_target=True)],
    "helplogs.update": [Scenario(_log_form("existing"))],
    "households.create": [Scenario(_new_household, names_target=True)],
    "households.update": [Scenario(lambda w, t: {"display_name": "Nhà Thử Nghiệm", "member_count": "2"})],
    "reviews.approve": [VERSION],
    "reviews.return_": [Scenario(lambda w, t: {"version": "1", "reason": "other", "comment": "Xem lại giúp"})],
    "tasks.claim": [VERSION], "tasks.release": [VERSION], "tasks.close": [VERSION], "tasks.cancel": [VERSION],
    "tasks.new": [Scenario(), Scenario(lambda w, t: {"refresh": "1", "choose": "listed"})],
    "tasks.create": [Scenario(lambda w, t: {"choose": "listed", "due_on": _due(), "target_count": "1"})],
    "tasks.update": [Scenario(lambda w, t: {"due_on": _due(), "target_count": "1", "version": "1"})],
    "teams.members": [Scenario(_search_for_person, names_target=True)],
    "teams.set_member_role": [Scenario(lambda w, t: {"role": "leader"})],
    "teams.update": [Scenario(lambda w, t: {"name": "Tổ Thăm Dò"})],
    "teams.create": [Scenario(lambda w, t: {"name": "Tổ Thăm Dò"})],
    "accounts.index": [Scenario(_search_for_person, names_target=True)],
    "accounts.update": [Scenario(lambda w, t: {"full_name": "Người Thăm Dò", "role": "volunteer"})],
    "accounts.create": [Scenario(lambda w, t: {"username": f"probe{uuid.uuid4().hex[:8]}",
                                               "full_name": "Người Thăm Dò", "role": "volunteer"})],
    "imports.upload": [Scenario(lambda w, t: {"file": (io.BytesIO(_households_csv(w, t).encode()), "h.csv")},
                                names_target=True)],
    "imports.preview": [Scenario(names_target=True, setup=_stage_households)],
}


def scenarios(route: Route) -> list[Scenario]:
    return SCENARIOS.get(route.endpoint, [Scenario()])


def probed_targets(route: Route) -> bool:
    """Whether the route is probed once per target (it names objects, or its fields carry a target's data)."""
    return route.takes_ids or any(s.names_target for s in scenarios(route))


# Requests -------------------------------------------------------------------------------------

@dataclass
class Request:
    method: str
    path: str
    query: dict = field(default_factory=dict)
    form: dict = field(default_factory=dict)
    htmx: bool = False
    label: str = ""

    def send(self, client):
        headers = {"HX-Request": "true"} if self.htmx else {}
        data = {k: (io.BytesIO(v[0].getvalue()), v[1]) if isinstance(v, tuple) else v for k, v in self.form.items()}
        return client.open(self.path, method=self.method, query_string=self.query, data=data or None,
                           headers=headers)

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.label}{' (htmx)' if self.htmx else ''}"


def _id_value(kind: str, obj) -> str:
    if kind == "log_selection":
        return f"{obj.id}:{obj.version}"
    return str(obj.id)


def _object(kind: str, target: Target):
    return target.objects["log" if kind == "log_selection" else kind]


def requests_for(route: Route, target: Target, own: Target, scenario: Scenario, w: dict) -> list[Request]:
    """All ids at the target; each id alone at the target; all ours when the fields carry the target."""
    elements = [("path", *a) for a in route.path_args] + [("field", *f) for f in route.id_fields]
    probed = [(where, name, kind) for where, name, kind in elements if kind not in CATALOGUE_KINDS]
    every = {name for _, name, _ in probed}
    choices = [("all ids at the target", every)] if probed else [("the target's data", set())]
    if len(probed) > 1:
        choices += [(f"only {name} at the target", {name}) for _, name, _ in probed]
    if scenario.names_target and probed:
        choices.append(("our own ids, the target's data", set()))
    made = []
    for label, at_target in choices:
        path_values, ids = dict(FIXED_PATH_VALUES), {}
        for where, name, kind in elements:
            source = target if name in at_target else own
            value = _id_value(kind, _object(kind, source))
            (path_values if where == "path" else ids)[name] = value
        _, path = route.rule.build({k: v for k, v in path_values.items() if k in route.rule.arguments},
                                   append_unknown=False)
        extra = scenario.fields(w, target)
        if route.method == "GET":
            query, form = ids | extra, {}
        else:  # views read ids from the body, and some (filters, pages) from the query too
            query, form = ids, ids | extra
        for htmx in (False, True) if at_target in (every, set()) else (False,):
            made.append(Request(route.method, path, query, form, htmx, label))
    return made
