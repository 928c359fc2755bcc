from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.access import can, get_or_404
from app.areas.models import Area
from app.core.domain import refused
from app.core.forms import db_int
from app.core.rendering import render
from app.coverage.teams import team_activity, team_stats_page
from app.teams import services
from app.teams.forms import AddMemberForm, MemberRoleForm, NewTeamForm, TeamFilterForm, TeamForm
from app.teams.models import Membership, Team
from app.teams.queries import (
    addable,
    candidates,
    commune_choices,
    member_counts,
    members_of,
    membership_in,
    team_list,
    village_choices,
    village_labels,
)

bp = Blueprint("teams", __name__, url_prefix="/teams")


@bp.get("/")
def index():
    """The teams the user may see, searchable by team or commune name."""
    form = TeamFilterForm(request.args)
    if not form.validate():
        return render("teams/index.html", "teams/_results.html", form=form, teams=None, counts={}, http_status=400)
    teams = team_list(current_user, q=form.q.data, page=request.args.get("page", 1, type=db_int))
    return render("teams/index.html", "teams/_results.html", form=form, teams=teams,
                  counts=member_counts([team.id for team in teams.items]))


def _new_form(form: NewTeamForm) -> tuple[NewTeamForm, list[Area]]:
    communes = commune_choices(current_user)
    form.commune.choices = [SelectChoice("", _("— Choose —")), *(SelectChoice(c.id, c.name) for c in communes)]
    return form, communes


@bp.get("/new")
def new():
    """The form for a new team: its name and commune."""
    form, _communes = _new_form(NewTeamForm())
    return render("teams/new.html", form=form)


@bp.post("/new")
def create():
    """Create the team, then choose its villages."""
    form, communes = _new_form(NewTeamForm())
    if not form.validate():
        return render("teams/new.html", form=form, http_status=400)
    commune = next((c for c in communes if c.id == form.commune.data), None)
    with refused(form) as refusal:
        team = services.create_team(current_user, name=form.name.data, commune=commune)
    if refusal:
        return render("teams/new.html", form=form, http_status=refusal.status)
    flash(_("Team created. Now choose the villages it covers."), "success")
    return redirect(url_for("teams.edit", team_id=team.id))


def _show_page(team: Team, *, error=None, http_status: int = 200):
    return render("teams/show.html", team=team, members=members_of(team), error=error,
                  manages=can(current_user, "manage", team), activity=team_activity(current_user, team),
                  http_status=http_status)


@bp.get("/<int:team_id>")
def show(team_id: int):
    """A team: its commune, villages and members."""
    return _show_page(get_or_404(current_user, Team, team_id))


def _team_form(team: Team, form: TeamForm) -> tuple[TeamForm, list[Area]]:
    villages = village_choices(team)
    form.villages.choices = [SelectChoice(v.id, v.name) for v in villages]
    return form, villages


def _edit_page(team: Team, form: TeamForm, villages: list[Area], http_status: int = 200):
    return render("teams/edit.html", team=team, form=form, villages=villages,
                  labels=village_labels(villages), http_status=http_status)


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
    with refused(form) as refusal:
        changes = services.update_team(current_user, team, name=form.name.data, village_ids=form.villages.data or [])
    if refusal:
        return _edit_page(team, form, villages, refusal.status)
    flash(_("Saved.") if changes else _("Nothing changed."), "success")
    return redirect(url_for("teams.show", team_id=team.id))


def _set_active(team_id: int, active: bool, message: str):
    team = get_or_404(current_user, Team, team_id, "manage")
    with refused() as refusal:
        services.set_team_active(current_user, team, active)
    if refusal:
        return _show_page(team, error=refusal.error.message, http_status=refusal.status)
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


def _members_page(team: Team, *, q: str = "", form=None, search_form=None, http_status: int = 200):
    search_form = search_form or TeamFilterForm(formdata=None, q=q)
    found = candidates(current_user, team, search_form.q.data) if not search_form.errors else []
    return render("teams/members.html", "teams/_candidates.html", team=team, members=members_of(team),
                  search_form=search_form, found=found, form=form, http_status=http_status)


@bp.get("/<int:team_id>/members")
def members(team_id: int):
    """Members with their roles, and a live search to add people (a plain GET form without JS)."""
    team = get_or_404(current_user, Team, team_id, "manage")
    search_form = TeamFilterForm(request.args)
    http_status = 200 if search_form.validate() else 400
    return _members_page(team, search_form=search_form, http_status=http_status)


@bp.post("/<int:team_id>/members")
def add_member(team_id: int):
    """Add a person found by the search."""
    team = get_or_404(current_user, Team, team_id, "manage")
    form = AddMemberForm()
    user = addable(current_user, team, form.user_id.data) if form.validate() else None
    if user is None:
        if not form.errors:
            form.form_errors.append(_("Choose a person from the list."))
        return _members_page(team, form=form, http_status=400)
    with refused(form) as refusal:
        services.add_member(current_user, team, user)
    if refusal:
        return _members_page(team, form=form, http_status=refusal.status)
    flash(_("%(name)s has joined the team.", name=user.full_name), "success")
    return redirect(url_for("teams.members", team_id=team.id))


def _membership(team: Team, membership_id: int) -> Membership:
    membership = membership_in(team, membership_id)
    if membership is None:
        abort(404)
    return membership


@bp.post("/<int:team_id>/members/<int:membership_id>/role")
def set_member_role(team_id: int, membership_id: int):
    """Make a member leader, or a leader member again."""
    team = get_or_404(current_user, Team, team_id, "manage")
    membership = _membership(team, membership_id)
    form = MemberRoleForm()
    if not form.validate():
        return _members_page(team, form=form, http_status=400)
    with refused(form) as refusal:
        services.set_member_role(current_user, membership, form.role.data)
    if refusal:
        return _members_page(team, form=form, http_status=refusal.status)
    flash(_("Saved."), "success")
    return redirect(url_for("teams.members", team_id=team.id))


@bp.post("/<int:team_id>/members/<int:membership_id>/remove")
def remove_member(team_id: int, membership_id: int):
    """Take a person out of the team; their account and past work stay."""
    team = get_or_404(current_user, Team, team_id, "manage")
    membership = _membership(team, membership_id)
    name = membership.user.full_name
    form = AddMemberForm(formdata=None)
    with refused(form) as refusal:
        services.remove_member(current_user, membership)
    if refusal:
        return _members_page(team, form=form, http_status=refusal.status)
    flash(_("%(name)s has left the team.", name=name), "success")
    return redirect(url_for("teams.members", team_id=team.id))


@bp.get("/<int:team_id>/stats")
def stats(team_id: int):
    """The leader's view of the team: each member's week and month, and the villages' reach."""
    team = get_or_404(current_user, Team, team_id, "manage")
    return render("teams/stats.html", team=team, **team_stats_page(current_user, team))
