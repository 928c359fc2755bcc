from urllib.parse import urlencode

from flask import request, url_for
from flask_login import current_user

from flask_babel import lazy_gettext as _l

from app.accounts.models import Role
from app.areas.models import AreaKind

HTMX_VERSION = "2.0.11"


def nav_items() -> list[tuple[str, str, str]]:
    """(endpoint, url, label key) for the signed-in user's role."""
    from flask_babel import gettext as _

    from app.home.services import top_area

    if not current_user.is_authenticated:
        return []
    items = [("home.index", url_for("home.index"), _("Home"))]
    area = top_area(current_user)
    if area is not None:
        label = _("My villages") if current_user.role in (Role.VOLUNTEER, Role.LEADER) else _("Areas")
        items.append(("areas.show", url_for("areas.show", area_id=area.id), label))
    return items


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


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def register(app) -> None:
    app.jinja_env.globals.update(
        nav_items=nav_items, role_label=role_label, kind_label=kind_label, url_with_lang=url_with_lang, HTMX_VERSION=HTMX_VERSION, Role=Role,
    )
