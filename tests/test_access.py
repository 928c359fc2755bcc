"""The access table: every endpoint has a rule, and each role is tried in and out of scope."""

import pytest

from app.access import ACCESS, ANYONE, allowed, can, find, missing_endpoints, scoped
from app.accounts.models import Role
from app.areas.models import Area
from app.households.models import Household
from app.tasks.models import Task
from app.teams.models import Team
from tests.conftest import make_upload, sign_in

ROLES = [Role.VOLUNTEER, Role.LEADER, Role.STAFF, Role.ADMIN]
USER_FOR_ROLE = {Role.VOLUNTEER: "volunteer", Role.LEADER: "leader", Role.STAFF: "staff", Role.ADMIN: "admin"}


def test_every_endpoint_is_in_the_access_table(app):
    assert missing_endpoints(app) == []
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(ACCESS) - endpoints == set(), "rules for endpoints that no longer exist"


def test_app_refuses_to_start_with_an_endpoint_missing_from_the_table(monkeypatch):
    from app import create_app

    monkeypatch.delitem(ACCESS, "home.index")
    with pytest.raises(RuntimeError, match="home.index"):
        create_app("test")


# One concrete GET per endpoint: (endpoint, path builder from the world fixture).
PAGES = {
    "core.healthz": lambda w: "/healthz",
    "core.manifest": lambda w: "/manifest.webmanifest",
    "core.service_worker": lambda w: "/sw.js",
    "core.offline": lambda w: "/offline",
    "auth.login": lambda w: "/login",
    "home.index": lambda w: "/",
    "areas.show": lambda w: f"/areas/{w['village_a1'].id}",
    "accounts.index": lambda w: "/accounts/",
    "accounts.new": lambda w: "/accounts/new",
    "accounts.show": lambda w: f"/accounts/{w['volunteer'].id}",
    "profile.show": lambda w: "/account/",
    "teams.index": lambda w: "/teams/",
    "teams.new": lambda w: "/teams/new",
    "teams.show": lambda w: f"/teams/{w['team_a'].id}",
    "teams.edit": lambda w: f"/teams/{w['team_a'].id}/edit",
    "teams.members": lambda w: f"/teams/{w['team_a'].id}/members?q=nguyen",
    "teams.stats": lambda w: f"/teams/{w['team_a'].id}/stats",
    "helplogs.new": lambda w: "/logs/new",
    "helplogs.household_options": lambda w: f"/logs/households?village_id={w['village_a1'].id}&q=duc",
    "helplogs.overlaps": lambda w: f"/logs/overlaps?household_id={w['household_a'].id}",
    "helplogs.show": lambda w: f"/logs/{w['log_a'].id}",
    "helplogs.edit": lambda w: f"/logs/{w['log_a'].id}/edit",
    "helplogs.index": lambda w: "/logs",
    "helplogs.offline_household_list": lambda w: "/logs/offline-households",
    "reviews.index": lambda w: "/review",
    "reviews.counts": lambda w: "/nav/counts",
    "tasks.index": lambda w: "/tasks",
    "tasks.new": lambda w: "/tasks/new",
    "tasks.show": lambda w: f"/tasks/{w['task_a'].id}",
    "tasks.edit": lambda w: f"/tasks/{w['task_a'].id}/edit",
    "households.index": lambda w: f"/areas/{w['village_a1'].id}/households",
    "households.show": lambda w: f"/households/{w['household_a'].id}",
    "households.new": lambda w: f"/areas/{w['village_a1'].id}/households/new",
    "households.edit": lambda w: f"/households/{w['household_a'].id}/edit",
    "areas.search": lambda w: "/areas/search?q=thon",
    "areas.new_village": lambda w: f"/areas/{w['commune_a'].id}/villages/new",
    "areas.edit": lambda w: f"/areas/{w['village_a1'].id}/edit",
    "imports.index": lambda w: "/imports/",
    "imports.template": lambda w: "/imports/villages/template.csv",
    "imports.preview": lambda w: waiting_import(w, "villages"),
    "catalog.index": lambda w: "/services/",
    "catalog.edit": lambda w: f"/services/{w['log_a'].services[0].id}/edit",
    "targets.index": lambda w: "/coverage/targets/",
    "targets.edit": lambda w: f"/coverage/targets/{a_target(w).id}/edit",
    "exports.table_csv": lambda w: f"/coverage/{w['commune_a'].id}/export/table.csv",
    "exports.table_xlsx": lambda w: f"/coverage/{w['commune_a'].id}/export/table.xlsx",
    "exports.matrix_csv": lambda w: f"/coverage/{w['commune_a'].id}/export/matrix.csv",
    "exports.matrix_xlsx": lambda w: f"/coverage/{w['commune_a'].id}/export/matrix.xlsx",
    "exports.logs_csv": lambda w: f"/coverage/{w['commune_a'].id}/export/logs.csv",
    "coverage.index": lambda w: "/coverage",
    "coverage.show": lambda w: f"/coverage/{w['village_a1'].id}?period=year",
    "ops.metrics": lambda w: "/metrics",
    "trail.index": lambda w: f"/audit?commune={w['commune_a'].id}&action=helplog.submitted",
    "trail.export_csv": lambda w: audited(w),
    "training.index": lambda w: "/training",
    "bank.questions": lambda w: "/training/questions",
    "bank.new_question": lambda w: "/training/questions/new",
    "bank.edit_question": lambda w: f"/training/questions/{a_session(w).post_quiz.questions[0].id}/edit",
    "bank.quizzes": lambda w: "/training/quizzes",
    "bank.new_quiz": lambda w: "/training/quizzes/new",
    "bank.edit_quiz": lambda w: f"/training/quizzes/{a_session(w).post_quiz_id}/edit",
    "training.new_session": lambda w: "/training/sessions/new",
    "training.show_session": lambda w: f"/training/sessions/{a_session(w).id}",
    "training.session_qr": lambda w: f"/training/sessions/{a_session(w).id}/qr.svg",
    "training.attendee_search": lambda w: f"/training/sessions/{a_session(w).id}/attendees/search?q=vol",
    "training.results": lambda w: f"/training/sessions/{a_session(w).id}/results",
    "training.results_csv": lambda w: f"/training/sessions/{a_session(w).id}/results.csv",
    "training.trainees": lambda w: "/training/people?q=vol",
    "training.trainee": lambda w: f"/training/people/{a_session(w) and w['volunteer'].id}",
    "training.overview": lambda w: "/training/overview",
    "training.team_training": lambda w: f"/training/teams/{w['team_a'].id}",
    "training.readiness": lambda w: f"/training/readiness?assignee_id={w['volunteer'].id}&service_ids=1",
    "take.join": lambda w: "/join",
    "take.test": lambda w: f"/t/{a_session(w).id}/pre",
    "take.result": lambda w: f"/t/{a_session(w).id}/post/result",
}


def audited(w):
    """The trail's CSV of commune A, which holds one event the staff member and the administrator see."""
    from app.audit.services import record
    from app.extensions import db

    record(w["volunteer"], "helplog.submitted", w["log_a"])
    db.session.commit()
    return f"/audit/export.csv?commune={w['commune_a'].id}"


def a_session(w):
    """A session in commune A with both tests open; each of the four users has handed in the
    post-test, so the pre-test page and the post-test result answer each of them."""
    if "session" in w:
        return w["session"]
    from datetime import datetime

    from app.extensions import db
    from app.training import services as training
    from app.training import taking
    from app.training.models import Attendee, QuizState, Stage
    from tests.conftest import make_services

    service = make_services()["VNEID"]
    staff = w["staff"]
    question = training.create_question(staff, training.QuestionInput("Câu?", service.id, ["Có", "Không"], 0))
    quiz = training.create_quiz(staff, training.QuizInput("Bài", 70, [question.id]))
    session = training.create_session(staff, training.SessionInput("Lớp", datetime(2026, 11, 20, 8, 0),
                                                                   w["commune_a"].id, quiz.id, quiz.id))
    session.pre_state = session.post_state = QuizState.OPEN
    for key in USER_FOR_ROLE.values():
        db.session.add(Attendee(session_id=session.id, user_id=w[key].id))
    db.session.commit()
    for key in USER_FOR_ROLE.values():
        taking.submit(w[key], session, Stage.POST)
    w["session"] = session
    return session


def a_target(w):
    """A target in commune A, which the staff member and the administrator keep."""
    from app.coverage.models import ANY, Target
    from app.extensions import db

    target = Target(area_id=w["commune_a"].id, year=w["log_a"].helped_on.year, key=ANY, households=10)
    db.session.add(target)
    db.session.commit()
    return target


def waiting_import(w, kind: str) -> str:
    """The preview of the signed-in keeper's own upload: one waits for each keeper."""
    for username in ("staff", "admin"):
        make_upload(w[username], kind)
    return f"/imports/{kind}/preview"


# Allowed by role, but the probe's object is not theirs: the leader may read the volunteer's
# log, not edit it.
NOT_THEIR_OBJECT = {("helplogs.edit", Role.LEADER)}
# Allowed, and sent on: staff start on the coverage of their area.
REDIRECTED = {("home.index", Role.STAFF)}
POST_ONLY = {"auth.login_submit", "auth.logout"}
# Open to the addresses in METRICS_ALLOWED_ADDRESSES (none in tests) and to administrators:
# anyone else not signed in gets a 404, other roles a 403 (tests/ops/test_metrics.py).
ADDRESS_GATED = {"ops.metrics"}


def test_every_get_endpoint_has_a_probe(app):
    gets = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"}
    assert gets - POST_ONLY == set(PAGES)


@pytest.mark.parametrize("endpoint", sorted(PAGES))
def test_anonymous_access_follows_the_table(client, world, endpoint):
    response = client.get(PAGES[endpoint](world))
    if endpoint in ADDRESS_GATED:
        assert response.status_code == 404
    elif ACCESS[endpoint] == ANYONE:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(PAGES))
def test_signed_in_access_follows_the_table(client, world, role, endpoint):
    sign_in(client, world[USER_FOR_ROLE[role]])
    response = client.get(PAGES[endpoint](world))
    if endpoint == "auth.login":
        assert response.status_code == 302  # already signed in: sent home
    elif (endpoint, role) in NOT_THEIR_OBJECT:
        assert response.status_code == 404
    elif (endpoint, role) in REDIRECTED:
        assert response.status_code == 303
    elif endpoint in ADDRESS_GATED:
        assert response.status_code == (200 if role == Role.ADMIN else 403)
    elif ACCESS[endpoint] == ANYONE or role in ACCESS[endpoint]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


# Area pages: who sees which place (in scope 200, out of scope 404).
AREA_SCOPE = {
    # area key: roles (by username) that see it
    "province": {"admin", "staff"},
    "commune_a": {"admin", "staff", "leader", "volunteer"},
    "village_a1": {"admin", "staff", "leader", "volunteer"},
    "village_a2": {"admin", "staff"},
    "commune_b": {"admin", "staff", "staff_b", "outsider"},
    "village_b1": {"admin", "staff", "staff_b", "outsider"},
}
USERS = ["admin", "staff", "staff_b", "leader", "volunteer", "outsider"]


@pytest.mark.parametrize("username", USERS)
@pytest.mark.parametrize("area_key", sorted(AREA_SCOPE))
def test_area_page_in_scope_200_out_of_scope_404(client, world, username, area_key):
    sign_in(client, world[username])
    response = client.get(f"/areas/{world[area_key].id}")
    expected = 200 if username in AREA_SCOPE[area_key] else 404
    assert response.status_code == expected


def test_unknown_area_is_404_for_admin_too(client, world):
    sign_in(client, world["admin"])
    assert client.get("/areas/999999").status_code == 404


@pytest.mark.parametrize("username,visible", [
    ("admin", {"Nguyễn Văn Đức", "Trần Thị Lan"}),
    ("staff", set()),  # staff see aggregates, never named households
    ("leader", {"Nguyễn Văn Đức"}),
    ("volunteer", {"Nguyễn Văn Đức"}),
    ("outsider", {"Trần Thị Lan"}),
])
def test_household_scope(db, world, username, visible):
    user = world[username]
    names = {h.display_name for h in db.session.scalars(scoped(user, Household))}
    assert names == visible
    for key in ("household_a", "household_b"):
        household = world[key]
        assert can(user, "view", household) == (household.display_name in visible)


@pytest.mark.parametrize("username,visible", [
    ("admin", {"Tổ 1", "Tổ Can Lộc"}),
    ("staff", {"Tổ 1", "Tổ Can Lộc"}),
    ("staff_b", {"Tổ Can Lộc"}),
    ("leader", {"Tổ 1"}),
    ("volunteer", {"Tổ 1"}),
    ("outsider", {"Tổ Can Lộc"}),
])
def test_team_scope(db, world, username, visible):
    assert {t.name for t in db.session.scalars(scoped(world[username], Team))} == visible


@pytest.mark.parametrize("username,manages", [
    ("admin", True), ("leader", True), ("volunteer", False), ("staff", False), ("outsider", False),
])
def test_who_manages_a_team(world, username, manages):
    assert can(world[username], "manage", world["team_a"]) is manages


def test_inactive_team_gives_no_scope(db, world):
    world["team_a"].is_active = False
    db.session.commit()
    assert can(world["volunteer"], "view", world["village_a1"]) is False
    assert list(db.session.scalars(scoped(world["volunteer"], Household))) == []


def test_staff_without_home_area_sees_nothing(db, world):
    world["staff"].home_area = None
    db.session.commit()
    assert list(db.session.scalars(scoped(world["staff"], Area))) == []


def test_allowed_answers_from_the_table_for_links_and_buttons(world):
    from flask_login import AnonymousUserMixin

    nobody = AnonymousUserMixin()
    assert allowed(nobody, "auth.login") and allowed(world["volunteer"], "auth.login")
    assert not allowed(nobody, "home.index") and allowed(world["volunteer"], "home.index")
    assert allowed(world["admin"], "households.anonymise") and not allowed(world["leader"], "households.anonymise")
    assert not allowed(world["admin"], "no.such_endpoint")


def test_find_reads_an_id_from_request_text(db, world):
    task = world["task_a"]
    assert find(world["volunteer"], Task, f" {task.id} ") is task
    assert find(world["volunteer"], Task, str(task.id)) is task
    assert find(world["volunteer"], Task, "1e3") is None and find(world["outsider"], Task, task.id) is None
    assert find(world["leader"], Task, f"{task.id}\n", "manage") is task
    assert find(world["volunteer"], Task, task.id, "manage") is None
