"""The province's training overview: by commune and month, and the communes and teams with
nobody trained yet, within the trainer's area."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased, selectinload

from app.access import training_filter
from app.accounts.models import User
from app.areas.models import Area, AreaKind
from app.catalog.models import Service
from app.core.db import LOCAL_TZ
from app.core.text import search_key
from app.extensions import db
from app.teams.models import Membership, Team
from app.training.models import (
    Answer,
    Attempt,
    Qualification,
    Question,
    Stage,
    TrainingSession,
)


@dataclass
class OverviewRow:
    commune: Area
    month: str  # "2026-11"
    sessions: int = 0
    trainees: int = 0
    pass_rate: float | None = None
    gain: float | None = None
    weakest: list = field(default_factory=list)


def overview(actor: User) -> tuple[list[OverviewRow], list[Area], list[Team]]:
    """By commune and month: sessions, trainees who submitted the post-test, pass rate, mean gain
    and weakest topic; then the communes and teams with no trained member yet."""
    sessions = list(db.session.scalars(select(TrainingSession).where(training_filter(actor))
                                       .options(selectinload(TrainingSession.commune))))
    ids = [s.id for s in sessions]
    scores = _scores(ids)
    topic_right = _topic_right(ids)
    services = {s.id: s for s in db.session.scalars(select(Service))}
    groups: dict = {}
    for s in sessions:
        key = (s.commune_id, s.starts_at.astimezone(LOCAL_TZ).strftime("%Y-%m"))
        groups.setdefault(key, []).append(s)
    rows = []
    for (_, month), members in groups.items():
        handed_in, passed, gain_sum, pairs = (sum(v) for v in zip(*(scores.get(s.id, (0, 0, 0.0, 0))
                                                                      for s in members), strict=True))
        right, seen = defaultdict(int), defaultdict(int)
        for s in members:
            for service_id, (r, n) in topic_right.get(s.id, {}).items():
                right[service_id] += r
                seen[service_id] += n
        shares = sorted((right[k] / seen[k], services[k].sort_order, k) for k in seen if seen[k])
        rows.append(OverviewRow(
            commune=members[0].commune, month=month, sessions=len(members), trainees=handed_in,
            pass_rate=100 * passed / handed_in if handed_in else None,
            gain=gain_sum / pairs if pairs else None,
            weakest=[(services[k], share) for share, _, k in shares[:2] if share < 1]))
    rows.sort(key=lambda r: (r.month, search_key(r.commune.name)), reverse=True)
    return rows, untrained_communes(actor), untrained_teams(actor)


def _scores(session_ids) -> dict[int, tuple[int, int, float, int]]:
    """session id -> (post-tests handed in, passed, the sum of post% - pre% over trainees who
    handed in both, how many they are): summed in the database, one statement."""
    if not session_ids:
        return {}
    post, pre = aliased(Attempt), aliased(Attempt)

    def percent(a):
        return func.coalesce(100.0 * a.right_count / func.nullif(a.question_count, 0), 0.0)

    gain = case((pre.id.is_not(None), percent(post) - percent(pre)))
    rows = db.session.connection().execute(
        select(post.session_id, func.count(), func.count().filter(post.passed),
               func.coalesce(func.sum(gain), 0.0), func.count(pre.id))
        .outerjoin(pre, and_(pre.session_id == post.session_id, pre.user_id == post.user_id, pre.stage == Stage.PRE,
                             pre.submitted_at.is_not(None)))
        .where(post.session_id.in_(session_ids), post.stage == Stage.POST, post.submitted_at.is_not(None))
        .group_by(post.session_id))
    return {row[0]: tuple(row[1:]) for row in rows}


def _topic_right(session_ids) -> dict:
    """session id -> service id -> (right answers, answers) in submitted post-tests."""
    if not session_ids:
        return {}
    rows = db.session.execute(
        select(Attempt.session_id, Question.service_id, func.count().filter(Answer.is_right), func.count())
        .join(Answer, Answer.attempt_id == Attempt.id).join(Question, Question.id == Answer.question_id)
        .where(Attempt.session_id.in_(session_ids), Attempt.stage == Stage.POST, Attempt.submitted_at.is_not(None))
        .group_by(Attempt.session_id, Question.service_id))
    out = defaultdict(dict)
    for session_id, service_id, right, n in rows:
        out[session_id][service_id] = (right, n)
    return out


def _trained_users():
    return select(Qualification.user_id)


def untrained_teams(actor: User) -> list[Team]:
    """Active teams in the actor's area none of whose members is trained for anything yet."""
    trained_teams = select(Membership.team_id).where(Membership.user_id.in_(_trained_users()))
    stmt = (select(Team).join(Area, Area.id == Team.commune_id).where(Team.is_active, Team.id.not_in(trained_teams))
            .options(selectinload(Team.commune)).order_by(Area.search_key, Team.search_key).limit(500))
    if actor.home_area is not None:
        stmt = stmt.where(Area.subtree(actor.home_area.path))
    return list(db.session.scalars(stmt))


def untrained_communes(actor: User) -> list[Area]:
    """Communes of the actor's area with no trained person: nobody homed there, nor in a team there."""
    by_team = select(Team.commune_id).join(Membership).where(Membership.user_id.in_(_trained_users()))
    homed = select(User.home_area_id).where(User.id.in_(_trained_users()), User.home_area_id.is_not(None))
    stmt = select(Area).where(Area.kind == AreaKind.COMMUNE, Area.is_active, Area.id.not_in(by_team),
                              Area.id.not_in(homed))
    if actor.home_area is not None:
        stmt = stmt.where(Area.subtree(actor.home_area.path))
    return list(db.session.scalars(stmt.order_by(Area.search_key)))
