"""Read models for the team pages, scoped to the viewer."""

from collections import Counter

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from app.access import team_filter, user_filter
from app.accounts.models import Role, User
from app.areas.models import Area, AreaKind
from app.core.text import name_sort_key, search_key
from app.extensions import db
from app.teams.models import Membership, Team

PER_PAGE = 25
CANDIDATES_SHOWN = 20


def team_list(user: User, *, q: str | None = None, page: int = 1):
    """A page of the teams ``user`` may see, matched on team or commune name (accents ignored).
    Administrators also see inactive teams, to find and reactivate them."""
    stmt = (select(Team).join(Area, Team.commune_id == Area.id).where(team_filter(user))
            .options(selectinload(Team.commune)))
    if user.role != Role.ADMIN:
        stmt = stmt.where(Team.is_active)
    key = search_key(q)
    if key:
        stmt = stmt.where(or_(Team.search_key.contains(key, autoescape=True),
                              Area.search_key.contains(key, autoescape=True)))
    stmt = stmt.order_by(Team.is_active.desc(), Area.search_key, Team.search_key, Team.id)
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def member_counts(team_ids: list[int]) -> dict[int, int]:
    if not team_ids:
        return {}
    return dict(db.session.execute(
        select(Membership.team_id, func.count()).where(Membership.team_id.in_(team_ids))
        .group_by(Membership.team_id)
    ).all())


def members_in_order(memberships) -> list[Membership]:
    """Leaders first, then by given name, as Vietnamese lists do."""
    return sorted(memberships, key=lambda m: (not m.is_leader, name_sort_key(m.user.full_name), m.id))


def members_of(team: Team) -> list[Membership]:
    """Leaders first, then by given name, as Vietnamese lists do."""
    return members_in_order(db.session.scalars(
        select(Membership).where(Membership.team_id == team.id).options(selectinload(Membership.user))
    ))


def village_labels(villages: list[Area]) -> dict[int, str]:
    """'Thôn 1 (Xã Thạch Sơn)' where two villages share a name; the bare name otherwise."""
    counts = Counter(village.name for village in villages)
    return {
        village.id: (f"{village.name} ({village.former_commune})"
                     if counts[village.name] > 1 and village.former_commune else village.name)
        for village in villages
    }


def village_choices(team: Team) -> list[Area]:
    """The commune's active villages, plus any the team covers that were deactivated since."""
    current = [village.id for village in team.villages]
    return list(db.session.scalars(
        select(Area).where(Area.parent_id == team.commune_id, Area.kind == AreaKind.VILLAGE,
                           or_(Area.is_active, Area.id.in_(current)))
        .order_by(Area.search_key, Area.former_commune, Area.id)
    ))


def commune_choices(actor: User) -> list[Area]:
    stmt = select(Area).where(Area.kind == AreaKind.COMMUNE, Area.is_active)
    if actor.home_area is not None:
        stmt = stmt.where(Area.subtree(actor.home_area.path))
    return list(db.session.scalars(stmt.order_by(Area.search_key)))


def candidate_filter(actor: User, team: Team):
    """Who ``actor`` may add to ``team``: active accounts not in it yet; an administrator
    picks among the accounts they manage, a leader among people of the team's commune
    (or with no home area yet)."""
    not_member = User.id.not_in(select(Membership.user_id).where(Membership.team_id == team.id))
    if actor.role == Role.ADMIN:
        scope = user_filter(actor)
    else:
        in_commune = select(Area.id).where(Area.subtree(team.commune.path))
        scope = or_(User.home_area_id.in_(in_commune), User.home_area_id.is_(None))
    return and_(User.is_active, not_member, scope)


def candidates(actor: User, team: Team, q: str | None) -> list[User]:
    """People to add, matched on name or username (accents ignored); nothing for an empty query."""
    key = search_key(q)
    if not key:
        return []
    return list(db.session.scalars(
        select(User).where(candidate_filter(actor, team),
                           or_(User.search_key.contains(key, autoescape=True),
                               User.username.contains(key, autoescape=True)))
        .options(selectinload(User.home_area))
        .order_by(User.search_key, User.id).limit(CANDIDATES_SHOWN)
    ))


def addable(actor: User, team: Team, user_id: int | None) -> User | None:
    """The account ``actor`` picked to add to ``team``: one they may add, or one already in
    the team (the service then says so); None for anyone else."""
    if user_id is None:
        return None
    in_team = User.id.in_(select(Membership.user_id).where(Membership.team_id == team.id))
    return db.session.scalar(select(User).where(User.id == user_id, or_(candidate_filter(actor, team), in_team)))


def membership_in(team: Team, membership_id: int) -> Membership | None:
    return db.session.scalar(select(Membership).where(Membership.id == membership_id, Membership.team_id == team.id))
