"""Who may do what: the one place that answers it.

``ACCESS`` lists every endpoint with the roles that may call it; a request to an endpoint
missing from the table is refused, and a test walks ``app.url_map`` against it. Object
rules come from the user's role and areas only (DESIGN §5): ``can`` answers for one object,
the ``*_filter`` functions build the same rule into queries, and ``get_or_404`` hides what
is out of scope.
"""

from flask import abort, request
from sqlalchemy import false, or_, select, true

from app.accounts.models import Role, User
from app.areas.models import Area
from app.audit.models import AuditEvent
from app.core.forms import parse_id
from app.extensions import db, login_manager
from app.helplogs.models import HelpLog
from app.households.models import Household
from app.tasks.models import Task
from app.teams.models import MemberRole, Membership, Team, team_villages
from app.training.models import Question, Quiz, TrainingSession

ANYONE = "anyone"
SIGNED_IN = frozenset(Role)
ADMIN = frozenset({Role.ADMIN})
# Administrators and leaders; the object rule then asks for a team they lead.
TEAM_MANAGERS = frozenset({Role.LEADER, Role.ADMIN})
# Named households are for the field and administrators; staff see aggregates (DESIGN §5).
FIELD = frozenset({Role.VOLUNTEER, Role.LEADER, Role.ADMIN})
# Logging help is done by team members in the field.
FIELD_TEAM = frozenset({Role.VOLUNTEER, Role.LEADER})
# Villages, targets and imports are kept by the commune (or province) staff and administrators.
PLACE_KEEPERS = frozenset({Role.STAFF, Role.ADMIN})
# Coverage figures: whoever has a coverage page (a leader, their teams' villages).
COVERAGE_READERS = frozenset({Role.LEADER, Role.STAFF, Role.ADMIN})
# Trainers: staff and administrators write the question bank and run sessions. The bank is one
# for the province (questions hold no personal data); a session is seen by trainers whose home
# area holds its commune (province staff: every session; commune staff and administrators:
# their commune's; an administrator without a home area: all). Staff see no household data here.
TRAINERS = frozenset({Role.STAFF, Role.ADMIN})
# Taking a test: anyone signed in, on the list of the session or joining it with its code; the
# test pages then load the session only for someone on its list (404 otherwise).
TRAINEES = SIGNED_IN

ACCESS: dict[str, str | frozenset[str]] = {
    "static": ANYONE,
    "core.healthz": ANYONE,
    # The view itself admits METRICS_ALLOWED_ADDRESSES and administrators (404 / 403 otherwise).
    "ops.metrics": ANYONE,
    # The app shell is the same for everyone and names nobody.
    "core.manifest": ANYONE,
    "core.service_worker": ANYONE,
    "core.offline": ANYONE,
    "auth.login": ANYONE,
    "auth.login_submit": ANYONE,
    "auth.logout": SIGNED_IN,
    "home.index": SIGNED_IN,
    "areas.show": SIGNED_IN,
    "accounts.index": ADMIN,
    "accounts.new": ADMIN,
    "accounts.create": ADMIN,
    "accounts.show": ADMIN,
    "accounts.update": ADMIN,
    "accounts.deactivate": ADMIN,
    "accounts.reactivate": ADMIN,
    "accounts.reset_password": ADMIN,
    "profile.show": SIGNED_IN,
    "profile.change_password": SIGNED_IN,
    "profile.change_language": SIGNED_IN,
    "profile.sign_out_everywhere": SIGNED_IN,
    "teams.index": SIGNED_IN,
    "teams.show": SIGNED_IN,
    "teams.new": ADMIN,
    "teams.create": ADMIN,
    "teams.edit": ADMIN,
    "teams.update": ADMIN,
    "teams.deactivate": ADMIN,
    "teams.reactivate": ADMIN,
    "teams.members": TEAM_MANAGERS,
    "teams.add_member": TEAM_MANAGERS,
    "teams.set_member_role": TEAM_MANAGERS,
    "teams.remove_member": TEAM_MANAGERS,
    "teams.stats": TEAM_MANAGERS,
    "helplogs.new": FIELD_TEAM,
    "helplogs.create": FIELD_TEAM,
    "helplogs.household_options": FIELD_TEAM,
    "helplogs.overlaps": FIELD_TEAM,
    "helplogs.show": FIELD,
    "helplogs.edit": FIELD_TEAM,
    "helplogs.update": FIELD_TEAM,
    "helplogs.index": FIELD_TEAM,
    "helplogs.offline_household_list": FIELD_TEAM,
    "reviews.index": TEAM_MANAGERS,
    "reviews.approve": TEAM_MANAGERS,
    "reviews.return_": TEAM_MANAGERS,
    "reviews.approve_selected": TEAM_MANAGERS,
    "reviews.counts": FIELD_TEAM,
    "tasks.index": FIELD,
    "tasks.new": TEAM_MANAGERS,
    "tasks.create": TEAM_MANAGERS,
    "tasks.show": FIELD,
    "tasks.edit": TEAM_MANAGERS,
    "tasks.update": TEAM_MANAGERS,
    "tasks.close": TEAM_MANAGERS,
    "tasks.cancel": TEAM_MANAGERS,
    "tasks.claim": FIELD_TEAM,
    "tasks.release": FIELD_TEAM,
    "households.index": FIELD,
    "households.show": FIELD,
    "households.new": FIELD,
    "households.create": FIELD,
    "households.edit": FIELD,
    "households.update": FIELD,
    "households.anonymise": ADMIN,
    "areas.search": SIGNED_IN,
    "areas.new_village": PLACE_KEEPERS,
    "areas.create_village": PLACE_KEEPERS,
    "areas.edit": PLACE_KEEPERS,
    "areas.update": PLACE_KEEPERS,
    "catalog.index": ADMIN,
    "catalog.edit": ADMIN,
    "catalog.update": ADMIN,
    "areas.deactivate": PLACE_KEEPERS,
    "areas.reactivate": PLACE_KEEPERS,
    "imports.index": PLACE_KEEPERS,
    "imports.template": PLACE_KEEPERS,
    "imports.upload": PLACE_KEEPERS,
    "imports.preview": PLACE_KEEPERS,
    "imports.confirm": PLACE_KEEPERS,
    "targets.index": PLACE_KEEPERS,
    "targets.save": PLACE_KEEPERS,
    "targets.edit": PLACE_KEEPERS,
    "targets.delete": PLACE_KEEPERS,
    "exports.table_csv": COVERAGE_READERS,
    "exports.table_xlsx": COVERAGE_READERS,
    "exports.matrix_csv": COVERAGE_READERS,
    "exports.matrix_xlsx": COVERAGE_READERS,
    # A list of visits, pseudonymised, for reports: staff and administrators only (DESIGN §5).
    "exports.logs_csv": PLACE_KEEPERS,
    "coverage.index": COVERAGE_READERS,
    "coverage.show": COVERAGE_READERS,
    # The audit trail of the user's area; its rows are scoped by access.audit_filter.
    "trail.index": PLACE_KEEPERS,
    "trail.export_csv": PLACE_KEEPERS,
    "training.index": TRAINERS,
    "bank.questions": TRAINERS,
    "bank.new_question": TRAINERS,
    "bank.create_question": TRAINERS,
    "bank.edit_question": TRAINERS,
    "bank.update_question": TRAINERS,
    "bank.quizzes": TRAINERS,
    "bank.new_quiz": TRAINERS,
    "bank.create_quiz": TRAINERS,
    "bank.edit_quiz": TRAINERS,
    "bank.update_quiz": TRAINERS,
    "training.new_session": TRAINERS,
    "training.create_session": TRAINERS,
    "training.show_session": TRAINERS,
    "training.session_qr": TRAINERS,
    "training.attendee_search": TRAINERS,
    "training.add_attendee": TRAINERS,
    "training.add_new_attendee": TRAINERS,
    "training.remove_attendee": TRAINERS,
    "training.set_state": TRAINERS,
    "training.save_improvement": TRAINERS,
    "training.results": TRAINERS,
    "training.results_csv": TRAINERS,
    "training.trainees": TRAINERS,
    "training.trainee": TRAINERS,
    "training.overview": TRAINERS,
    # Who in a team is trained for what: those who see a team's work (leaders, staff, administrators).
    "training.team_training": COVERAGE_READERS,
    # The soft warning on a task form, for those who set tasks.
    "training.readiness": TEAM_MANAGERS,
    "take.join": TRAINEES,
    "take.join_submit": TRAINEES,
    "take.test": TRAINEES,
    "take.answer": TRAINEES,
    "take.submit": TRAINEES,
    "take.result": TRAINEES,
    "take.feedback": TRAINEES,
}


def enforce_access():
    """Before each request: apply the access table; unknown endpoints are refused."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no route matched: Flask answers 404 or 405 itself
    allowed = ACCESS.get(endpoint)
    if allowed is None:
        abort(404)
    if allowed == ANYONE:
        return None
    from flask_login import current_user

    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in allowed:
        abort(403)
    return None


def allowed(user, endpoint: str) -> bool:
    """Whether the access table lets ``user`` call ``endpoint`` (for showing links and buttons)."""
    rule = ACCESS.get(endpoint)
    if rule == ANYONE:
        return True
    return rule is not None and user.is_authenticated and user.role in rule


def missing_endpoints(app) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()} - ACCESS.keys())


def team_ids(user: User, *, leading: bool = False):
    stmt = select(Membership.team_id).join(Team).where(Membership.user_id == user.id, Team.is_active)
    if leading:
        stmt = stmt.where(Membership.role == MemberRole.LEADER)
    return stmt


def village_ids(user: User):
    """The villages of the user's active teams."""
    return select(team_villages.c.village_id).where(team_villages.c.team_id.in_(team_ids(user)))


def _in_home_area(user: User, area_id_column):
    """``area_id_column`` names an area inside the user's home area; anywhere without one."""
    if user.home_area is None:
        return true()
    return area_id_column.in_(select(Area.id).where(Area.subtree(user.home_area.path)))


def area_filter(user: User):
    if user.role == Role.ADMIN:
        return Area.subtree(user.home_area.path) if user.home_area else true()
    if user.role == Role.STAFF:
        return Area.subtree(user.home_area.path) if user.home_area else false()
    commune_ids = select(Team.commune_id).where(Team.id.in_(team_ids(user)))
    return or_(Area.id.in_(village_ids(user)), Area.id.in_(commune_ids))


def manages_places(user: User, area: Area) -> bool:
    """Villages of a commune are kept by admins and by staff whose home area holds it
    (the commune itself or the province); an admin with a home area keeps that area only."""
    if user.role == Role.ADMIN:
        return user.home_area is None or area.is_within(user.home_area)
    if user.role == Role.STAFF:
        return user.home_area is not None and area.is_within(user.home_area)
    return False


def _teams_in_home_area(user: User):
    """An administrator's teams: those of communes inside their home area (all without one)."""
    return _in_home_area(user, Team.commune_id)


def team_filter(user: User):
    if user.role == Role.ADMIN:
        return _teams_in_home_area(user)
    if user.role == Role.STAFF:
        if not user.home_area:
            return false()
        return Team.commune_id.in_(select(Area.id).where(Area.subtree(user.home_area.path)))
    return Team.id.in_(team_ids(user))


def user_filter(user: User):
    """Accounts: an administrator manages those homed inside their own area (all of them when
    they have none; a province administrator also those without one); others only their own."""
    if user.role != Role.ADMIN:
        return User.id == user.id
    if user.home_area is None:
        return true()
    inside = User.home_area_id.in_(select(Area.id).where(Area.subtree(user.home_area.path)))
    if user.home_area.parent_id is None:
        return or_(inside, User.home_area_id.is_(None))
    return inside


def household_filter(user: User):
    """Staff see aggregates only, never named households (DESIGN §5); an administrator sees
    those of their home area."""
    if user.role == Role.ADMIN:
        return _in_home_area(user, Household.village_id)
    if user.role == Role.STAFF:
        return false()
    return Household.village_id.in_(village_ids(user))


def helplog_filter(user: User):
    """Volunteers see their own logs; leaders also their teams'; staff only aggregates;
    administrators those of their home area."""
    if user.role == Role.ADMIN:
        return _in_home_area(user, HelpLog.village_id)
    if user.role == Role.STAFF:
        return false()
    return or_(HelpLog.author_id == user.id, HelpLog.team_id.in_(team_ids(user, leading=True)))


def review_filter(user: User):
    """The logs ``user`` reviews: those of the teams they lead; an administrator, those of
    their home area."""
    if user.role == Role.ADMIN:
        return _in_home_area(user, HelpLog.village_id)
    if user.role != Role.LEADER:
        return false()
    return HelpLog.team_id.in_(team_ids(user, leading=True))


def task_filter(user: User):
    """Tasks are seen by the team's members (who may claim or do them) and administrators."""
    if user.role == Role.ADMIN:
        return _in_home_area(user, Task.village_id)
    if user.role == Role.STAFF:
        return false()
    return Task.team_id.in_(team_ids(user))


def audit_filter(user: User):
    """The audit trail: staff and administrators of the province (or an administrator without a
    home area) read every event, those with a place and those without (a province account's
    sign-in, a change to the catalogue); a commune's staff and administrators the events whose
    place lies in their commune (AuditEvent.area_id); nobody else any."""
    if user.role not in PLACE_KEEPERS:
        return false()
    if user.home_area is None:
        return true() if user.role == Role.ADMIN else false()
    if user.home_area.parent_id is None:
        return true()
    return AuditEvent.area_id.in_(select(Area.id).where(Area.subtree(user.home_area.path)))


def training_filter(user: User):
    """Sessions a trainer sees: those of communes inside their home area (see TRAINERS)."""
    if user.role == Role.ADMIN:
        return _in_home_area(user, TrainingSession.commune_id)
    if user.role == Role.STAFF:
        return _in_home_area(user, TrainingSession.commune_id) if user.home_area else false()
    return false()


def bank_filter(user: User):
    """The question bank and quizzes: one for the province, kept by every trainer."""
    return true() if user.role in TRAINERS else false()


FILTERS = {Area: area_filter, Team: team_filter, Household: household_filter, User: user_filter,
           HelpLog: helplog_filter, Task: task_filter, TrainingSession: training_filter,
           Question: bank_filter, Quiz: bank_filter}


def scoped(user: User, model):
    """``select(model)`` limited to what ``user`` may see."""
    return select(model).where(FILTERS[model](user))


def can(user: User, action: str, obj) -> bool:
    """May ``user`` do ``action`` ("view", "manage", or "review" for a log) to ``obj``?"""
    model = type(obj)
    if action == "view":
        return db.session.scalar(
            select(model.id).where(model.id == obj.id, FILTERS[model](user))
        ) is not None
    if action == "review" and model is HelpLog:
        return db.session.scalar(select(HelpLog.id).where(HelpLog.id == obj.id, review_filter(user))) is not None
    if action == "manage":
        if model is User:
            return user.role == Role.ADMIN and can(user, "view", obj)
        if user.role == Role.ADMIN:
            return can(user, "view", obj)
        if model is Team:
            return db.session.scalar(
                select(Team.id).where(Team.id == obj.id, Team.id.in_(team_ids(user, leading=True)))
            ) is not None
        if model is Task:
            return db.session.scalar(
                select(Task.id).where(Task.id == obj.id, Task.team_id.in_(team_ids(user, leading=True)))
            ) is not None
        return False
    raise ValueError(f"unknown action {action!r}")


def find(user: User, model, ident, action: str = "view"):
    """The object named by ``ident`` (request text or an int) when ``user`` may ``action`` it;
    None when it does not exist, is out of scope or ``ident`` is no id at all."""
    ident = parse_id(ident.strip() if isinstance(ident, str) else ident)
    if ident is None:
        return None
    if action == "view":
        return db.session.scalar(scoped(user, model).where(model.id == ident))
    obj = db.session.get(model, ident)
    return obj if obj is not None and can(user, action, obj) else None


def get_or_404(user: User, model, ident, action: str = "view"):
    """The object when ``user`` may ``action`` it; a 404 otherwise, as if it did not exist."""
    obj = find(user, model, ident, action)
    if obj is None:
        abort(404)
    return obj
