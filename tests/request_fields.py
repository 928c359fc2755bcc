"""Which request fields each endpoint reads, found in the code, and what each field carries.

The leak probe and the fuzz tests send their values to the fields found here, so a view that
starts reading a new field is probed without anyone listing it. A field found here but missing
from ``FIELDS`` fails ``test_every_field_read_is_classified``: the author of a new field says
whether it names an object (and which kind), so the leak probe fills it with someone else's.

Discovery reads the source of each view's module: the view function and the module's helper
functions it calls (transitively), looking for ``request.args/form/values/files`` reads with a
literal name, and the form classes they instantiate (every field, sub-forms as ``prefix-name``).
"""

import ast
import inspect
from dataclasses import dataclass
from functools import cache

from wtforms import Form
from wtforms.fields import FormField
from wtforms.fields.core import UnboundField

REQUEST_PARTS = {"args", "form", "values", "files"}


@dataclass(frozen=True)
class Field:
    """What a request field carries. ``kind`` names the object an id field points at (see
    ``leak_world.OBJECT_KINDS``); None for a field that names no object."""

    kind: str | None = None
    text: bool = False  # free text (names, notes, searches): odd Unicode and huge values matter most


ID = Field
TEXT = Field(text=True)
PLAIN = Field()

# Every field an endpoint reads, by name (sub-form prefixes dropped). Ids that name an object of
# a kind the leak probe knows carry that kind; "service" names catalogue rows, which hold no
# personal data, so the probe leaves them at valid values.
FIELDS: dict[str, Field] = {
    # ids of objects that belong to a team or a place
    "village_id": ID("village"), "village": ID("village"), "villages": ID("village"),
    "household_id": ID("household"), "household_ids": ID("household"),
    "task_id": ID("task"), "team_id": ID("team"), "team": ID("team"),
    "user_id": ID("user"), "assignee_id": ID("user"), "author": ID("user"),
    "commune": ID("commune"), "home_area": ID("commune"), "within": ID("commune"),
    "log": ID("log_selection"),  # "id:version" pairs of the review queue
    "area": ID("village"), "area_id": ID("village"),  # a coverage target's place
    # catalogue ids, numbers and versions: no object with personal data behind them
    "service_ids": ID("service"), "service": ID("service"),
    "page": PLAIN, "version": PLAIN, "people_count": PLAIN, "member_count": PLAIN,
    "target_count": PLAIN, "declared_households": PLAIN, "households": PLAIN, "year": PLAIN, "key": PLAIN,
    # choices, flags, dates, tokens
    "mode": PLAIN, "outcome": PLAIN, "status": PLAIN, "who": PLAIN, "show": PLAIN, "step": PLAIN,
    "role": PLAIN, "locale": PLAIN, "choose": PLAIN, "reason": PLAIN, "consent_method": PLAIN,
    "consent_given": PLAIN, "is_farm": PLAIN, "is_business": PLAIN, "farm": PLAIN, "business": PLAIN,
    "confirmed_new": PLAIN, "refresh": PLAIN, "back": PLAIN, "saved": PLAIN, "helped_on": PLAIN,
    "due_on": PLAIN, "client_uuid": PLAIN, "token": PLAIN, "next": PLAIN, "file": PLAIN, "where": PLAIN,
    "action": PLAIN, "start": PLAIN, "end": PLAIN, "before": PLAIN,  # the audit trail's filters and keyset
    # free text
    "q": TEXT, "name": TEXT, "full_name": TEXT, "username": TEXT, "phone": TEXT, "display_name": TEXT,
    "notes": TEXT, "note": TEXT, "comment": TEXT, "consent_witness": TEXT, "former_commune": TEXT,
    "name_vi": TEXT, "name_en": TEXT, "short_name_vi": TEXT, "short_name_en": TEXT,
    "actor": TEXT,
    # training: the bank (questions, quizzes) is the province's, with nothing personal: catalogue-like
    "question_ids": ID("question"), "question_id": ID("question"), "post_quiz_id": ID("quiz"),
    "pre_quiz_id": ID("quiz"), "commune_id": ID("commune"), "service_id": ID("service"),
    "choice_id": PLAIN, "right": PLAIN, "pass_mark": PLAIN, "starts_at": PLAIN, "stage": PLAIN, "state": PLAIN,
    "n": PLAIN, "usefulness": PLAIN, "pace": PLAIN, "clarity": PLAIN,
    "code": TEXT, "title": TEXT, "text": TEXT, "explanation": TEXT, "proposal": TEXT, "improvement": TEXT,
    "choice_a": TEXT, "choice_b": TEXT, "choice_c": TEXT, "choice_d": TEXT, "choice_e": TEXT,
    "password": TEXT, "current_password": TEXT, "new_password": TEXT, "confirm_password": TEXT,
}


def spec(name: str) -> Field | None:
    """The classification of a field sent as ``name`` (``new-phone`` is a ``phone``)."""
    return FIELDS.get(name.rsplit("-", 1)[-1])


def form_fields(form_class, prefix: str = "") -> list[str]:
    """The names a form reads from a request, sub-forms included (``new-display_name``)."""
    names = []
    for attr in dir(form_class):
        unbound = getattr(form_class, attr, None)
        if not isinstance(unbound, UnboundField):
            continue
        if issubclass(unbound.field_class, FormField):
            names += form_fields(unbound.args[0], f"{prefix}{attr}-")
        else:
            names.append(prefix + attr)
    return names


def _request_read(node) -> str | None:
    """``request.args.get("x")``, ``request.form.getlist("x")``, ``request.args["x"]`` -> "x"."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "getlist"):
        target, key = node.func.value, node.args[0] if node.args else None
    elif isinstance(node, ast.Subscript):
        target, key = node.value, node.slice
    else:
        return None
    if (isinstance(target, ast.Attribute) and target.attr in REQUEST_PARTS
            and isinstance(target.value, ast.Name) and target.value.id == "request"
            and isinstance(key, ast.Constant) and isinstance(key.value, str)):
        return key.value
    return None


@cache
def _module_functions(module) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(inspect.getsource(module))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _form_reads_request(call: ast.Call, method: str) -> bool:
    """Whether ``SomeForm(...)`` reads the request: Flask-WTF reads the body of a POST when no
    ``formdata`` is given; ``formdata=None`` reads nothing; any other (``request.args``) does."""
    formdata = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "formdata"), None)
    if formdata is None:
        return method == "POST"
    return not (isinstance(formdata, ast.Constant) and formdata.value is None)


def fields_read(view, method: str) -> list[str]:
    """The request fields ``view`` reads when called with ``method``, itself or through the
    helpers of its module."""
    module = inspect.getmodule(view)
    functions = _module_functions(module)
    todo, seen, found = [view.__name__], set(), []
    while todo:
        name = todo.pop()
        if name in seen or name not in functions:
            continue
        seen.add(name)
        for node in ast.walk(functions[name]):
            read = _request_read(node)
            if read:
                found.append(read)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                called = getattr(module, node.func.id, None)
                if isinstance(called, type) and issubclass(called, Form):
                    if _form_reads_request(node, method):
                        found += form_fields(called)
                else:
                    todo.append(node.func.id)
    return list(dict.fromkeys(found))


def endpoint_fields(app) -> dict[str, list[str]]:
    """Every endpoint (but static files) with the request fields it reads."""
    found = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            method = "POST" if "POST" in rule.methods else "GET"
            found[rule.endpoint] = fields_read(app.view_functions[rule.endpoint], method)
    return found
