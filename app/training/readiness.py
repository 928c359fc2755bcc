"""Who is trained for what: qualifications, a team's members not trained yet, and the soft
warning when a task's assignee is not trained for its help."""

from collections import defaultdict

from sqlalchemy import select

from app.access import team_filter
from app.accounts.models import User
from app.catalog.models import Service
from app.extensions import db
from app.teams.models import Membership, Team
from app.training.models import (
    Qualification,
)


def qualifications_of(user_ids) -> dict[int, set[int]]:
    """user id -> the ids of the services they are trained for."""
    held = defaultdict(set)
    for user_id, service_id in db.session.execute(
            select(Qualification.user_id, Qualification.service_id).where(Qualification.user_id.in_(user_ids))):
        held[user_id].add(service_id)
    return held


def untrained_members(team: Team) -> list[tuple[User, list[Service]]]:
    """Each active member of the team with the active services they are not trained for yet."""
    members = list(db.session.scalars(select(User).join(Membership, Membership.user_id == User.id)
                                      .where(Membership.team_id == team.id, User.is_active)
                                      .order_by(User.search_key, User.id)))
    held = qualifications_of([u.id for u in members])
    services = list(db.session.scalars(select(Service).where(Service.is_active).order_by(Service.sort_order)))
    return [(u, [s for s in services if s.id not in held.get(u.id, set())]) for u in members]


def readiness(actor: User, user_id: int | None, service_ids) -> tuple[User | None, list[Service]]:
    """For the soft warning on a task form: a member of a team ``actor`` sees, and the services
    among ``service_ids`` they are not trained for. (None, []) for anyone else."""
    if not user_id or not service_ids:
        return None, []
    member = db.session.scalar(select(User).join(Membership, Membership.user_id == User.id)
                               .join(Team, Team.id == Membership.team_id)
                               .where(User.id == user_id, team_filter(actor)).limit(1))
    if member is None:
        return None, []
    return member, untrained_for(member.id, service_ids)


def untrained_for(user_id: int | None, service_ids) -> list[Service]:
    """The services of a task its assignee is not trained for (for a soft warning)."""
    if not user_id or not service_ids:
        return []
    held = set(db.session.scalars(select(Qualification.service_id).where(Qualification.user_id == user_id)))
    return list(db.session.scalars(select(Service).where(Service.id.in_(service_ids), Service.id.not_in(held))
                                   .order_by(Service.sort_order)))
