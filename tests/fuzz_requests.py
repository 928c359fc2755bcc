"""Malformed requests for one route: a ``Case`` says what is wrong with the request (its
shape, and which fields carry which bad value); ``build_request`` turns it into the arguments of
``client.open`` against the world of conftest, every other field plausible so that the bad value
reaches the code behind its field."""

import io
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from hypothesis import strategies as st

from app.core.db import local_today
from app.coverage.models import ANY, Target
from app.extensions import db
from app.imports.households import COLUMNS as HOUSEHOLD_COLUMNS
from app.imports.villages import COLUMNS as VILLAGE_COLUMNS
from tests.conftest import PASSWORD
from tests.fuzz_values import HEADER, TOO_LONG_FOR_CSV, FileValue, Value, csv_files, json_body, spoilt_csv, values
from tests.request_fields import spec

SHAPES_GET = ("fields", "repeated keys")
# Most examples put bad values into a well-formed request; the other shapes are the wrong
# envelopes around it.
SHAPES_POST = ("fields", "fields", "fields", "repeated keys", "JSON body", "text/plain body", "file for a field",
               "not UTF-8")


@dataclass(frozen=True)
class Case:
    shape: str = "fields"
    bad: tuple = ()  # (field, Value or FileValue) pairs
    htmx: bool = False
    kind: str = "households"  # the import a /imports/<kind>/... route is about
    good_first: bool = False  # with repeated keys: the plausible value comes first
    json: str = "{}"


def fields_of(route) -> list[str]:
    return [name for name, _ in route.id_fields] + list(route.other_fields)


def _today(days: int = 0) -> str:
    return (local_today() + timedelta(days=days)).isoformat()


PLAUSIBLE = {
    "village_id": lambda w: w["village_a1"].id, "village": lambda w: w["village_a1"].id,
    "villages": lambda w: w["village_a1"].id, "household_id": lambda w: w["household_a"].id,
    "household_ids": lambda w: w["household_a"].id, "task_id": lambda w: w["task_a"].id,
    "team_id": lambda w: w["team_a"].id, "team": lambda w: w["team_a"].id,
    "user_id": lambda w: w["volunteer"].id, "assignee_id": lambda w: w["volunteer"].id,
    "author": lambda w: w["volunteer"].id, "commune": lambda w: w["commune_a"].id,
    "home_area": lambda w: w["commune_a"].id, "within": lambda w: w["commune_a"].id,
    "log": lambda w: f"{w['log_a'].id}:{w['log_a'].version}",
    "service_ids": lambda w: w["log_a"].services[0].id, "service": lambda w: w["log_a"].services[0].id,
    "area": lambda w: w["village_a1"].id, "area_id": lambda w: w["village_a1"].id,
    "year": lambda w: local_today().year, "helped_on": lambda w: _today(), "due_on": lambda w: _today(7),
    "client_uuid": lambda w: str(uuid.uuid4()),
}
PLAIN_VALUES = {
    "page": "1", "version": "1", "people_count": "1", "member_count": "2", "target_count": "1",
    "declared_households": "120", "households": "1", "key": str(ANY), "mode": "existing", "outcome": "done",
    "status": "active", "who": "all",
    "show": "todo", "step": "consent", "role": "volunteer", "locale": "vi", "choose": "village",
    "reason": "other", "consent_method": "signed", "consent_given": "y", "is_farm": "y", "farm": "1",
    "next": "/", "q": "duc", "name": "Thôn Mới", "full_name": "Người Mới", "username": "nguoimoi",
    "phone": "0912 345 678", "display_name": "Nhà Mới", "notes": "Nhà gần chợ", "note": "Đã hướng dẫn",
    "comment": "Xem lại giúp", "consent_witness": "Trần Văn Bình", "former_commune": "Xã Cũ",
    "password": PASSWORD, "current_password": PASSWORD, "new_password": "another good pass",
    "confirm_password": "another good pass",
}
PATH_OBJECTS = {"household_id": "household_a", "village_id": "village_a1", "area_id": "village_a1",
                "commune_id": "commune_a", "log_id": "log_a", "task_id": "task_a", "team_id": "team_a",
                "user_id": "volunteer"}


def plausible(name: str, w: dict) -> str:
    short = name.rsplit("-", 1)[-1]
    if short in PLAUSIBLE:
        return str(PLAUSIBLE[short](w))
    return PLAIN_VALUES.get(short, "")


def good_csv(kind: str) -> tuple[tuple, tuple]:
    """The columns and one good row of an import of ``kind`` into conftest's world."""
    if kind == "villages":
        return VILLAGE_COLUMNS, ("18562", "Thôn Mới", "", "120")
    return HOUSEHOLD_COLUMNS, ("18562", "Thôn 1", "Xã Thạch Sơn", "Nhà Thử", "0912345678", "3", "0", "0",
                               "signed", f"{local_today():%d/%m/%Y}", "volunteer", "")


def _good_file(kind: str) -> FileValue:
    columns, row = good_csv(kind)
    return FileValue("good", f"{','.join(columns)}\n{','.join(row)}\n".encode())


def path_ids(w: dict) -> dict[str, int]:
    """The ids the fuzzed paths name, read once: an example may remove the membership."""
    ids = {arg: w[key].id for arg, key in PATH_OBJECTS.items()}
    ids["membership_id"] = next(m.id for m in w["team_a"].memberships if m.user_id == w["volunteer"].id)
    target = Target(area=w["village_a1"], year=local_today().year, key=ANY, households=1)
    db.session.add(target)
    db.session.commit()
    ids["target_id"] = target.id
    ids["service_id"] = w["log_a"].services[0].id
    ids.update(_training_ids(w))
    return ids


def _training_ids(w: dict) -> dict[str, int]:
    """A question, a quiz and a session in commune A with its post-test open, the volunteer on its list."""
    from datetime import datetime

    from app.training import services as training
    from app.training.models import Attendee, QuizState
    from tests.conftest import make_services

    service = make_services()["VNEID"]
    question = training.create_question(w["staff"], training.QuestionInput("Câu?", service.id, ["Có", "Không"], 0))
    quiz = training.create_quiz(w["staff"], training.QuizInput("Bài", 70, [question.id]))
    session = training.create_session(w["staff"], training.SessionInput(
        "Lớp", datetime(2026, 11, 20, 8, 0), w["commune_a"].id, quiz.id))
    session.post_state = QuizState.OPEN
    db.session.add(Attendee(session_id=session.id, user_id=w["volunteer"].id))
    db.session.commit()
    return {"question_id": question.id, "quiz_id": quiz.id, "session_id": session.id}


def _path(route, ids: dict, kind: str) -> str:
    fixed = {"kind": kind, "stage": "post"}
    args = {arg: fixed[arg] if arg in fixed else ids[arg] for arg in route.rule.arguments}
    return route.rule.build(args, append_unknown=False)[1]


def build_request(case: Case, route, w: dict, ids: dict) -> dict:
    """The keyword arguments of ``client.open`` for ``case``; ``ids`` come from ``path_ids``."""
    fields = fields_of(route)
    bad = dict(case.bad)
    form = {name: plausible(name, w) for name in fields if name != "file"}
    request = {"method": route.method, "path": _path(route, ids, case.kind),
               "headers": {"HX-Request": "true"} if case.htmx else {}}
    if "file" in fields:
        file = bad.pop("file", _good_file(case.kind))
        form["file"] = (file if isinstance(file, FileValue) else FileValue(file.label, file.text.encode())).storage()
    if case.shape == "repeated keys":
        for name, value in bad.items():
            pair = [form.get(name, ""), value.text]
            form[name] = pair if case.good_first else pair[::-1]
    elif case.shape == "file for a field":
        form |= {name: (io.BytesIO(value.text.encode()), "field.txt") for name, value in bad.items()}
    else:
        form |= {name: value.text for name, value in bad.items()}
    if route.method == "GET":
        return request | {"query_string": form}
    # Filters and pages are read from the query even on a POST: the bad values go there too.
    request["query_string"] = {name: value.text for name, value in bad.items()}
    if case.shape == "JSON body":
        return request | {"data": case.json, "content_type": "application/json"}
    if case.shape == "text/plain body":
        return request | {"data": urlencode(form, doseq=True), "content_type": "text/plain"}
    if case.shape == "not UTF-8":
        body = urlencode({k: v for k, v in form.items() if isinstance(v, str)}, doseq=True).encode()
        return request | {"data": body + b"&note=%FF%FE\xff", "content_type": "application/x-www-form-urlencoded"}
    return request | {"data": form}


@st.composite
def cases(draw, route) -> Case:
    fields = fields_of(route)
    kind = draw(st.sampled_from(["households", "villages"]))
    shape = draw(st.sampled_from(SHAPES_GET if route.method == "GET" else SHAPES_POST))
    bad = ()
    if fields and shape in ("fields", "repeated keys", "file for a field"):
        names = draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3, unique=True))
        bad = tuple((name, draw(csv_files(*good_csv(kind)) if name == "file" else values)) for name in names)
    return Case(shape, bad, draw(st.booleans()), kind, draw(st.booleans()),
                draw(json_body(fields)) if shape == "JSON body" else "{}")


# Explicit examples: the values that broke things before, sent to every field, every run -------

NUL = Value("control character", "a\x00b")
HUGE = Value("huge", "đ" * 100_000)
INT32_OVER = Value("edge integer", str(2**31))
INT64_OVER = Value("edge integer", str(2**63))
SUPERSCRIPT = Value("non-ASCII digits", "²")
IMPOSSIBLE_DAY = Value("impossible date", "2026-02-30")
NUMERIC = {"page", "version", "people_count", "member_count", "target_count", "declared_households", "households",
           "year"}
DATES = {"helped_on", "due_on"}


# Where the explicit examples spoil a good import file: the header line and a name cell.
CSV_PLACES = {"households": (HEADER, HOUSEHOLD_COLUMNS.index("display_name")),
              "villages": (HEADER, VILLAGE_COLUMNS.index("village_name"))}


def _key_values(name: str) -> list[Value]:
    short = name.rsplit("-", 1)[-1]
    field = spec(name)
    if short == "file":
        return [TOO_LONG_FOR_CSV, NUL]
    if field.kind or short in NUMERIC:
        return [INT32_OVER, INT64_OVER, SUPERSCRIPT]
    if short in DATES:
        return [IMPOSSIBLE_DAY, NUL]
    if field.text:
        return [NUL, HUGE]
    return [NUL, INT32_OVER]  # a choice or filter: a number where a word is expected


def explicit_cases(route) -> list[Case]:
    """Each field alone with each value that matters for its type, the rest plausible; and for a
    form, a JSON body that is not an object and a file sent for its first field."""
    made = []
    fields = [name for name in fields_of(route) if name != "file"]
    if route.method == "POST":
        made.append(Case("JSON body", json="[1]"))
        if fields:
            made.append(Case("file for a field", bad=((fields[0], Value("file for a field", "x")),)))
    for name in fields_of(route):
        for value in _key_values(name):
            if name == "file":
                made += [Case(bad=((name, spoilt_csv(*good_csv(kind), where, value)),), kind=kind)
                         for kind, places in CSV_PLACES.items() for where in places]
            else:
                made.append(Case(bad=((name, value),)))
    return made
