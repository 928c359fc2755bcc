"""The audit trail screen: where events belong, who sees which, filters, pages and the CSV."""

import ast
import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.audit.actions import ACTION_LABELS, FIELD_LABELS
from app.audit.models import AuditEvent
from app.audit.services import record
from app.trail.queries import PER_PAGE
from tests.conftest import count_queries, events, make_user, sign_in

APP = Path(__file__).resolve().parents[2] / "app"


def add_event(db, actor, action, obj=None, changes=None, at=None):
    event = record(actor, action, obj, changes)
    if at is not None:
        event.at = at
    db.session.commit()
    return event


@pytest.fixture()
def trail(db, world):
    """An event in each commune, one without a place, and a household change with a masked name."""
    found = {
        "log_a": add_event(db, world["volunteer"], "helplog.submitted", world["log_a"], {"version": 1}),
        "team_b": add_event(db, world["admin"], "team.updated", world["team_b"], {"name": ["Tổ cũ", "Tổ Can Lộc"]}),
        "household_a": add_event(db, world["admin"], "household.updated", world["household_a"],
                                 {"display_name": ["Nguyễn Văn Đức", "Nguyễn Văn Được"], "member_count": [3, 4]}),
        "service": add_event(db, make_user("root", home_area=None, role="admin"), "service.updated", None,
                             {"name_vi": ["A", "B"]}),
    }
    return found


def as_user(client, user):
    """Signed in as ``user``, reading English (the words the assertions use)."""
    sign_in(client, user)
    assert client.get("/audit?lang=en").status_code in (200, 403)
    return client


def shown(client, path="/audit", **headers) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def listed(client, path="/audit") -> str:
    """The events fragment alone: the filters' option words do not count as events shown."""
    return shown(client, path, **{"HX-Request": "true"})


# Where an event belongs --------------------------------------------------------------------------

def test_an_event_belongs_to_the_place_of_its_record(db, world, trail):
    assert trail["log_a"].area_id == world["village_a1"].id
    assert trail["team_b"].area_id == world["commune_b"].id
    assert trail["household_a"].area_id == world["village_a1"].id


def test_without_a_placed_record_an_event_belongs_to_the_actors_home_area(db, world):
    assert add_event(db, world["leader"], "helplog.bulk_approved", None, {"count": 2}).area_id == world["commune_a"].id
    assert add_event(db, world["staff_b"], "login.succeeded", world["staff_b"]).area_id == world["commune_b"].id


def test_a_village_event_belongs_to_the_village(db, world):
    assert add_event(db, world["staff"], "area.updated", world["village_a2"]).area_id == world["village_a2"].id


def test_every_action_the_app_records_reads_in_words():
    """A new action without a label would show its code on the trail."""
    recorded = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record" and len(node.args) >= 2:
                action = node.args[1]
                if isinstance(action, ast.Constant):
                    recorded.add(action.value)
                elif isinstance(action, ast.JoinedStr):  # f"export.{what}"
                    recorded.add(re.sub(r"\{.*", "", ast.unparse(action)[2:-1]) + "*")
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record_now":
                # record_now(actor, obj, (action, changes), ...): every (action, ...) pair in its events
                recorded.update(pair.elts[0].value for event in node.args[2:] for pair in ast.walk(event)
                                if isinstance(pair, ast.Tuple) and pair.elts and isinstance(pair.elts[0], ast.Constant))
    missing = {action for action in recorded if not action.endswith("*") and action not in ACTION_LABELS}
    assert {"helplog.submitted", "helplog.approved"} <= recorded and "export.*" in recorded
    assert missing == set()
    assert {"export.table", "export.matrix", "export.logs"} <= set(ACTION_LABELS)


def recorded_fields() -> set[str]:
    """The fields the app's events record, read from its source: the keys of the changes
    given to record/record_now, of the events record_now writes, of what a filter's ``audit()``
    returns, and the fields an edit compares (``changes["x"]``, ``for name in ("a", "b")``,
    ``new_values = {...}``) in the functions that record."""
    found = set()
    for path in APP.rglob("*.py"):
        for fn in ast.walk(ast.parse(path.read_text())):
            if not isinstance(fn, ast.FunctionDef):
                continue
            nodes = list(ast.walk(fn))
            if fn.name == "audit":
                found.update(key.value for node in nodes if isinstance(node, ast.Return)
                             and isinstance(node.value, ast.Dict) for key in node.value.keys)
            for node in nodes:  # ("helplog.approved", {"auto": True}): an event record_now writes
                if isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(node.elts[0], ast.Constant) \
                        and isinstance(node.elts[1], ast.Dict):
                    found.update(key.value for key in node.elts[1].keys)
            calls = [node for node in nodes if isinstance(node, ast.Call)
                     and getattr(node.func, "id", None) in ("record", "record_now")]
            if not calls:
                continue
            found.update(key.value for call in calls for node in ast.walk(call) if isinstance(node, ast.Dict)
                         for key in node.keys if isinstance(key, ast.Constant))
            for node in nodes:
                if isinstance(node, ast.Subscript) and getattr(node.value, "id", None) == "changes" \
                        and isinstance(node.slice, ast.Constant):
                    found.add(node.slice.value)
                if isinstance(node, ast.For) and isinstance(node.iter, ast.Tuple):
                    found.update(item.value for item in node.iter.elts if isinstance(item, ast.Constant))
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) \
                        and any(getattr(target, "id", "") in ("new_values", "changes") for target in node.targets):
                    found.update(key.value for key in node.value.keys if isinstance(key, ast.Constant))
    return found


def test_every_field_the_app_records_reads_in_words():
    """A new field without words would show its code on the trail."""
    recorded = recorded_fields()
    assert {"people_count", "village_ids", "auto", "actor", "short_name_en", "declared_households"} <= recorded
    assert recorded - FIELD_LABELS.keys() == set()


def test_fields_and_values_read_as_the_app_shows_them(client, db, world):
    admin = world["admin"]
    a1, a2 = world["village_a1"].id, world["village_a2"].id
    service = world["log_a"].services[0]
    add_event(db, admin, "helplog.submitted", world["log_a"], {
        "household_id": 12, "village_id": world["village_a1"].id, "people_count": 3,
        "services": [service.code, "GONE"], "outcome": "partly", "helped_on": "2026-11-02", "task_id": None})
    add_event(db, admin, "team.updated", world["team_b"], {"village_ids": [[a1], [a1, a2]]})
    add_event(db, admin, "target.set", world["team_a"], {"area_id": 2**31, "year": 2026, "key": -10})  # no such id
    add_event(db, admin, "target.deleted", world["team_a"], {"key": service.id, "households": 40})
    add_event(db, admin, "task.created", world["task_a"], {"choose": "unreached", "due_on": "2026-12-09"})
    add_event(db, admin, "helplog.bulk_approved", None, {"count": 2, "log_ids": [7, 9]})
    add_event(db, admin, "login.failed", admin, {"reason": "password", "failures": 2})
    add_event(db, admin, "team.member_role_changed", world["team_a"], {"role": ["member", "leader"]})
    add_event(db, admin, "area.updated", world["village_a2"], {"later_field": ["a", "b"]})
    html = listed(as_user(client, admin))
    village_a1, village_a2 = world["village_a1"].label, world["village_a2"].label  # both named "Thôn 1"
    assert "Household: #12" in html and f"Village: {village_a1};" in html  # a place by name, a household by id
    assert "People helped: 3" in html and "Task: —" in html
    # Two services, not a change from one to the other; by their short names, a code no row has as it is.
    assert f"Kinds of help: {service.short_name_en or service.name_en}, GONE;" in html
    assert "Outcome: Partly" in html and "Day of help: 02/11/2026" in html
    assert f"Villages: {village_a1} → {village_a1}, {village_a2}" in html  # a change of a list
    assert f"Area: #{2**31}" in html
    assert "Logs: 2" in html and "Logs: #7, #9" in html
    assert "Reason: Wrong password" in html and "Failed attempts: 2" in html
    assert "Role: Member → Team leader" in html
    assert "Target for: All five basic digital skills" in html and f"Target for: {service.name_en};" in html
    assert "Households chosen: Households not yet reached for this help" in html and "Due date: 09/12/2026" in html
    assert "Later field: a → b" in html  # a field the trail has no words for, readably
    for code in ("household_id", "people_count", "helped_on", "village_ids", "log_ids", "partly", "2026-11-02"):
        assert code not in html


def test_fields_read_in_vietnamese(client, world, trail):
    sign_in(client, world["admin"])
    html = listed(client)
    assert "Hộ: ••• → •••" in html and "Số nhân khẩu: 3 → 4" in html
    assert "display_name" not in html and "member_count" not in html


# Who sees which events ---------------------------------------------------------------------------

def test_province_staff_see_every_event_with_or_without_a_place(client, world, trail):
    html = listed(as_user(client, world["staff"]))
    for words in ("logged help", "changed a team", "changed a household", "changed a kind of help"):
        assert words in html or words in html.replace("&#39;", "'")


def test_commune_staff_see_their_communes_events_only(client, world, trail):
    html = listed(as_user(client, world["staff_b"]))
    assert "Tổ cũ → Tổ Can Lộc" in html
    assert "logged help" not in html and "changed a household" not in html and "changed a kind of help" not in html
    assert 'name="commune"' not in shown(client)  # one commune: nothing to choose


def test_a_commune_administrator_sees_their_commune(client, world, trail, commune_admin):
    html = listed(as_user(client, commune_admin))
    assert "changed a household" in html and "logged help" in html
    assert "Tổ cũ" not in html


@pytest.mark.parametrize("username", ["volunteer", "leader"])
def test_the_field_has_no_audit_trail(client, world, trail, username):
    as_user(client, world[username])
    assert client.get("/audit").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_personal_values_stay_masked_as_stored(client, world, trail):
    html = listed(as_user(client, world["admin"]))
    assert "Household: ••• → •••" in html
    assert "Members: 3 → 4" in html
    assert "Nguyễn Văn Đ" not in html


def test_actions_read_in_vietnamese_by_default(client, world, trail):
    sign_in(client, world["staff"])
    html = shown(client)
    assert "Nhật ký hoạt động" in html and "đã ghi một lượt hỗ trợ" in listed(client)
    assert "logged help" not in html


# Filters -----------------------------------------------------------------------------------------

def test_filter_by_commune(client, world, trail):
    as_user(client, world["staff"])
    html = listed(client, f"/audit?commune={world['commune_b'].id}")
    assert "Tổ cũ" in html and "changed a household" not in html
    page = shown(client, f"/audit?commune={world['commune_b'].id}")
    assert f'<option value="{world["commune_b"].id}" selected>' in page


@pytest.mark.parametrize("wanted", ["commune_b", "village_a1", "nope"])
def test_a_commune_outside_the_users_area_or_no_commune_is_404(client, world, trail, wanted):
    as_user(client, world["staff_b"] if wanted == "commune_b" else world["staff"])
    commune = "commune_a" if wanted == "commune_b" else wanted
    value = world[commune].id if commune in world else "nope"
    assert client.get(f"/audit?commune={value}").status_code == 404


@pytest.mark.parametrize("actor", ["volunteer", "VOLUNTEER", "olunte", "Volunteer"])
def test_filter_by_actor_username_or_name(client, world, trail, actor):
    html = listed(as_user(client, world["staff"]), f"/audit?actor={actor}")
    assert "logged help" in html and "changed a team" not in html


def test_filter_by_actor_name_ignores_accents(db, client, world, trail):
    lan = make_user("lan", full_name="Trần Thị Lan", home_area=world["commune_b"])
    add_event(db, lan, "login.succeeded", lan)
    as_user(client, world["staff"])
    html = listed(client, "/audit?actor=tran thi")
    assert "Trần Thị Lan (lan)" in html and "logged help" not in html
    assert "No event matches" in listed(client, "/audit?actor=tran thi x")


def test_filter_by_action(client, world, trail):
    html = listed(as_user(client, world["staff"]), "/audit?action=team.updated")
    assert "Tổ cũ" in html and "logged help" not in html
    assert '<option value="team.updated" selected>' in shown(client, "/audit?action=team.updated")


def test_filter_by_period_in_local_days(db, client, world):
    # 23:30 UTC on 9 March is 06:30 on 10 March in Hà Tĩnh.
    add_event(db, world["admin"], "team.updated", world["team_a"], {"name": ["x", "late"]},
              at=datetime(2026, 3, 9, 23, 30, tzinfo=UTC))
    add_event(db, world["admin"], "team.updated", world["team_a"], {"name": ["x", "early"]},
              at=datetime(2026, 3, 9, 16, 30, tzinfo=UTC))
    as_user(client, world["admin"])
    html = listed(client, "/audit?start=2026-03-10&end=2026-03-10")
    assert "late" in html and "early" not in html
    html = listed(client, "/audit?end=2026-03-09")
    assert "early" in html and "late" not in html


@pytest.mark.parametrize("query,message", [
    ("action=drop.tables", "Choose an action from the list."),
    ("start=10/03/2026", "Enter the date as dd/mm/yyyy."),
    ("start=2026-03-10&end=2026-03-01", "The period ends before it starts."),
    ("start=1800-01-01", "Choose dates between 01/01/2000 and next year."),
])
def test_bad_filters_answer_400_with_a_message(client, world, trail, query, message):
    as_user(client, world["staff"])
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(f"/audit?{query}", headers=headers)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert client.get(f"/audit/export.csv?{query}").status_code == 400


# Page and fragment, pages ------------------------------------------------------------------------

def test_htmx_gets_the_list_alone(client, world, trail):
    as_user(client, world["staff"])
    response = client.get("/audit?action=team.updated", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="trail-events">') and "Tổ cũ" in html
    assert "HX-Request" in response.headers["Vary"]
    page = shown(client, "/audit?action=team.updated")
    assert "<html" in page and 'hx-push-url="true"' in page and 'action="/audit"' in page


def test_pages_are_keyset_pages_newest_first_with_bounded_statements(db, client, world):
    made = [add_event(db, world["admin"], "team.updated", world["team_a"], {"version": i})
            for i in range(PER_PAGE * 2 + 5)]
    as_user(client, world["staff"])
    client.get("/audit")
    with count_queries() as first_page:
        html = shown(client)
    assert html.count("Version: ") == PER_PAGE
    assert f"Version: {len(made) - 1}<" in html
    before = re.search(r'href="/audit\?before=(\d+)"', html).group(1)
    assert int(before) == made[-PER_PAGE].id
    with count_queries() as second_page:
        html = shown(client, f"/audit?before={before}")
    assert html.count("Version: ") == PER_PAGE and "Newest" in html
    last = re.search(r'href="/audit\?before=(\d+)"', html).group(1)
    html = shown(client, f"/audit?before={last}")
    assert html.count("Version: ") == 5 and 'rel="next"' not in html
    assert first_page() == second_page() <= 8


def test_filters_ride_along_in_pager_and_export_links(db, client, world):
    for i in range(PER_PAGE + 1):
        add_event(db, world["admin"], "team.updated", world["team_b"], {"n": i})
    html = shown(as_user(client, world["staff"]), f"/audit?action=team.updated&commune={world['commune_b'].id}")
    assert re.search(r'href="/audit\?before=\d+&amp;commune=\d+&amp;action=team.updated"', html)
    assert f'href="/audit/export.csv?commune={world["commune_b"].id}&amp;action=team.updated"' in html


# CSV export --------------------------------------------------------------------------------------

def read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_export_is_the_filtered_trail_and_is_audited(db, client, world, trail):
    as_user(client, world["staff"])
    response = client.get(f"/audit/export.csv?commune={world['commune_a'].id}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert len(rows) == 3  # header, the household change, the log
    assert [row[3] for row in rows[1:]] == ["household.updated", "helplog.submitted"]
    assert '"display_name": ["•••", "•••"]' in rows[1][8]
    assert rows[1][7] == "Thôn 1, Xã Thạch Hà"  # a village is named with its commune
    assert "Nguyễn" not in response.get_data(as_text=True)
    [exported] = events(db, "audit.exported")
    assert exported.actor_id == world["staff"].id
    assert exported.changes["rows"] == 2 and exported.changes["commune_id"] == world["commune_a"].id


def test_a_head_request_of_the_export_records_nothing(db, client, world, trail):
    as_user(client, world["staff"])
    response = client.head(f"/audit/export.csv?commune={world['commune_a'].id}")
    assert response.status_code == 405 and response.headers["Allow"] == "GET"
    assert events(db, "audit.exported") == []


def test_export_neutralises_formulas(db, client, world):
    sneaky = make_user("sneaky", full_name="=HYPERLINK(\"http://x\")", home_area=world["commune_a"])
    add_event(db, sneaky, "login.succeeded", sneaky)
    rows = read_csv(as_user(client, world["staff"]).get("/audit/export.csv?action=login.succeeded"))
    assert rows[1][2].startswith("'=HYPERLINK")


def test_export_is_scoped_like_the_screen(client, world, trail):
    rows = read_csv(as_user(client, world["staff_b"]).get("/audit/export.csv"))
    assert [row[3] for row in rows[1:]] == ["team.updated"]


def test_export_of_nothing_is_404_and_not_audited(db, client, world, trail):
    as_user(client, world["staff"])
    response = client.get("/audit/export.csv?action=task.closed")
    assert response.status_code == 404
    assert "nothing to export" in response.get_data(as_text=True)
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.exported")).first() is None


def test_staff_without_a_home_area_read_no_event(client, world, trail):
    homeless = make_user("nowhere", "staff", None)
    as_user(client, homeless)
    assert "No event matches" in listed(client)
    assert 'name="commune"' not in shown(client)


def test_an_administrator_without_a_home_area_reads_every_commune(client, world, trail):
    root = make_user("root2", "admin", None)
    html = listed(as_user(client, root))
    assert "changed a kind of help" in html and "Tổ cũ" in html
    assert 'name="commune"' in shown(client)


def test_the_admin_home_leads_to_the_whole_trail(client, world, trail):
    html = shown(as_user(client, world["admin"]), "/")
    assert 'href="/audit">The whole audit trail' in html
