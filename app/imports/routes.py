import csv
import io

from flask import Blueprint, abort, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BaseConverter, ValidationError

from app.core.forms import db_int
from app.core.i18n import format_number
from app.core.rendering import render
from app.imports import services
from app.imports.forms import UploadForm
from app.imports.reading import MAX_BYTES, MAX_ROWS, ImportFileError, too_large_message
from app.imports.rows import Status
from app.imports.services import KINDS

bp = Blueprint("imports", __name__, url_prefix="/imports")


class KindConverter(BaseConverter):
    """A kind of import file: one of KINDS, which some kinds join when the app starts."""

    regex = "[a-z_]+"

    def to_python(self, value: str) -> str:
        if value not in KINDS:
            raise ValidationError()
        return value


# Recorded before any route, so the converter is there when the rules are added.
bp.record_once(lambda state: state.app.url_map.converters.setdefault("import_kind", KindConverter))
KIND = "<import_kind:kind>"
PER_PAGE = 100
# The form fields around the file: the multipart body may exceed the file limit a little.
UPLOAD_BODY_LIMIT = MAX_BYTES + 64 * 1024


@bp.url_value_preprocessor
def allow_uploads(endpoint, values):
    """Uploads may be larger than other requests. This runs before the app's before_request
    hooks, one of which (CSRF) reads the form, so the larger limit applies to that read."""
    if endpoint == "imports.upload":
        request.max_content_length = UPLOAD_BODY_LIMIT


def _index(forms=None, *, kind=None, error=None, status=200):
    forms = forms or {}
    return render("imports/index.html", http_status=status, kinds=KINDS, error_kind=kind, error=error,
                  forms={k: forms.get(k) or UploadForm(formdata=None) for k in KINDS},
                  max_mb=MAX_BYTES // (1024 * 1024), max_rows=MAX_ROWS)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    kind = (request.view_args or {}).get("kind")
    return _index(kind=kind, error=too_large_message(), status=413)


@bp.get("/")
def index():
    """Import villages or households from CSV: the templates and the upload forms."""
    return _index()


@bp.get(f"/{KIND}/template.csv")
def template(kind: str):
    """A CSV template with the columns and two example rows, UTF-8 with BOM for Excel."""
    spec = KINDS[kind]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(spec.COLUMNS)
    writer.writerows(spec.EXAMPLE)
    response = make_response("\ufeff" + out.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="gocua-{kind}-template.csv"'
    return response


@bp.post(f"/{KIND}/upload")
def upload(kind: str):
    """Keep the file on the server and show what importing it would do."""
    form = UploadForm()
    if not form.validate():
        return _index({kind: form}, kind=kind, status=400)
    file = form.file.data
    try:
        services.stage_upload(current_user, kind, file.filename, file.read(MAX_BYTES + 1))
    except ImportFileError as error:
        return _index({kind: form}, kind=kind, error=error.message, status=error.status)
    return redirect(url_for("imports.preview", kind=kind), 303)


@bp.get(f"/{KIND}/preview")
def preview(kind: str):
    """Each row of the last upload as new, duplicate or error with the reason, before anything
    is written; once confirmed, what was written."""
    upload = services.latest_upload(current_user, kind)
    if upload is None:
        flash(_("Upload a file first."), "info")
        return redirect(url_for("imports.index"), 303)
    if upload.confirmed_at:
        return render("imports/done.html", upload=upload, spec=KINDS[kind])
    result = services.preview(current_user, upload)
    counts = result.counts
    show = request.args.get("show", Status.ERROR if counts[Status.ERROR] else "all")
    if show not in (*Status, "all"):
        show = "all"
    rows = [row for row in result.rows if show == "all" or row.status == show]
    pages = max((len(rows) + PER_PAGE - 1) // PER_PAGE, 1)
    page = min(max(request.args.get("page", 1, type=db_int), 1), pages)
    return render("imports/preview.html", "imports/_rows.html", upload=upload, columns=KINDS[kind].COLUMNS,
                  counts=counts, total=len(result.rows), show=show, page_no=page, pages=pages,
                  rows=rows[(page - 1) * PER_PAGE: page * PER_PAGE])


@bp.post(f"/{KIND}/confirm")
def confirm(kind: str):
    """Write the new rows of the previewed file, all together, and log the import."""
    try:
        upload = services.confirm(current_user, kind, request.form.get("token", ""))
    except ImportFileError as error:
        abort(error.status, description=str(error.message))
    saved, n = getattr(KINDS[kind], "SAVED", None), format_number(upload.created_rows)
    flash(saved % {"n": n} if saved else _("Import done: %(n)s new rows saved.", n=n), "success")
    return redirect(url_for("imports.preview", kind=kind), 303)
