"""Reading training data: lists for trainers, a trainee's test, a session's results, the
province overview. Every function that names a session takes it already loaded through the
user's scope (``access.get_or_404`` or ``attending``); lists take the user."""

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import mean

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from app.access import bank_filter, team_filter, training_filter
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
    Attendee,
    Choice,
    Feedback,
    Qualification,
    Question,
    Quiz,
    QuizQuestion,
    Stage,
    TrainingSession,
)
from app.training.results import StageFigures, Submitted, mean_gain, stage_figures, topic_shares

SEARCH_SHOWN = 10


def question_bank(user: User, q: str | None = None) -> list[Question]:
    stmt = (select(Question).where(Question.is_current, bank_filter(user))
            .options(selectinload(Question.choices), selectinload(Question.service))
            .order_by(Question.service_id, Question.family_id))
    return list(db.session.scalars(stmt))


def quiz_list(user: User) -> list[Quiz]:
    return list(db.session.scalars(select(Quiz).where(bank_filter(user)).order_by(Quiz.created_at.desc(), Quiz.id)
                                   .options(selectinload(Quiz.items))))


def session_list(user: User) -> list[TrainingSession]:
    return list(db.session.scalars(
        select(TrainingSession).where(training_filter(user))
        .options(selectinload(TrainingSession.commune), selectinload(TrainingSession.trainer))
        .order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc()).limit(200)))


def communes_for(user: User) -> list[Area]:
    stmt = select(Area).where(Area.kind == AreaKind.COMMUNE, Area.is_active)
    if user.home_area is not None:
        stmt = stmt.where(Area.subtree(user.home_area.path))
    return list(db.session.scalars(stmt.order_by(Area.search_key)))


def attending(user: User, session_id: int) -> TrainingSession | None:
    """The session, when ``user`` is on its list (listed, or joined by code)."""
    return db.session.scalar(select(TrainingSession).join(Attendee, Attendee.session_id == TrainingSession.id)
                             .where(TrainingSession.id == session_id, Attendee.user_id == user.id))


def my_sessions(user: User) -> list[TrainingSession]:
    return list(db.session.scalars(
        select(TrainingSession).join(Attendee, Attendee.session_id == TrainingSession.id)
        .where(Attendee.user_id == user.id).order_by(TrainingSession.starts_at.desc()).limit(20)))


def attendees(session: TrainingSession) -> list[Attendee]:
    return list(db.session.scalars(select(Attendee).where(Attendee.session_id == session.id)
                                   .options(selectinload(Attendee.user))
                                   .join(User, User.id == Attendee.user_id).order_by(User.search_key, User.id)))


def _candidates(session: TrainingSession):
    """Who may be put on a session's list: active people homed in its commune or in a team there."""
    in_commune = select(Area.id).where(Area.subtree(session.commune.path))
    in_team = select(Membership.user_id).join(Team).where(Team.commune_id == session.commune_id)
    return and_(User.is_active, or_(User.home_area_id.in_(in_commune), User.id.in_(in_team)))


def attendee_candidates(session: TrainingSession, q: str | None) -> list[User]:
    """Accent-insensitive: 'nguyen van duc' finds 'Nguyễn Văn Đức'."""
    key = search_key(q)
    if len(key) < 2:
        return []
    listed = select(Attendee.user_id).where(Attendee.session_id == session.id)
    return list(db.session.scalars(
        select(User).where(_candidates(session), User.search_key.contains(key, autoescape=True),
                           User.id.not_in(listed))
        .order_by(User.search_key, User.id).limit(SEARCH_SHOWN)))


def candidate(session: TrainingSession, user_id: int | None) -> User | None:
    if not user_id:
        return None
    return db.session.scalar(select(User).where(User.id == user_id, _candidates(session)))


def previous_improvement(session: TrainingSession) -> TrainingSession | None:
    """The latest earlier session with the same post-test and an improvement written down."""
    return db.session.scalar(
        select(TrainingSession).where(TrainingSession.post_quiz_id == session.post_quiz_id,
                                      TrainingSession.id != session.id, TrainingSession.improvement != "",
                                      TrainingSession.starts_at <= session.starts_at)
        .order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc()).limit(1))


# A trainee's test -------------------------------------------------------------------------------

@dataclass
class Sheet:
    """A test as the trainee sees it: the questions with their choices and what was answered."""

    questions: list[Question]
    given: dict  # question_id -> choice_id

    @property
    def answered(self) -> int:
        return sum(1 for q in self.questions if q.id in self.given)

    def next_index(self) -> int:
        """The first question not answered yet (the last one when all are)."""
        return next((i for i, q in enumerate(self.questions) if q.id not in self.given), len(self.questions) - 1)


def sheet(attempt: Attempt) -> Sheet:
    questions = list(db.session.scalars(
        select(Question).join(QuizQuestion, QuizQuestion.question_id == Question.id)
        .where(QuizQuestion.quiz_id == attempt.quiz_id).order_by(QuizQuestion.position)
        .options(selectinload(Question.choices))))
    given = dict(db.session.execute(select(Answer.question_id, Answer.choice_id)
                                    .where(Answer.attempt_id == attempt.id)).all())
    return Sheet(questions, given)


def missed(attempt: Attempt) -> list[tuple[Question, Choice | None]]:
    """The questions answered wrong (or not at all), with the choice given, for their explanations."""
    page = sheet(attempt)
    choices = {c.id: c for q in page.questions for c in q.choices}
    return [(q, choices.get(page.given.get(q.id))) for q in page.questions
            if not (page.given.get(q.id) and choices[page.given[q.id]].is_right)]


def feedback_given(session: TrainingSession, user: User) -> bool:
    return db.session.scalar(select(Feedback.id).where(Feedback.session_id == session.id,
                                                       Feedback.user_id == user.id)) is not None


# Results ----------------------------------------------------------------------------------------

def _submitted(session_ids, stage: str) -> dict[int, list[Submitted]]:
    """session id -> its submitted attempts at ``stage``, with their choices (two statements)."""
    attempts = db.session.execute(
        select(Attempt.id, Attempt.session_id, Attempt.user_id, Attempt.right_count, Attempt.question_count,
               Attempt.passed)
        .where(Attempt.session_id.in_(session_ids), Attempt.stage == stage, Attempt.submitted_at.is_not(None))
        .order_by(Attempt.id)).all()
    choices = defaultdict(dict)
    if attempts:
        ids = select(Attempt.id).where(Attempt.session_id.in_(session_ids), Attempt.stage == stage,
                                       Attempt.submitted_at.is_not(None))
        for attempt_id, question_id, choice_id in db.session.execute(
                select(Answer.attempt_id, Answer.question_id, Answer.choice_id).where(Answer.attempt_id.in_(ids))):
            choices[attempt_id][question_id] = choice_id
    out = defaultdict(list)
    for a in attempts:
        out[a.session_id].append(Submitted(a.id, a.user_id, a.right_count, a.question_count, a.passed,
                                           choices[a.id]))
    return out


@dataclass
class QuestionRow:
    """A question as the results show it: its wording (the version given), figures and flags."""

    question: Question
    figures: object
    wrong_choice: Choice | None = None


@dataclass
class SessionResults:
    expected: int
    joined: int
    post: StageFigures
    pre: StageFigures | None
    gain: float | None
    gain_count: int
    rows: list[QuestionRow]
    topics: list[tuple[Service, float]]
    feedback_count: int = 0
    ratings: dict = field(default_factory=dict)
    proposals: list[str] = field(default_factory=list)
    trainees: list[dict] = field(default_factory=list)


def _question_rows(attempts: list[Submitted], quiz_id: int) -> tuple[StageFigures, list[QuestionRow]]:
    """The quiz's questions, plus earlier versions trainees answered (an edit made mid-way)."""
    in_quiz = list(db.session.scalars(select(QuizQuestion.question_id).where(QuizQuestion.quiz_id == quiz_id)
                                      .order_by(QuizQuestion.position)))
    answered = {q for a in attempts for q in a.choices}
    ids = in_quiz + sorted(answered - set(in_quiz))
    questions = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_(ids)).options(selectinload(Question.choices),
                                                             selectinload(Question.service)))}
    rights = [(i, {c.id for c in questions[i].choices if c.is_right}) for i in ids]
    figures = stage_figures(attempts, rights)
    choices = {c.id: c for q in questions.values() for c in q.choices}
    rows = [QuestionRow(questions[f.question_id], f, choices.get(f.wrong_choice_id)) for f in figures.questions]
    return figures, rows


def session_results(session: TrainingSession) -> SessionResults:
    """Everything the results page shows, in a fixed number of statements."""
    counts = db.session.execute(
        select(func.count().filter(Attendee.expected), func.count(Attendee.joined_at))
        .where(Attendee.session_id == session.id)).one()
    post_attempts = _submitted([session.id], Stage.POST).get(session.id, [])
    post, rows = _question_rows(post_attempts, session.post_quiz_id)
    pre, gain, gain_count = None, None, 0
    pre_attempts = []
    if session.pre_quiz_id:
        pre_attempts = _submitted([session.id], Stage.PRE).get(session.id, [])
        pre = stage_figures(pre_attempts, [])
        gain, gain_count = mean_gain(pre_attempts, post_attempts)
    services = {r.question.id: r.question.service for r in rows}
    shares = topic_shares([r.figures for r in rows], {i: s.id for i, s in services.items()})
    by_id = {s.id: s for s in services.values()}
    topics = sorted(((by_id[s], share) for s, share in shares.items()), key=lambda t: (t[1], t[0].sort_order))
    feedback = db.session.execute(
        select(Feedback.usefulness, Feedback.pace, Feedback.clarity, Feedback.proposal)
        .where(Feedback.session_id == session.id).order_by(Feedback.id)).all()
    ratings = {name: mean(getattr(f, name) for f in feedback) for name in ("usefulness", "pace", "clarity")
               } if feedback else {}
    names = dict(db.session.execute(select(User.id, User.full_name).where(
        User.id.in_(select(Attempt.user_id).where(Attempt.session_id == session.id)))).all())
    pre_by = {a.user_id: a for a in pre_attempts}
    trainees = sorted(({"user_id": a.user_id, "name": names.get(a.user_id, ""), "post": a.percent,
                        "pre": pre_by[a.user_id].percent if a.user_id in pre_by else None, "passed": a.passed}
                       for a in post_attempts), key=lambda t: (search_key(t["name"]), t["user_id"]))
    return SessionResults(expected=counts[0], joined=counts[1], post=post, pre=pre, gain=gain,
                          gain_count=gain_count, rows=rows, topics=topics, feedback_count=len(feedback),
                          ratings=ratings, proposals=[f.proposal for f in feedback if f.proposal],
                          trainees=trainees)


def trainee_history(actor: User, user_id: int) -> tuple[User | None, list[tuple[TrainingSession, Attempt]]]:
    """A trainee's submitted tests in the sessions ``actor`` sees; (None, []) when there are none."""
    rows = db.session.execute(
        select(TrainingSession, Attempt).join(Attempt, Attempt.session_id == TrainingSession.id)
        .where(Attempt.user_id == user_id, Attempt.submitted_at.is_not(None), training_filter(actor))
        .order_by(TrainingSession.starts_at, Attempt.stage.desc())).all()
    if not rows:
        return None, []
    return rows[0][1].user, [(s, a) for s, a in rows]


def qualifications_of(user_ids) -> dict[int, set[int]]:
    """user id -> the ids of the services they are trained for."""
    held = defaultdict(set)
    for user_id, service_id in db.session.execute(
            select(Qualification.user_id, Qualification.service_id).where(Qualification.user_id.in_(user_ids))):
        held[user_id].add(service_id)
    return held


# The province's overview ---------------------------------------------------------------------

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
    post = _submitted(ids, Stage.POST) if ids else {}
    pre = _submitted(ids, Stage.PRE) if ids else {}
    topic_right = _topic_right(ids)
    services = {s.id: s for s in db.session.scalars(select(Service))}
    groups: dict = {}
    for s in sessions:
        key = (s.commune_id, s.starts_at.astimezone(LOCAL_TZ).strftime("%Y-%m"))
        groups.setdefault(key, []).append(s)
    rows = []
    for (_, month), members in groups.items():
        attempts = [a for s in members for a in post.get(s.id, [])]
        gains = [g for s in members for g in _gains(pre.get(s.id, []), post.get(s.id, []))]
        right, seen = defaultdict(int), defaultdict(int)
        for s in members:
            for service_id, (r, n) in topic_right.get(s.id, {}).items():
                right[service_id] += r
                seen[service_id] += n
        shares = sorted((right[k] / seen[k], services[k].sort_order, k) for k in seen if seen[k])
        rows.append(OverviewRow(
            commune=members[0].commune, month=month, sessions=len(members), trainees=len(attempts),
            pass_rate=100 * sum(a.passed for a in attempts) / len(attempts) if attempts else None,
            gain=mean(gains) if gains else None,
            weakest=[(services[k], share) for share, _, k in shares[:2] if share < 1]))
    rows.sort(key=lambda r: (r.month, search_key(r.commune.name)), reverse=True)
    return rows, untrained_communes(actor), untrained_teams(actor)


def _gains(pre: list[Submitted], post: list[Submitted]) -> list[float]:
    before = {a.user_id: a.percent for a in pre}
    return [a.percent - before[a.user_id] for a in post if a.user_id in before]


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
