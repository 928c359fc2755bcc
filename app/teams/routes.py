from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app.access import can, get_or_404
from app.accounts.models import User
from app.areas.models import Area
from app.core.forms import attach_error, db_int
from app.core.rendering import render
from app.extensions import db
from app.helplogs.queries import team_activity
from app.teams.forms import AddMemberForm, MemberRoleForm, NewTeamForm, TeamFilterForm, TeamForm
from app.teams.models import Membership, Team
from app.teams.queries import (
    candidates, commune_choices, member_counts, members_of, team_list, village_choices, village_labels,
)
from app.tasks.queries import TaskFilters, progress, task_list
from app.teams.stats import team_stats
from app.teams.services import (
    TeamError, add_member, create_team, remove_member, set_member_role, set_team_active, update_team,
)

bp = Blueprint("teams", __name__, url_prefix="/teams")


@bp.get("/")
def index():
    """The teams the user may see, searchable by team or commune name."""
    form = TeamFilterForm(request.args)
    if not form.validate():
        return render("teams/index.html", "teams/_results.html", form=form, teams=None, counts={}, status=400)
    teams = team_list(current_user, q=form.q.data, page=request.args.get("page", 1, type=db_int))
    return render("teams/index.html", "teams/_results.html", form=form, teams=teams,
                  counts=member_counts([team.id for team in teams.items]))


def _new_form(form: NewTeamForm) -> NewTeamForm:
    form.commune.choices = [SelectChoice("", _("— Choose —")),
                            *(SelectChoice(c.id, c.name) for c in commune_choices(current_user))]
    return form


@bp.get("/new")
def new():
    """The form for a new team: its name and commune."""
    return render("teams/new.html", form=_new_form(NewTeamForm()))


@bp.post("/new")
def create():
    """Create the team, then choose its villages."""
    form = _new_form(NewTeamForm())
    if not form.validate():
        return render("teams/new.html", form=form, status=400)
    try:
        commune = db.session.get(Area, form.commune.data) if form.commune.data else None
        team = create_team(current_user, name=form.name.data, commune=commune)
    except TeamError as error:
        attach_error(form, error)
        return render("teams/new.html", form=form, status=error.status)
    flash(_("Team created. Now choose the villages it covers."), "success")
    return redirect(url_for("teams.edit", team_id=team.id))


def _show_page(team: Team, *, error=None, status: int = 200):
    return render("teams/show.html", team=team, members=members_of(team), error=error,
                  manages=can(current_user, "manage", team), activity=team_activity(current_user, team),
                  status=status)


@bp.get("/<int:team_id>")
def show(team_id: int):
    """A team: its commune, villages and members."""
    return _show_page(get_or_404(current_user, Team, team_id))


def _team_form(team: Team, form: TeamForm) -> tuple[TeamForm, list[Area]]:
    villages = village_choices(team)
    form.villages.choices = [SelectChoice(v.id, v.name) for v in villages]
    return form, villages


def _edit_page(team: Team, form: TeamForm, villages: list[Area], status: int = 200):
    return render("teams/edit.html", team=team, form=form, villages=villages,
                  labels=village_labels(villages), status=status)


@bp.get("/<int:team_id>/edit")
def edit(team_id: int):
    """Rename the team and tick the villages it covers."""
    team = get_or_404(current_user, Team, team_id, "manage")
    form, villages = _team_form(team, TeamForm(formdata=None, name=team.name,
                                               villages=[v.id for v in team.villages]))
    return _edit_page(team, form, villages)


@bp.post("/<int:team_id>/edit")
def update(team_id: int):
    """Save the name and villages."""
    team = get_or_404(current_user, Team, team_id, "manage")
    form, villages = _team_form(team, TeamForm())
    if not form.validate():
        return _edit_page(team, form, villages, 400)
    chosen = list(db.session.scalars(select(Area).where(Area.id.in_(form.villages.data or []))))
    try:
        changes = update_team(current_user, team, name=form.name.data, villages=chosen)
    except TeamError as error:
        db.session.rollback()
        attach_error(form, error)
        return _edit_page(team, form, villages, error.status)
    flash(_("Saved.") if changes else _("Nothing changed."), "success")
    return redirect(url_for("teams.show", team_id=team.id))


def _set_active(team_id: int, active: bool, message: str):
    team = get_or_404(current_user, Team, team_id, "manage")
    try:
        set_team_active(current_user, team, active)
    except TeamError as error:
        db.session.rollback()
        return _show_page(team, error=error.message, status=error.status)
    flash(message, "success")
    return redirect(url_for("teams.show", team_id=team.id))


@bp.post("/<int:team_id>/deactivate")
def deactivate(team_id: int):
    """Deactivate the team: its history stays, its members lose its villages."""
    return _set_active(team_id, False, _("The team is deactivated."))


@bp.post("/<int:team_id>/reactivate")
def reactivate(team_id: int):
    """Make a deactivated team active again."""
    return _set_active(team_id, True, _("The team is active again."))


def _members_page(team: Team, *, q: str = "", form=None, search_form=None, status: int = 200):
    search_form = search_form or TeamFilterForm(formdata=None, q=q)
    found = candidates(current_user, team, search_form.q.data) if not search_form.errors else []
    return render("teams/members.html", "teams/_candidates.html", team=team, members=members_of(team),
                  search_form=search_form, found=found, form=form, status=status)


@bp.get("/<int:team_id>/members")
def members(team_id: int):
    """Members with their roles, and a live search to add people (a plain GET form without JS)."""
    team = get_or_404(current_user, Team, team_id, "manage")
    search_form = TeamFilterForm(request.args)
    status = 200 if search_form.validate() else 400
    return _members_page(team, search_form=search_form, status=status)


@bp.post("/<int:team_id>/members", endpoint="add_member")
def add_member_view(team_id: int):
    """Add a person found by the search."""
    team = get_or_404(current_user, Team, team_id, "manage")
    form = AddMemberForm()
    user = db.session.get(User, int(form.user_id.data)) if form.validate() else None
    if user is None:
        if not form.errors:
            form.form_errors.append(_("Choose a person from the list."))
        return _members_page(team, form=form, status=400)
    try:
        add_member(current_user, team, user)
    except TeamError as error:
        form.form_errors.append(error.message)
        return _members_page(team, form=form, status=error.status)
    flash(_("%(name)s has joined the team.", name=user.full_name), "success")
    return redirect(url_for("teams.members", team_id=team.id))


def _membership(team: Team, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.team_id != team.id:
        abort(404)
    return membership


@bp.post("/<int:team_id>/members/<int:membership_id>/role", endpoint="set_member_role")
def set_member_role_view(team_id: int, membership_id: int):
    """Make a member leader, or a leader member again."""
    team = get_or_404(current_user, Team, team_id, "manage")
    membership = _membership(team, membership_id)
    form = MemberRoleForm()
    if not form.validate():
        return _members_page(team, form=form, status=400)
    try:
        set_member_role(current_user, membership, form.role.data)
    except TeamError as error:
        db.session.rollback()
        form.form_errors.append(error.message)
        return _members_page(team, form=form, status=error.status)
    flash(_("Saved."), "success")
    return redirect(url_for("teams.members", team_id=team.id))


@bp.post("/<int:team_id>/members/<int:membership_id>/remove", endpoint="remove_member")
def remove_member_view(team_id: int, membership_id: int):
    """Take a person out of the team; their account and past work stay."""
    team = get_or_404(current_user, Team, team_id, "manage")
    membership = _membership(team, membership_id)
    name = membership.user.full_name
    try:
        remove_member(current_user, membership)
    except TeamError as error:
        form = AddMemberForm(formdata=None)
        form.form_errors.append(error.message)
        return _members_page(team, form=form, status=error.status)
    flash(_("%(name)s has left the team.", name=name), "success")
    return redirect(url_for("teams.members", team_id=team.id))


@bp.get("/<int:team_id>/stats")
def stats(team_id: int):
    """The leader's view of the team: each member's week and month, and the villages' reach."""
    team = get_or_404(current_user, Team, team_id, "manage")
    tasks = task_list(current_user, TaskFilters(team_id=team.id), page=1)
    return render("teams/stats.html", team=team, tasks=tasks, done=progress(t.id for t in tasks.items),
                  **team_stats(team))
