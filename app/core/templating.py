import hashlib
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from flask import current_app, request, url_for
from flask_login import current_user

from flask_babel import lazy_gettext as _l

from app.accounts.models import Role
from app.areas.models import AreaKind
from app.access import allowed
from app.core.text import mask_phone, name_sort_key
from app.helplogs.models import LogStatus, Outcome, ReturnReason
from app.households.models import ConsentMethod
from app.tasks.models import TaskStatus

HTMX_VERSION = "2.0.11"


FIELD_ROLES = (Role.VOLUNTEER, Role.LEADER)


def nav_items() -> list[tuple[str, str, str]]:
    """(endpoint, url, label key) for the signed-in user's role."""
    from flask_babel import gettext as _

    from app.home.services import top_area

    if not current_user.is_authenticated:
        return []
    items = [("home.index", url_for("home.index"), _("Today") if current_user.role in FIELD_ROLES else _("Home"))]
    if current_user.role in FIELD_ROLES:
        items.append(("helplogs.index", url_for("helplogs.index"), _("Logged")))
    if current_user.role in (Role.LEADER, Role.ADMIN):
        items.append(("reviews.index", url_for("reviews.index"), _("Review")))
        items.append(("tasks.index", url_for("tasks.index"), _("Tasks")))
    area = top_area(current_user)
    if area is not None:
        label = _("My villages") if current_user.role in (Role.VOLUNTEER, Role.LEADER) else _("Areas")
        items.append(("areas.show", url_for("areas.show", area_id=area.id), label))
    if current_user.role in (Role.STAFF, Role.ADMIN):
        items.append(("teams.index", url_for("teams.index"), _("Teams")))
        items.append(("imports.index", url_for("imports.index"), _("Imports")))
    if current_user.role == Role.ADMIN:
        items.append(("accounts.index", url_for("accounts.index"), _("Accounts")))
    return items


NAV_BADGES = {"reviews.index": "pending", "home.index": "returned"}


def nav_badge(endpoint: str) -> int | None:
    """The count shown on a navigation item (logs to review, my returned logs), if it has one."""
    from app.reviews.queries import nav_counts

    key = NAV_BADGES.get(endpoint)
    if key is None or not current_user.is_authenticated:
        return None
    return nav_counts(current_user).get(key)


def url_with_lang(lang: str) -> str:
    """The current page in another language (works on error pages too)."""
    args = request.args.to_dict()
    args["lang"] = lang
    return f"{request.path}?{urlencode(args)}"


ROLE_LABELS = {
    Role.VOLUNTEER: _l("Volunteer"),
    Role.LEADER: _l("Team leader"),
    Role.STAFF: _l("Province or commune staff"),
    Role.ADMIN: _l("Administrator"),
}
KIND_LABELS = {
    AreaKind.PROVINCE: _l("Province"),
    AreaKind.DISTRICT: _l("District"),
    AreaKind.COMMUNE: _l("Commune or ward"),
    AreaKind.VILLAGE: _l("Village"),
}


CONSENT_LABELS = {
    ConsentMethod.VERBAL_WITNESSED: _l("Verbally, with a witness"),
    ConsentMethod.SIGNED: _l("Signed on paper"),
}


def consent_label(method: str) -> str:
    return str(CONSENT_LABELS.get(method, method))


def show_phone(phone: str | None, visible: bool) -> str:
    """+84912345678 as 0912 345 678 for the household's teams, 091•••••78 for everyone else."""
    if not phone:
        return ""
    if not visible:
        return mask_phone(phone)
    local = "0" + phone[3:] if phone.startswith("+84") else phone
    return f"{local[:4]} {local[4:7]} {local[7:]}"


ACTION_LABELS = {
    "login.succeeded": _l("signed in"),
    "login.failed": _l("failed sign-in"),
    "login.refused_locked": _l("sign-in refused: paused after wrong passwords"),
    "login.locked": _l("sign-in paused for one device after wrong passwords"),
    "account.locked": _l("account locked after failed sign-ins"),  # events before per-device pauses
    "user.created": _l("created an account"),
    "user.updated": _l("changed an account"),
    "user.activated": _l("reactivated an account"),
    "user.deactivated": _l("deactivated an account"),
    "user.password_reset": _l("reset a password"),
    "user.password_changed": _l("changed their password"),
    "user.signed_out_everywhere": _l("signed out on every device"),
    "team.created": _l("created a team"),
    "team.updated": _l("changed a team"),
    "team.activated": _l("reactivated a team"),
    "team.deactivated": _l("deactivated a team"),
    "team.member_added": _l("added a team member"),
    "team.member_role_changed": _l("changed a team member's role"),
    "team.member_removed": _l("removed a team member"),
    "household.created": _l("added a household"),
    "household.updated": _l("changed a household"),
    "household.anonymised": _l("anonymised a household"),
    "helplog.submitted": _l("logged help"),
    "helplog.updated": _l("changed a log"),
    "helplog.resubmitted": _l("resubmitted a log"),
    "helplog.returned": _l("returned a log"),
    "helplog.approved": _l("approved a log"),
    "helplog.bulk_approved": _l("approved several logs"),
    "task.created": _l("set a task"),
    "task.updated": _l("changed a task"),
    "task.claimed": _l("took a task"),
    "task.released": _l("gave a task back"),
    "task.closed": _l("closed a task"),
    "task.cancelled": _l("cancelled a task"),
}


STATUS_LABELS = {
    LogStatus.SUBMITTED: _l("Submitted"),
    LogStatus.APPROVED: _l("Approved"),
    LogStatus.RETURNED: _l("Returned"),
}
OUTCOME_LABELS = {
    Outcome.DONE: _l("Done"),
    Outcome.PARTLY: _l("Partly"),
    Outcome.FOLLOW_UP: _l("Needs follow-up"),
}
RETURN_REASONS = {
    ReturnReason.WRONG_HOUSEHOLD: _l("Wrong household"),
    ReturnReason.WRONG_SERVICE: _l("Wrong service"),
    ReturnReason.MISSING_DETAILS: _l("Missing details"),
    ReturnReason.DUPLICATE: _l("Duplicate"),
    ReturnReason.OTHER: _l("Other"),
}


HISTORY_LABELS = {
    "helplog.submitted": _l("Sent for review"),
    "helplog.updated": _l("Changed"),
    "helplog.resubmitted": _l("Resubmitted"),
    "helplog.returned": _l("Returned"),
    "helplog.approved": _l("Approved"),
}


TASK_STATUS_LABELS = {
    TaskStatus.ACTIVE: _l("Active"),
    TaskStatus.CLOSED: _l("Closed"),
    TaskStatus.CANCELLED: _l("Cancelled"),
}


def task_status_label(status: str) -> str:
    return str(TASK_STATUS_LABELS.get(status, status))


def history_label(action: str) -> str:
    return str(HISTORY_LABELS.get(action, action))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def outcome_label(outcome: str) -> str:
    return str(OUTCOME_LABELS.get(outcome, outcome))


def return_reason_label(reason: str | None) -> str:
    return str(RETURN_REASONS.get(reason, reason or ""))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def members_in_order(memberships):
    """Leaders first, then by given name."""
    return sorted(memberships, key=lambda m: (not m.is_leader, name_sort_key(m.user.full_name)))


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@cache
def _file_hash(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def asset_url(filename: str) -> str:
    """A static file's URL with its content hash, so it can be cached for a long time."""
    path = Path(current_app.static_folder) / filename
    return url_for("static", filename=filename, v=_file_hash(str(path), path.stat().st_mtime))


def register(app) -> None:
    app.jinja_env.filters["phone"] = show_phone
    app.jinja_env.globals.update(
        asset_url=asset_url, nav_items=nav_items, nav_badge=nav_badge, history_label=history_label,
        RETURN_REASONS=RETURN_REASONS, role_label=role_label, action_label=action_label,
        status_label=status_label, task_status_label=task_status_label, outcome_label=outcome_label, return_reason_label=return_reason_label,
        members_in_order=members_in_order, allowed=lambda endpoint: allowed(current_user, endpoint), kind_label=kind_label, consent_label=consent_label, url_with_lang=url_with_lang, HTMX_VERSION=HTMX_VERSION, Role=Role,
    )
