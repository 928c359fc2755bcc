from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import get_or_404
from app.core.domain import refused
from app.core.forms import db_int
from app.core.rendering import render, wants_fragment
from app.core.versioning import Stale
from app.helplogs.models import HelpLog
from app.helplogs.queries import QueueFilters, last_change, log_history, next_waiting
from app.reviews import services
from app.reviews.forms import ApproveForm, ReturnForm, parse_selection, version_of
from app.reviews.queries import filter_choices, nav_counts, review_queue, waiting_count

bp = Blueprint("reviews", __name__)
# An htmx event: the navigation badges fetch their counts again at once.
COUNTS_CHANGED = "nav-counts-changed"


def _filters() -> QueueFilters:
    return QueueFilters(author_id=request.args.get("author", type=db_int),
                        village_id=request.args.get("village", type=db_int),
                        service_id=request.args.get("service", type=db_int))


def _page() -> int:
    return max(request.args.get("page", 1, type=db_int), 1)


def _queue_url(**extra) -> str:
    return url_for("reviews.index", **_filters().args(), page=_page(), **extra)


def _on_log_page() -> bool:
    """The action was taken on the log's own page (opened from a review row or a task)."""
    return request.form.get("where") == "log"


def _answer(log: HelpLog, *, http_status: int = 200, changed: bool = False, return_form=None, message=None):
    """Where the reviewer goes after acting: on the log's page, to the next waiting log (or the
    page again when something needs their eye); in the queue, the row in place."""
    if not _on_log_page():
        return _row(log, http_status=http_status, changed=changed, return_form=return_form, message=message)
    filters = _filters()
    if http_status == 200:
        flash(message, "success")
        following = next_waiting(current_user, log, filters)
        return redirect(url_for("helplogs.show", log_id=following.id, **filters.args()) if following
                        else url_for("reviews.index", **filters.args()), 303)
    return render("helplogs/show.html", http_status=http_status, log=log, just_saved=False, already=False,
                  history=log_history(log), review_changed=changed, last_change=last_change(log) if changed else None,
                  can_review=log.status == "submitted", next_log=next_waiting(current_user, log, filters),
                  queue=filters, return_form=return_form)


def _row(log: HelpLog, *, http_status: int = 200, changed: bool = False, return_form=None, message=None):
    """The log's row in its current state (htmx), with the queue's count out of band; without
    JavaScript, back to the queue, or a page with the row when something needs the reviewer's eye."""
    filters = _filters()
    context = dict(log=log, changed=changed, return_form=return_form, filters=filters, page_no=_page(),
                   last_change=last_change(log) if changed else None)
    if wants_fragment() or http_status != 200:
        response = render("reviews/row.html", "reviews/_row_update.html", http_status=http_status,
                          waiting=waiting_count(current_user, filters), **context)
        response.headers["HX-Trigger"] = COUNTS_CHANGED
        return response
    flash(message, "success")
    return redirect(_queue_url(), 303)


@bp.get("/review")
def index():
    """Submitted logs of the teams the user leads, oldest first, with filters."""
    filters = _filters()
    logs = review_queue(current_user, filters, page=_page())
    return render("reviews/index.html", "reviews/_queue.html", logs=logs, filters=filters, page_no=_page(),
                  **filter_choices(current_user))


@bp.post("/review/<int:log_id>/approve")
def approve(log_id: int):
    """Approve one log, as it was when the reviewer saw it."""
    log = get_or_404(current_user, HelpLog, log_id, "review")
    form = ApproveForm()
    if not form.validate():
        abort(400)
    try:
        services.approve_log(current_user, log, version=version_of(form.version))
    except Stale:
        return _answer(log, http_status=409, changed=True)
    return _answer(log, message=_("Approved."))


@bp.post("/review/<int:log_id>/return")
def return_(log_id: int):
    """Send one log back to its author with a reason and a comment."""
    log = get_or_404(current_user, HelpLog, log_id, "review")
    form = ReturnForm()
    if not form.validate():
        abort(400)
    try:
        with refused(form) as refusal:
            services.return_log(current_user, log, version=version_of(form.version), reason=form.reason.data,
                       comment=form.comment.data)
    except Stale:
        return _answer(log, http_status=409, changed=True)
    if refusal:
        return _answer(log, http_status=refusal.status, return_form=form)
    return _answer(log, message=_("Returned to the volunteer."))


@bp.post("/review/approve")
def approve_selected():
    """Approve the ticked logs in one transaction; changed ones are left alone and named."""
    if not ApproveForm().validate():
        abort(400)
    with refused(abort_on_refusal=True):
        result = services.approve_many(current_user, parse_selection(request.form.getlist("log")))
    if wants_fragment():
        filters = _filters()
        response = render("reviews/_queue.html", logs=review_queue(current_user, filters, page=_page()),
                          filters=filters, page_no=_page(), result=result, **filter_choices(current_user))
        response.headers["HX-Trigger"] = COUNTS_CHANGED
        return response
    if result.approved:
        flash(_("%(num)d logs approved.", num=len(result.approved)), "success")
    for log in result.stale:
        flash(_("Not approved, it changed meanwhile: %(name)s.", name=log_name(log)), "error")
    if not result.approved and not result.stale:
        flash(_("Tick the logs to approve first."), "error")
    return redirect(_queue_url(), 303)


def log_name(log: HelpLog) -> str:
    if log.household is None:
        return _("group session in %(village)s", village=log.village.name)
    return log.household.display_name or _("Anonymised household")


@bp.get("/nav/counts")
def counts():
    """The navigation badges, for htmx polling: swapped in out of band."""
    return render("reviews/_nav_counts.html", counts=nav_counts(current_user))
