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
from app.extensions import db, login_manager
from app.households.models import Household
from app.teams.models import MemberRole, Membership, Team, team_villages

ANYONE = "anyone"
SIGNED_IN = frozenset(Role)
ADMIN = frozenset({Role.ADMIN})

ACCESS: dict[str, str | frozenset[str]] = {
    "static": ANYONE,
    "core.healthz": ANYONE,
    "auth.login": ANYONE,
    "auth.login_submit": ANYONE,
    "auth.logout": SIGNED_IN,
    "home.index": SIGNED_IN,
    "areas.show": SIGNED_IN,
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


def area_filter(user: User):
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.STAFF:
        return Area.subtree(user.home_area.path) if user.home_area else false()
    commune_ids = select(Team.commune_id).where(Team.id.in_(team_ids(user)))
    return or_(Area.id.in_(village_ids(user)), Area.id.in_(commune_ids))


def team_filter(user: User):
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.STAFF:
        if not user.home_area:
            return false()
        return Team.commune_id.in_(select(Area.id).where(Area.subtree(user.home_area.path)))
    return Team.id.in_(team_ids(user))


def household_filter(user: User):
    """Staff see aggregates only, never named households (DESIGN §5)."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.STAFF:
        return false()
    return Household.village_id.in_(village_ids(user))


FILTERS = {Area: area_filter, Team: team_filter, Household: household_filter}


def scoped(user: User, model):
    """``select(model)`` limited to what ``user`` may see."""
    return select(model).where(FILTERS[model](user))


def can(user: User, action: str, obj) -> bool:
    """May ``user`` do ``action`` ("view" or "manage") to ``obj``?"""
    model = type(obj)
    if action == "view":
        return db.session.scalar(
            select(model.id).where(model.id == obj.id, FILTERS[model](user))
        ) is not None
    if action == "manage":
        if user.role == Role.ADMIN:
            return True
        if model is Team:
            return db.session.scalar(
                select(Team.id).where(Team.id == obj.id, Team.id.in_(team_ids(user, leading=True)))
            ) is not None
        return False
    raise ValueError(f"unknown action {action!r}")


def get_or_404(user: User, model, ident, action: str = "view"):
    """The object when ``user`` may ``action`` it; a 404 otherwise, as if it did not exist."""
    obj = db.session.get(model, ident)
    if obj is None or not can(user, action, obj):
        abort(404)
    return obj
