from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.access import FIELD_TEAM, can, get_or_404
from app.core.db import local_today
from app.core.domain import refused
from app.core.forms import db_int
from app.core.rendering import done, render, wants_fragment
from app.core.versioning import Stale
from app.helplogs.queries import active_services
from app.tasks import services, signals
from app.tasks.forms import TaskActionForm, TaskFields, TaskForm, version_of
from app.tasks.models import Task, TaskStatus
from app.tasks.queries import (
    TaskFilters,
    linked_logs,
    member_choices,
    other_tasks_covering,
    progress,
    reached_since,
    scope_size,
    target_households,
    task_list,
    team_choices,
    team_options,
    village_households,
)
from app.tasks.services import Choose, TaskInput

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def _filters() -> TaskFilters:
    status = request.args.get("status") or TaskStatus.ACTIVE
    who = request.args.get("who") or "all"
    return TaskFilters(status=status if status in set(TaskStatus) else TaskStatus.ACTIVE,
                       team_id=request.args.get("team", type=db_int),
                       who=who if who in ("all", "mine", "open", "overdue") else "all")


@bp.get("")
def index():
    """The tasks of the user's teams: active ones by due date, or the ended ones."""
    filters = _filters()
    tasks = task_list(current_user, filters, page=max(request.args.get("page", 1, type=db_int), 1))
    return render("tasks/index.html", "tasks/_list.html", tasks=tasks, filters=filters,
                  done=progress(t.id for t in tasks.items), today=local_today(),
                  teams=team_options(current_user))


def _prepare(form: TaskFields, team) -> None:
    form.service_ids.choices = [SelectChoice(s.id, s.name) for s in active_services()]
    members = member_choices(team) if team else []
    form.assignee_id.choices = [SelectChoice("", _("Open: a team member takes it")),
                                *(SelectChoice(m.id, m.full_name) for m in members)]


def _new_context(form: TaskForm) -> dict:
    """Everything the new-task form shows: the teams and villages to choose from, how many
    households each choice means, and what other tasks already cover."""
    teams = team_choices(current_user)
    team = next((t for t in teams if t.id == form.team_id.data), teams[0] if teams else None)
    form.team_id.data = team.id if team else None
    villages = [v for v in team.villages if v.is_active] if team else []
    village = next((v for v in villages if v.id == form.village_id.data), villages[0] if villages else None)
    form.village_id.data = village.id if village else None
    form.team_id.choices = [SelectChoice(t.id, f"{t.name} · {t.commune.name}") for t in teams]
    form.village_id.choices = [
        SelectChoice(v.id, v.label) for v in villages
    ]
    _prepare(form, team)
    service_ids = form.service_ids.data or []
    households, reached, covering = [], set(), {"village": [], "households": {}}
    if village is not None:
        households = village_households(village.id)
        reached = reached_since(village.id, service_ids)
        covering = other_tasks_covering(village.id, service_ids)
    return {"form": form, "teams": teams, "team": team, "village": village, "households": households,
            "reached": reached, "covering": covering, "today": local_today(),
            "unreached_count": sum(1 for h in households if h.id not in reached)}


@bp.get("/new")
def new():
    """The form for a new task; a village's households are listed when the leader picks them."""
    form = TaskForm(formdata=request.args if request.args.get("refresh") else None)
    if not request.args.get("refresh"):
        # A link may prefill the task: a coverage gap names the village, the help and "not yet reached".
        form.team_id.data = request.args.get("team", type=db_int)
        form.village_id.data = request.args.get("village", type=db_int)
        form.service_ids.data = request.args.getlist("service", type=db_int)
        if request.args.get("choose") in Choose.ALL:
            form.choose.data = request.args["choose"]
        form.due_on.data = local_today() + timedelta(days=14)
    return render("tasks/new.html", "tasks/_new_form.html", **_new_context(form))


@bp.post("/new")
def create():
    """Save the task; ``refresh`` only redraws the form after a change of team, village or choice."""
    form = TaskForm()
    if request.form.get("refresh"):
        form.form_errors.clear()
        return render("tasks/new.html", "tasks/_new_form.html", **_new_context(form))
    # The team and village asked for, before the form falls back to the first ones for redrawing.
    team_id, village_id = form.team_id.data, form.village_id.data
    context = _new_context(form)
    if not form.validate():
        return render("tasks/new.html", "tasks/_new_form.html", http_status=400, **context)
    data = TaskInput(
        team_id=team_id, village_id=village_id, service_ids=list(form.service_ids.data or []),
        due_on=form.due_on.data, target_count=form.target_count.data, assignee_id=form.assignee_id.data,
        note=form.note.data, choose=form.choose.data, household_ids=list(form.household_ids.data or []),
    )
    with refused(form) as refusal:
        task = services.create_task(current_user, data)
    if refusal:
        return render("tasks/new.html", "tasks/_new_form.html", http_status=refusal.status, **context)
    flash(_("Task set."), "success")
    _tell_assigned(task)
    return done(url_for("tasks.show", task_id=task.id))


def _show_context(task: Task, **extra) -> dict:
    show = request.args.get("show") if request.args.get("show") in ("todo", "reached") else "todo"
    q = request.args.get("q", "")[:100]
    service_ids = [s.id for s in task.services]
    reached_all = reached_since(task.village_id, service_ids, task.starts_on)
    households = target_households(task, reached=reached_all, show=show, q=q,
                                   page=max(request.args.get("page", 1, type=db_int), 1))
    size = scope_size(task)
    done_count = progress([task.id]).get(task.id, 0)
    manages = can(current_user, "manage", task)
    # Logging from the task is for its holder (or anyone while it is unclaimed) and its leaders.
    may_log = task.is_active and current_user.role in FIELD_TEAM and (
        task.assignee_id == current_user.id or task.claimable or manages)
    return {"task": task, "households": households, "show": show, "q": q, "size": size, "done_count": done_count,
            "covering": other_tasks_covering(task.village_id, service_ids, exclude_task_id=task.id),
            "logs": linked_logs(task, current_user), "manages": manages, "may_log": may_log, "today": local_today(),
            "action_form": TaskActionForm(), "changed": False, **extra}


@bp.get("/<int:task_id>")
def show(task_id: int):
    """A task: what, where, who, progress, and the households still to reach."""
    task = get_or_404(current_user, Task, task_id)
    return render("tasks/show.html", "tasks/_households.html", **_show_context(task))


def _edit_page(task: Task, form: TaskFields, *, http_status: int = 200):
    return render("tasks/edit.html", "tasks/_edit_form.html", http_status=http_status, task=task, form=form,
                  size=scope_size(task), today=local_today())


@bp.get("/<int:task_id>/edit")
def edit(task_id: int):
    """Change the help, target, due date, assignee or instructions of an active task."""
    task = get_or_404(current_user, Task, task_id, "manage")
    if not task.is_active:
        abort(409, description=_("This task has ended and can no longer be changed."))
    form = TaskFields(obj=task)
    _prepare(form, task.team)
    form.service_ids.data = [s.id for s in task.services]
    form.version.data = str(task.version)
    return _edit_page(task, form)


@bp.post("/<int:task_id>/edit")
def update(task_id: int):
    task = get_or_404(current_user, Task, task_id, "manage")
    form = TaskFields()
    _prepare(form, task.team)
    if not form.validate():
        return _edit_page(task, form, http_status=400)
    data = TaskInput(service_ids=list(form.service_ids.data or []), due_on=form.due_on.data,
                     target_count=form.target_count.data, assignee_id=form.assignee_id.data, note=form.note.data)
    try:
        with refused(form) as refusal:
            services.update_task(current_user, task, data, version=version_of(form.version))
    except Stale:
        # The form again, showing the task as it is now, for the leader to change again.
        current = TaskFields(formdata=None, obj=task)
        _prepare(current, task.team)
        current.service_ids.data = [s.id for s in task.services]
        current.version.data = str(task.version)
        current.form_errors.append(
            _("This task changed while you were looking at it. Here it is now; nothing was saved."))
        if not task.is_active:
            abort(409, description=_("This task has ended and can no longer be changed."))
        return _edit_page(task, current, http_status=409)
    if refusal:
        return _edit_page(task, form, http_status=refusal.status)
    flash(_("Task saved."), "success")
    _tell_assigned(task)
    return done(url_for("tasks.show", task_id=task.id))


def _tell_assigned(task: Task) -> None:
    """Let the layers above know (training warns when the assignee is not trained for the help)."""
    if task.assignee_id is not None:
        signals.assigned.send(current_app._get_current_object(), task=task, actor=current_user._get_current_object())


def _changed(task: Task, message: str | None = None):
    """The task moved on meanwhile: 409 with its current state; nothing was saved."""
    message = message or _("This task changed while you were looking at it. Here it is now; nothing was saved.")
    return render("tasks/show.html", "tasks/_assignment_update.html", http_status=409,
                  **_show_context(task, message=message, changed=True))


def _end(task_id: int, status: TaskStatus, message: str):
    task = get_or_404(current_user, Task, task_id, "manage")
    form = TaskActionForm()
    if not form.validate():
        abort(400)
    try:
        services.end_task(current_user, task, status, version=version_of(form.version))
    except Stale:
        return _changed(task)
    flash(message, "success")
    return done(url_for("tasks.show", task_id=task.id))


@bp.post("/<int:task_id>/close")
def close(task_id: int):
    """The work is done: the task leaves the lists of active tasks."""
    return _end(task_id, TaskStatus.CLOSED, _("Task closed."))


@bp.post("/<int:task_id>/cancel")
def cancel(task_id: int):
    """The work is no longer wanted."""
    return _end(task_id, TaskStatus.CANCELLED, _("Task cancelled."))


def _assignment(task: Task, message: str):
    """The task's 'who does it' box, in place (htmx), or back to the task page."""
    if wants_fragment():
        return render("tasks/_assignment_update.html", **_show_context(task, message=message))
    flash(message, "success")
    return done(url_for("tasks.show", task_id=task.id))


@bp.post("/<int:task_id>/claim")
def claim(task_id: int):
    """Take an open task. If someone took it a moment before, say who."""
    task = get_or_404(current_user, Task, task_id)
    if not TaskActionForm().validate():
        abort(400)
    try:
        with refused(abort_on_refusal=True):
            services.claim_task(current_user, task)
    except Stale:
        if not task.is_active:
            return _changed(task, _("This task has ended."))
        if task.assignee is not None:
            return _changed(task, _("%(name)s took this task a moment ago.", name=task.assignee.full_name))
        return _changed(task)
    return _assignment(task, _("The task is yours."))


@bp.post("/<int:task_id>/release")
def release(task_id: int):
    """Give a claimed task back, so another member can take it."""
    task = get_or_404(current_user, Task, task_id)
    if not TaskActionForm().validate():
        abort(400)
    try:
        with refused(abort_on_refusal=True):
            services.release_task(current_user, task)
    except Stale:
        return _changed(task)
    return _assignment(task, _("The task is open again for the team."))
