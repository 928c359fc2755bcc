"""Training figures for the coverage dashboard: per commune, and per team of one commune.

A person counts as trained for a commune when they hold a qualification and are homed in it (or
in one of its villages) or belong to one of its teams: the same rule as the overview's
"communes with nobody trained yet". Sessions and trainees count the sessions that started in
the period; trained people count to date. Each function is one statement whatever the number
of areas.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from sqlalchemy import case, distinct, func, select, union_all

from app.access import training_filter
from app.accounts.models import User
from app.areas.models import Area, AreaKind
from app.core.db import LOCAL_TZ
from app.extensions import db
from app.teams.models import Membership, Team
from app.training.models import Attempt, Qualification, Stage, TrainingSession


@dataclass
class AreaTraining:
    """One commune's training: people trained to date; sessions, trainees (post-tests handed
    in) and passes in the period."""

    trained: int = 0
    sessions: int = 0
    trainees: int = 0
    passed: int = 0

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.trainees if self.trainees else None


@dataclass
class TeamTraining:
    team: Team
    members: int
    trained: int


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL_TZ).astimezone(UTC)


def by_commune(actor: User, commune_ids: list[int], start: date, end: date) -> dict[int, AreaTraining]:
    """commune id -> its training figures, for the communes ``actor`` trains in (two statements).
    Both read whole communes, at most a province's 69 rows (the sessions only where the actor
    trains), and keep those asked for: a province's list of communes as parameters would cost
    more than the rows."""
    found = {commune_id: AreaTraining() for commune_id in commune_ids}
    if not commune_ids:
        return found
    in_period = db.session.execute(
        select(TrainingSession.commune_id, func.count(distinct(TrainingSession.id)), func.count(Attempt.id),
               func.count(Attempt.id).filter(Attempt.passed))
        .outerjoin(Attempt, (Attempt.session_id == TrainingSession.id) & (Attempt.stage == Stage.POST)
                   & Attempt.submitted_at.is_not(None))
        .where(training_filter(actor),
               TrainingSession.starts_at >= _utc(start), TrainingSession.starts_at < _utc(end + timedelta(days=1)))
        .group_by(TrainingSession.commune_id))
    for commune_id, sessions, trainees, passed in in_period:
        if commune_id in found:
            figures = found[commune_id]
            figures.sessions, figures.trainees, figures.passed = sessions, trainees, passed
    for commune_id, trained in db.session.connection().execute(_trained_by_commune()).all():
        if commune_id in found:
            found[commune_id].trained = trained
    return found


@cache
def _trained_by_commune():
    """Trained people per commune (built once: it takes no parameter): who holds a
    qualification is read once (a CTE), then where they live and which teams they are in; a
    person both homed in a commune and in one of its teams counts once."""
    trained = select(Qualification.user_id).distinct().cte("trained")
    commune_of_home = case((Area.kind == AreaKind.COMMUNE, Area.id), else_=Area.parent_id)
    homed = (select(commune_of_home.label("commune_id"), User.id.label("user_id")).select_from(trained)
             .join(User, User.id == trained.c.user_id).join(Area, Area.id == User.home_area_id))
    in_team = (select(Team.commune_id.label("commune_id"), Membership.user_id.label("user_id")).select_from(trained)
               .join(Membership, Membership.user_id == trained.c.user_id).join(Team, Team.id == Membership.team_id))
    pairs = union_all(homed, in_team).subquery()
    return select(pairs.c.commune_id, func.count(distinct(pairs.c.user_id))).group_by(pairs.c.commune_id)


def by_team(commune: Area) -> list[TeamTraining]:
    """The commune's active teams with their members and how many are trained (one statement)."""
    trained = select(Qualification.user_id)
    rows = db.session.execute(
        select(Team, func.count(Membership.id), func.count(Membership.id).filter(Membership.user_id.in_(trained)))
        .outerjoin(Membership, Membership.team_id == Team.id)
        .where(Team.commune_id == commune.id, Team.is_active)
        .group_by(Team.id).order_by(Team.search_key, Team.id)).all()
    return [TeamTraining(team, members, trained_count) for team, members, trained_count in rows]

