import uuid

from flask import Blueprint, abort, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.access import allowed, can, find, get_or_404
from app.areas.models import Area
from app.core.db import local_today
from app.core.domain import refused
from app.core.forms import db_int, parse_id
from app.core.offline import offline_shell
from app.core.rendering import render, wants_fragment
from app.core.text import mask_phone
from app.core.versioning import Stale
from app.helplogs import services
from app.helplogs.forms import LogForm, LogSubmission, service_groups, whole_form
from app.helplogs.models import HelpLog, LogStatus, Outcome
from app.helplogs.queries import (
    QueueFilters,
    active_services,
    favourite_service_ids,
    last_change,
    last_village_id,
    log_history,
    my_logs,
    my_villages,
    next_waiting,
    offline_households,
)
from app.helplogs.services import BACKDATE_DAYS, LikelyDuplicates, LogInput
from app.households import services as households_services
from app.households.consent import CONSENT_TEXT_VI, CONSENT_VERSION
from app.households.models import ConsentMethod, Household
from app.households.queries import search_households
from app.households.services import Consent, HouseholdData
from app.tasks.models import Task, TaskStatus

bp = Blueprint("helplogs", __name__, url_prefix="/logs")


def _prepare(form: LogForm, villages) -> None:
    form.village_id.choices = [
        SelectChoice(v.id, v.label) for v in villages
    ]
    form.service_ids.choices = [SelectChoice(s.id, s.name) for s in active_services()]


def _form_page(form: LogForm, villages, *, log: HelpLog | None = None, duplicates=None, http_status: int = 200):
    """The form with what it names, each loaded through the user's scope: the village among
    their own, the household and the task only if they may see them."""
    village = next((v for v in villages if v.id == form.village_id.data), None)
    household = find(current_user, Household, form.household_id.data) if village and form.household_id.data else None
    if household is not None and household.village_id != village.id:
        household = None
    household_results = (search_households(current_user, village, q=request.values.get("q", "")[:100], per_page=8)
                         if village is not None else None)
    today = local_today()
    overlaps = services.recent_overlaps(household.id if household else None, form.service_ids.data or [],
                               exclude_log_id=log.id if log else None, today=today)
    usual_services, more_services = service_groups(form.service_ids, favourite_service_ids(current_user))
    return render(
        "helplogs/form.html", "helplogs/_form.html", http_status=http_status,
        form=form, log=log, household=household, duplicates=duplicates, overlaps=overlaps,
        min_day=today.fromordinal(today.toordinal() - BACKDATE_DAYS), today=today,
        consent_text=CONSENT_TEXT_VI, consent_version=CONSENT_VERSION,
        has_villages=bool(villages), household_results=household_results,
        phone_villages=households_services.villages_with_phones(current_user),
        task=find(current_user, Task, form.task_id.data),
        usual_services=usual_services, more_services=more_services,
    )


def _input(form: LogForm) -> LogInput:
    data = LogInput(
        village_id=form.village_id.data, service_ids=list(form.service_ids.data or []),
        helped_on=form.helped_on.data, outcome=Outcome(form.outcome.data),
        people_count=form.people_count.data or 0, note=form.note.data, task_id=form.task_id.data,
    )
    if form.mode.data == "existing":
        data.household_id = form.household_id.data
    elif form.mode.data == "new":
        new = form.new.form
        data.new_household = HouseholdData(
            display_name=new.display_name.data or "", phone=new.phone.data, is_farm=new.is_farm.data,
            is_business=new.is_business.data, member_count=new.member_count.data,
        )
        data.consent = Consent(method=ConsentMethod(new.consent_method.data), witness=new.consent_witness.data)
    return data


# Says how a submission ended, for the phone's outbox replaying it (static/js/outbox.js):
# saved or already saved (sent), or likely duplicates (the volunteer must choose).
LOG_RESULT_HEADER = "X-Log-Result"


def _saved(log: HelpLog, *, created: bool):
    """The confirmation: a fragment in place of the form under htmx, else the log's page."""
    if wants_fragment():
        response = render("helplogs/show.html", "helplogs/_saved.html", log=log, just_saved=True,
                          already=not created)
        response.headers["HX-Push-Url"] = url_for("helplogs.show", log_id=log.id)
    elif created:
        response = redirect(url_for("helplogs.show", log_id=log.id, saved=1), 303)
    else:
        response = render("helplogs/show.html", log=log, just_saved=True, already=True)
    response.headers[LOG_RESULT_HEADER] = "saved" if created else "already"
    return response


@bp.get("/new")
@offline_shell
def new():
    """The log form: village, household (or a new one, or a group), services, outcome, date."""
    villages = my_villages(current_user)
    form = LogForm(formdata=request.args if request.args.get("client_uuid") else None)
    _prepare(form, villages)
    if not form.client_uuid.data:
        form.client_uuid.data = str(uuid.uuid4())
        form.helped_on.data = local_today()
        ids = {v.id for v in villages}
        wanted = request.args.get("village_id", type=db_int)
        task = find(current_user, Task, request.args.get("task_id"))
        if task is not None and task.status == TaskStatus.ACTIVE and task.village_id in ids:
            form.task_id.data, wanted = task.id, task.village_id
            form.service_ids.data = [s.id for s in task.services if s.is_active]
        form.village_id.data = next(
            (i for i in (wanted, last_village_id(current_user)) if i in ids), villages[0].id if villages else None
        )
        form.household_id.data = request.args.get("household_id", type=db_int)
        if request.args.get("mode") in ("new", "group"):
            form.mode.data = request.args["mode"]
    return _form_page(form, villages)


@bp.post("/new")
def create():
    """Save a log. The same client_uuid again answers with the log already saved."""
    form = LogForm() if request.form.get("mode") == "new" else LogSubmission()
    with refused(abort_on_refusal=True):
        client_uuid = services.parse_client_uuid(form.client_uuid.data)
    if not form.validate():
        saved = services.existing_log(current_user, client_uuid)  # a replay is answered whatever it holds
        if saved is not None:
            return _saved(saved, created=False)
        return _form_again(form, http_status=400)
    confirmed_new = form.mode.data == "new" and form.new.form.confirmed_new.data == "1"
    try:
        with refused(form) as refusal:
            log, created = services.submit_log(current_user, client_uuid, _input(form),
                                               ask_about_duplicates=not confirmed_new)
    except LikelyDuplicates as found:
        response = _form_again(form, duplicates=found.duplicates)
        response.headers[LOG_RESULT_HEADER] = "duplicates"
        return response
    if refusal:
        return _form_again(form, http_status=refusal.status)
    return _saved(log, created=created)


def _form_again(form: LogForm, **kwargs):
    """The submitted form once more, with its errors or a question; choices are only loaded now,
    since saving does not need them."""
    form = whole_form(form)
    villages = my_villages(current_user)
    _prepare(form, villages)
    return _form_page(form, villages, **kwargs)


@bp.get("/households")
def household_options():
    """Radio choices of a village's households for the log form (htmx live search)."""
    village = get_or_404(current_user, Area, request.args.get("village_id", type=db_int) or 0)
    q = request.args.get("q", "")[:100]
    results = search_households(current_user, village, q=q, per_page=8)
    return render("helplogs/_household_options.html", results=results, q=q, village=village,
                  selected=request.args.get("household_id", type=db_int),
                  phone_villages=households_services.villages_with_phones(current_user))


@bp.get("/offline-households")
def offline_household_list():
    """What the phone keeps to find a household without a connection (static/js/offline.js):
    the minimum of the user's own teams' villages, phones masked. Never cached by the browser
    or the service worker; the phone stores it in IndexedDB and deletes it on sign-out."""
    villages = my_villages(current_user)
    response = jsonify({
        "villages": [{"id": v.id, "label": v.label} for v in villages],
        "households": [{"id": h.id, "name": h.display_name, "village_id": h.village_id, "key": h.search_key,
                        "phone": mask_phone(h.phone)} for h in offline_households(current_user, villages)],
    })
    response.cache_control.no_store = True
    return response


@bp.get("/overlaps")
def overlaps():
    """The soft warning: this household already had the same help in the last week."""
    household_id = request.args.get("household_id")
    household = get_or_404(current_user, Household, household_id) if household_id else None
    service_ids = request.args.getlist("service_ids", type=db_int)
    found = services.recent_overlaps(household.id if household else None, service_ids)
    return render("helplogs/_overlaps.html", overlaps=found)


@bp.get("/<int:log_id>")
def show(log_id: int):
    """One log: what was logged, its status, and what to do next."""
    log = get_or_404(current_user, HelpLog, log_id)
    reviewer = allowed(current_user, "reviews.approve")
    queue = _queue_filters()
    return render("helplogs/show.html", log=log, just_saved=request.args.get("saved") == "1", already=False,
                  history=log_history(log), queue=queue,
                  can_review=reviewer and log.status == LogStatus.SUBMITTED and can(current_user, "review", log),
                  next_log=next_waiting(current_user, log, queue) if reviewer else None)


def _queue_filters() -> QueueFilters:
    """The review queue's filters a log page was opened with: acting and "next" stay in them."""
    return QueueFilters(author_id=request.args.get("author", type=db_int),
                        village_id=request.args.get("village", type=db_int),
                        service_id=request.args.get("service", type=db_int))


def _own_editable(log_id: int) -> HelpLog:
    log = get_or_404(current_user, HelpLog, log_id)
    if log.author_id != current_user.id:
        abort(404)
    return log


@bp.get("/<int:log_id>/edit")
def edit(log_id: int):
    """Edit a submitted or returned log."""
    log = _own_editable(log_id)
    villages = my_villages(current_user)
    form = LogForm(obj=log)
    _prepare(form, villages)
    form.mode.data = "existing" if log.household_id else "group"
    form.service_ids.data = [s.id for s in log.services]
    form.version.data = str(log.version)
    return _form_page(form, villages, log=log)


@bp.post("/<int:log_id>/edit")
def update(log_id: int):
    """Save the changes; a returned log goes back to the leader."""
    log = _own_editable(log_id)
    villages = my_villages(current_user)
    form = LogForm()
    _prepare(form, villages)
    if form.mode.data == "new":
        form.mode.data = "existing"
    if not form.validate():
        return _form_page(form, villages, log=log, http_status=400)
    try:
        with refused(form) as refusal:
            services.edit_log(current_user, log, _input(form), version=parse_id(form.version.data))
    except Stale:
        return _changed(log)
    if refusal:
        return _form_page(form, villages, log=log, http_status=refusal.status)
    return _saved(log, created=True)


def _changed(log: HelpLog):
    """The log moved on while the author edited it (a leader approved or returned it): 409 with
    its current state; nothing was saved."""
    return render("helplogs/show.html", "helplogs/_changed.html", http_status=409, log=log, changed=True,
                  just_saved=False, already=False, history=log_history(log), last_change=last_change(log))


@bp.get("")
def index():
    """My logs, newest first, with a status filter."""
    status = request.args.get("status") or None
    if status is not None and status not in set(LogStatus):
        abort(400, description=_("Unknown status. Choose one of the tabs."))
    page = max(request.args.get("page", 1, type=db_int), 1)
    return render("helplogs/index.html", "helplogs/_list.html",
                  logs=my_logs(current_user, status=status, page=page), filter_status=status)

