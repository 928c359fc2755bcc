from flask import Blueprint, Response, abort, request, send_file, stream_with_context
from flask_login import current_user

from app.core.db import local_today
from app.core.domain import refused
from app.core.rendering import audited_download
from app.coverage import exports, log_export
from app.coverage.exports import Export
from app.coverage.periods import period_from

bp = Blueprint("exports", __name__, url_prefix="/coverage/<int:area_id>/export")


def _view(area_id: int):
    """The area as the user sees it on the coverage page; 404 outside their coverage."""
    view = exports.find_view(current_user, area_id)
    if view is None:
        abort(404)
    return view


def _send(export: Export):
    if isinstance(export.body, bytes):
        response = Response(export.body, mimetype="text/csv")
        response.headers["Content-Type"] = export.mimetype
        response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    else:
        response = send_file(export.body, mimetype=export.mimetype, as_attachment=True,
                             download_name=export.filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _sheet(area_id: int, what: str, fmt: str):
    """Parse the page's query, write the file through the export service, send it."""
    view = _view(area_id)
    with refused(abort_on_refusal=True):
        selection = exports.selection_from(request.args, local_today())
        writer = exports.table_export if what == "table" else exports.matrix_export
        export = writer(current_user, view, selection, fmt)
    return _send(export)


@bp.get("/table.csv")
@audited_download
def table_csv(area_id: int):
    """The coverage table as the page shows it, as CSV for Excel."""
    return _sheet(area_id, "table", "csv")


@bp.get("/table.xlsx")
@audited_download
def table_xlsx(area_id: int):
    """The coverage table as an Excel workbook."""
    return _sheet(area_id, "table", "xlsx")


@bp.get("/matrix.csv")
@audited_download
def matrix_csv(area_id: int):
    """Households reached per kind of help, as CSV."""
    return _sheet(area_id, "matrix", "csv")


@bp.get("/matrix.xlsx")
@audited_download
def matrix_xlsx(area_id: int):
    """Households reached per kind of help, as an Excel workbook."""
    return _sheet(area_id, "matrix", "xlsx")


@bp.get("/logs.csv")
@audited_download
def logs_csv(area_id: int):
    """The area's help logs in the period, pseudonymised, streamed row batch by row batch."""
    view = _view(area_id)
    with refused(abort_on_refusal=True):
        export = log_export.logs_csv(current_user, view, period_from(request.args, local_today()))
    response = Response(stream_with_context(export.body), mimetype="text/csv")
    response.headers["Content-Type"] = export.mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
