"""The application shell: what every page carries around the content, the navigation and
the words and helpers templates use. It sits above every domain, so it may import them all."""

from flask import current_app, g, request, url_for
from flask_babel import get_locale, pgettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.access import allowed
from app.accounts.models import Role
from app.areas.models import AreaKind
from app.audit.actions import action_label
from app.helplogs.models import LogStatus, Outcome, ReturnReason
from app.helplogs.queries import change_note, history_label, my_villages
from app.home.services import top_area
from app.households.models import ConsentMethod
from app.reviews.queries import nav_counts
from app.tasks.models import TaskStatus
from app.teams.queries import members_in_order
from app.training.models import QuizState, Stage

FIELD_ROLES = (Role.VOLUNTEER, Role.LEADER)
# The enums templates read values and labels from: ``LogStatus.label_of(log.status)``.
ENUMS = (Role, AreaKind, ConsentMethod, LogStatus, Outcome, ReturnReason, TaskStatus, Stage, QuizState)


def nav_items() -> list[tuple[str, str, str]]:
    """(endpoint, url, label) of the navigation for the signed-in user's role."""
    if not current_user.is_authenticated:
        return []
    field = current_user.role in FIELD_ROLES
    items = []
    if current_user.role != Role.STAFF:  # staff start on coverage: it is their home
        items.append(("home.index", url_for("home.index"), _("Today") if field else _("Home")))
    if field:
        items.append(("helplogs.index", url_for("helplogs.index"), _("Logged")))
    if current_user.role in (Role.LEADER, Role.ADMIN):
        items.append(("reviews.index", url_for("reviews.index"), pgettext("tab", "Review")))
    if current_user.role != Role.STAFF:
        items.append(("tasks.index", url_for("tasks.index"), _("Tasks")))
    if current_user.role in (Role.LEADER, Role.STAFF, Role.ADMIN):
        items.append(("coverage.index", url_for("coverage.index"), _("Coverage")))
    area = _top_area()
    if area is not None:
        items.append(("areas.show", url_for("areas.show", area_id=area.id), _("My villages") if field else _("Areas")))
    if current_user.role in (Role.STAFF, Role.ADMIN):
        items.append(("teams.index", url_for("teams.index"), _("Teams")))
        items.append(("imports.index", url_for("imports.index"), _("Imports")))
    if current_user.role in (Role.STAFF, Role.ADMIN):
        items.append(("training.index", url_for("training.index"), _("Training")))
    if current_user.role == Role.ADMIN:
        items.append(("accounts.index", url_for("accounts.index"), _("Accounts")))
    if current_user.role in (Role.STAFF, Role.ADMIN):
        items.append(("trail.index", url_for("trail.index"), _("Audit trail")))
    return items


def nav_current(endpoint: str, url: str) -> bool:
    """Whether a navigation item is the page shown: its own URL, or any area's coverage."""
    if endpoint == "coverage.index":
        return request.blueprint == "coverage"
    if endpoint == "training.index":
        return request.blueprint == "training"
    return request.path == url


def offline_pages() -> list[str]:
    """The pages the service worker keeps for a field user, fetched once they are online:
    Today, the log form, "My villages" and the page of each of their teams' villages (figures
    and teams, no residents) and the note shown for any other page while offline."""
    if not current_user.is_authenticated or current_user.role not in FIELD_ROLES:
        return []
    pages = [url_for("home.index"), url_for("helplogs.new"), url_for("core.offline")]
    area = _top_area()
    if area is not None:
        pages.append(url_for("areas.show", area_id=area.id))
    pages += [url_for("areas.show", area_id=v.id) for v in my_villages(current_user)]
    return list(dict.fromkeys(pages))


def _top_area():
    """The user's widest area, looked up once per request: the navigation and the offline
    pages both name it."""
    if "top_area" not in g:
        g.top_area = top_area(current_user)
    return g.top_area


_offline_words: dict[str, Markup] = {}


def offline_words() -> Markup:
    """The words offline.js shows without a network: the same for every page in a language,
    so rendered once per language and process (again on each page while templates reload)."""
    language = str(get_locale())
    words = _offline_words.get(language)
    if words is None:
        words = Markup(current_app.jinja_env.get_template("_offline_words.html").render())
        if not current_app.jinja_env.auto_reload:
            _offline_words[language] = words
    return words


NAV_BADGES = {"reviews.index": "pending", "home.index": "returned"}


def nav_badge(endpoint: str) -> int | None:
    """The count shown on a navigation item (logs to review, my returned logs), if it has one."""
    key = NAV_BADGES.get(endpoint)
    if key is None or not current_user.is_authenticated:
        return None
    return nav_counts(current_user).get(key)


def register(app) -> None:
    app.jinja_env.globals.update(
        nav_items=nav_items, nav_badge=nav_badge, nav_current=nav_current,
        allowed=lambda endpoint: allowed(current_user, endpoint),
        history_label=history_label, change_note=change_note, action_label=action_label,
        members_in_order=members_in_order, offline_pages=offline_pages, offline_words=offline_words,
        **{enum.__name__: enum for enum in ENUMS},
    )
