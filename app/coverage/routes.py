from flask import Blueprint, abort, request
from flask_login import current_user

from app.core.db import local_today
from app.core.domain import refused
from app.core.rendering import render, wants_fragment
from app.coverage import page, queries

bp = Blueprint("coverage", __name__, url_prefix="/coverage")

PAGE, FRAGMENT = "coverage/show.html", "coverage/_coverage.html"


@bp.get("")
def index():
    """Coverage from where the user starts: their home area, or their teams' commune."""
    view = queries.view_for(current_user, None)
    if view is None:
        return render("coverage/none.html")
    return _answer(view)


@bp.get("/<int:area_id>")
def show(area_id: int):
    """Coverage of one area: its child areas' figures, the service matrix, gaps and trend."""
    view = queries.view_for(current_user, area_id)
    if view is None:
        abort(404)
    return _answer(view)


def _answer(view: queries.View):
    today = local_today()
    found = page.choices(view)
    with refused() as refusal:
        filters = page.read_filters(request.args, today, found)
    if refusal:
        return render(PAGE, FRAGMENT, http_status=refusal.status, partial=wants_fragment(),
                      **page.refused_page(view, found, request.args, refusal.error, today))
    return render(PAGE, FRAGMENT, partial=wants_fragment(), **page.coverage_page(view, filters, found, today))
