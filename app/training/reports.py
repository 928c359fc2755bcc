"""A session's results for its trainer (attendance, scores, per question and topic, feedback,
trainees) and a trainee's history. Functions that name a session take it loaded through the
user's scope; the history takes the user."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import selectinload

from app.access import training_filter
from app.accounts.models import User
from app.catalog.models import Service
from app.core.i18n import format_share
from app.core.text import search_key
from app.extensions import db
from app.training.models import (
    Answer,
    Attempt,
    Attendee,
    Choice,
    Feedback,
    Question,
    QuizQuestion,
    Stage,
    TrainingSession,
)
from app.training.results import StageFigures, Submitted, mean_gain, stage_figures, topic_shares


def _submitted(session_ids, stage: str, with_choices: bool = True) -> dict[int, list[Submitted]]:
    """session id -> its submitted attempts at ``stage``, with their choices unless not wanted
    (two statements, through the connection: the ORM's result machinery is most of the cost of
    thousands of answers)."""
    read = db.session.connection().execute
    submitted = (Attempt.session_id.in_(session_ids), Attempt.stage == stage, Attempt.submitted_at.is_not(None))
    attempts = read(select(Attempt.id, Attempt.session_id, Attempt.user_id, Attempt.right_count,
                           Attempt.question_count, Attempt.passed).where(*submitted).order_by(Attempt.id)).all()
    choices = defaultdict(dict)
    if attempts and with_choices:
        ids = select(Attempt.id).where(*submitted)
        for attempt_id, question_id, choice_id in read(
                select(Answer.attempt_id, Answer.question_id, Answer.choice_id).where(Answer.attempt_id.in_(ids))):
            choices[attempt_id][question_id] = choice_id
    out = defaultdict(list)
    for attempt_id, session_id, user_id, right, count, passed in attempts:
        out[session_id].append(Submitted(attempt_id, user_id, right, count, passed, choices[attempt_id]))
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
        # The pre-test's figures are its scores: its answers are not read.
        pre_attempts = _submitted([session.id], Stage.PRE, with_choices=False).get(session.id, [])
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


def percent_texts(results: SessionResults) -> dict[float, str]:
    """Each score the trainees' table shows, formatted once: some 400 cells hold a few dozen
    distinct values (k of n questions)."""
    values = {t[k] for t in results.trainees for k in ("pre", "post") if t[k] is not None}
    return {value: format_share(value / 100) for value in values}


SEARCH_SHOWN = 20


@dataclass
class Found:
    """A trainee found by name: how many sessions they were tested in, the latest one's date."""

    user: User
    sessions: int
    last: datetime


def find_trainees(actor: User, q: str | None) -> list[Found]:
    """People with a test handed in in a session ``actor`` sees, found by name without accents
    ('nguyen van duc' finds 'Nguyễn Văn Đức'); nothing under two letters. One statement."""
    key = search_key(q)
    if len(key) < 2:
        return []
    tested = (select(Attempt.user_id, func.count(distinct(Attempt.session_id)).label("sessions"),
                     func.max(TrainingSession.starts_at).label("last"))
              .join(TrainingSession, TrainingSession.id == Attempt.session_id)
              .where(Attempt.submitted_at.is_not(None), training_filter(actor))
              .group_by(Attempt.user_id).subquery())
    rows = db.session.execute(
        select(User, tested.c.sessions, tested.c.last).join(tested, tested.c.user_id == User.id)
        .where(User.search_key.contains(key, autoescape=True))
        .order_by(User.search_key, User.id).limit(SEARCH_SHOWN)).all()
    return [Found(user, sessions, last) for user, sessions, last in rows]


@dataclass
class HistoryRow:
    """One session of a trainee's: its pre-test (when taken) and post-test (when handed in)."""

    session: TrainingSession
    pre: Attempt | None = None
    post: Attempt | None = None


def trainee_history(actor: User, user_id: int) -> tuple[User | None, list[HistoryRow]]:
    """A trainee's submitted tests in the sessions ``actor`` sees, one row per session, oldest
    first; (None, []) when there are none."""
    rows = db.session.execute(
        select(TrainingSession, Attempt).join(Attempt, Attempt.session_id == TrainingSession.id)
        .where(Attempt.user_id == user_id, Attempt.submitted_at.is_not(None), training_filter(actor))
        .options(selectinload(Attempt.user), selectinload(TrainingSession.commune))
        .order_by(TrainingSession.starts_at, TrainingSession.id)).all()
    if not rows:
        return None, []
    history: dict[int, HistoryRow] = {}
    for session, attempt in rows:
        row = history.setdefault(session.id, HistoryRow(session))
        setattr(row, "pre" if attempt.stage == Stage.PRE else "post", attempt)
    return rows[0][1].user, list(history.values())
