"""Teams and their members. Each function owns its unit of work (it commits) and raises
``TeamError`` with a message for the user."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from app.access import can
from app.accounts.models import Role, User, role_rank
from app.accounts.rules import AccountError, check_role_grant, name_problem, within_reach
from app.areas.models import Area, AreaKind
from app.audit.services import record
from app.core.domain import RuleError
from app.core.text import clean_text, search_key
from app.extensions import db
from app.teams.models import MemberRole, Membership, Team
from app.teams.queries import candidate_filter


class TeamError(RuleError):
    """A refused team change (see RuleError)."""


def _check_admin(actor: User, commune: Area | None = None) -> None:
    if actor.role != Role.ADMIN:
        raise TeamError(_l("Only administrators create and change teams."), None, 403)
    if commune is not None and not within_reach(actor, commune):
        raise TeamError(_l("You can only choose a commune inside %(area)s.", area=actor.home_area.name),
                        "commune", 403)


def _checked_name(raw: str | None, commune: Area, team: Team | None = None) -> str:
    problem = name_problem(raw)
    if problem:
        raise TeamError(problem, "name")
    name = clean_text(raw)
    same = select(Team.id).where(Team.commune_id == commune.id, Team.is_active,
                                 Team.search_key == search_key(name))
    if team is not None:
        same = same.where(Team.id != team.id)
    if db.session.scalar(same.limit(1)):
        raise TeamError(_l("A team with this name already works in this commune."), "name", 409)
    return name


def create_team(actor: User, *, name: str, commune: Area | None) -> Team:
    """A new team, without villages or members yet (chosen next)."""
    if commune is None or commune.kind != AreaKind.COMMUNE or not commune.is_active:
        raise TeamError(_l("Choose a commune or ward from the list."), "commune")
    _check_admin(actor, commune)
    name = _checked_name(name, commune)
    team = Team(name=name, search_key=search_key(name), commune=commune)
    db.session.add(team)
    db.session.flush()
    record(actor, "team.created", team, {"name": name, "commune_id": commune.id})
    db.session.commit()
    return team


def update_team(actor: User, team: Team, *, name: str, village_ids: list[int]) -> dict:
    """Rename the team and set the villages it covers: active villages of its own commune
    (a village it already covers may stay after being deactivated). Returns the changes."""
    _check_admin(actor, team.commune)
    new_name = _checked_name(name, team.commune, team)
    current = {village.id for village in team.villages}
    wanted = set(village_ids)
    villages = list(db.session.scalars(
        select(Area).where(Area.id.in_(wanted), Area.kind == AreaKind.VILLAGE, Area.parent_id == team.commune_id,
                           or_(Area.is_active, Area.id.in_(current)))
    )) if wanted else []
    if len(villages) != len(wanted):
        raise TeamError(_l("Choose villages of %(commune)s only.", commune=team.commune.name), "villages")
    changes = {}
    if new_name != team.name:
        changes["name"] = [team.name, new_name]
    chosen = {village.id for village in villages}
    if chosen != current:
        changes["village_ids"] = [sorted(current), sorted(chosen)]
    if not changes:
        return {}
    team.name = new_name
    team.search_key = search_key(new_name)
    team.villages = list(villages)
    record(actor, "team.updated", team, changes)
    db.session.commit()
    return changes


def set_team_active(actor: User, team: Team, active: bool) -> None:
    """An inactive team keeps its history but gives its members no scope any more."""
    _check_admin(actor, team.commune)
    if team.is_active == active:
        return
    if active:
        _checked_name(team.name, team.commune, team)
    team.is_active = active
    record(actor, "team.activated" if active else "team.deactivated", team)
    db.session.commit()


# Members ----------------------------------------------------------------------

def _check_manages(actor: User, team: Team) -> None:
    if not can(actor, "manage", team):
        raise TeamError(_l("Only administrators and this team's leaders manage its members."), None, 403)


def _member_count(team: Team, *, leaders: bool = False) -> int:
    stmt = select(func.count()).select_from(Membership).where(Membership.team_id == team.id)
    if leaders:
        stmt = stmt.where(Membership.role == MemberRole.LEADER)
    return db.session.scalar(stmt) or 0


def add_member(actor: User, team: Team, user: User) -> Membership:
    """Add ``user`` as a member. Raises TeamError for an inactive account, someone already in
    the team, or someone the actor may not add (see ``candidate_filter``)."""
    _check_manages(actor, team)
    if not user.is_active:
        raise TeamError(_l("This account is deactivated."), None, 409)
    if db.session.scalar(select(Membership.id).where(Membership.team_id == team.id,
                                                     Membership.user_id == user.id)):
        raise TeamError(_l("%(name)s is already in this team.", name=user.full_name), None, 409)
    if db.session.scalar(select(User.id).where(User.id == user.id, candidate_filter(actor, team))) is None:
        raise TeamError(_l("You cannot add this person to this team."), None, 403)
    membership = Membership(team=team, user=user, role=MemberRole.MEMBER)
    db.session.add(membership)
    record(actor, "team.member_added", team, {"user_id": user.id, "role": str(MemberRole.MEMBER)})
    db.session.commit()
    return membership


def set_member_role(actor: User, membership: Membership, role: str) -> None:
    """Make a member leader, or a leader member again. The team keeps at least one leader;
    a volunteer made leader gets the leader role, so the leader's pages open for them."""
    team = membership.team
    _check_manages(actor, team)
    role = MemberRole(role)
    if membership.role == role:
        return
    if role == MemberRole.MEMBER and _member_count(team, leaders=True) == 1:
        raise TeamError(_l("%(name)s is the team's only leader: make someone else leader first.",
                           name=membership.user.full_name), None, 409)
    user = membership.user
    if role == MemberRole.LEADER and role_rank(user.role) < role_rank(Role.LEADER):
        try:
            check_role_grant(actor, Role.LEADER)
        except AccountError as error:
            raise TeamError(error.message, None, error.status) from error
        record(actor, "user.updated", user, {"role": [user.role, str(Role.LEADER)]})
        user.role = Role.LEADER
    record(actor, "team.member_role_changed", team,
           {"user_id": user.id, "role": [membership.role, str(role)]})
    membership.role = role
    db.session.commit()


def remove_member(actor: User, membership: Membership) -> None:
    """Take someone out of the team (their account and past work stay). The only leader
    stays while others remain."""
    team = membership.team
    _check_manages(actor, team)
    if membership.is_leader and _member_count(team, leaders=True) == 1 and _member_count(team) > 1:
        raise TeamError(_l("%(name)s is the team's only leader: make someone else leader first.",
                           name=membership.user.full_name), None, 409)
    record(actor, "team.member_removed", team, {"user_id": membership.user_id, "role": membership.role})
    if membership in team.memberships:
        team.memberships.remove(membership)  # delete-orphan deletes the row
    else:
        db.session.delete(membership)
    db.session.commit()
