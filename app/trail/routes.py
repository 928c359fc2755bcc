from flask import Blueprint, Response, abort, request, stream_with_context
from flask_login import current_user

from app.access import find
from app.areas.models import Area, AreaKind
from app.core.domain import refused
from app.core.forms import parse_id
from app.core.rendering import audited_download, render
from app.trail import exports
from app.trail.queries import TrailFilters, action_choices, commune_choices, describe, filters_from, trail_page

bp = Blueprint("trail", __name__, url_prefix="/audit")


def _commune() -> Area | None:
    """The commune the query names, through the user's scope: 404 when it is none of theirs."""
    wanted = request.args.get("commune", "").strip()
    if not wanted:
        return None
    area = find(current_user, Area, wanted)
    if area is None or area.kind != AreaKind.COMMUNE:
        abort(404)
    return area


@bp.get("")
def index():
    """The audit trail of the user's area, newest first, filtered by commune, actor, action and days."""
    context = {"communes": commune_choices(current_user), "actions": action_choices(), "describe": describe}
    commune = _commune()
    with refused() as refusal:
        filters = filters_from(request.args, commune)
    if refusal:
        return render("trail/index.html", "trail/_events.html", http_status=refusal.status, error=refusal.error,
                      filters=TrailFilters(), page=None, **context)
    page = trail_page(current_user, filters, before=parse_id(request.args.get("before")))
    return render("trail/index.html", "trail/_events.html", filters=filters, page=page, error=None, **context)


@bp.get("/export.csv")
@audited_download
def export_csv():
    """The filtered trail as CSV for Excel; the export is recorded in the trail."""
    commune = _commune()
    with refused(abort_on_refusal=True):
        export = exports.trail_csv(current_user, filters_from(request.args, commune))
    response = Response(stream_with_context(export.body), mimetype="text/csv")
    response.headers["Content-Type"] = export.mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
