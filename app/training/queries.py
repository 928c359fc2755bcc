"""Reading training data: lists for trainers, a session's attendees and candidates, a trainee's
test (a session's results: ``reports``; the province: ``overview``; who is trained for what:
``readiness``). Every function that names a session takes it already loaded through the
user's scope (``access.get_or_404`` or ``attending``); lists take the user."""

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from app.access import bank_filter, training_filter
from app.accounts.models import User
from app.areas.models import Area, AreaKind
from app.core.text import search_key
from app.extensions import db
from app.teams.models import Membership, Team
from app.training.models import (
    Answer,
    Attempt,
    Attendee,
    Choice,
    Feedback,
    Question,
    Quiz,
    QuizQuestion,
    TrainingSession,
)

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


def previous_improvement(user: User, session: TrainingSession) -> TrainingSession | None:
    """The latest earlier session with the same post-test and an improvement written down,
    among those ``user`` may see (another area's sessions stay theirs)."""
    return db.session.scalar(
        select(TrainingSession).where(training_filter(user), TrainingSession.post_quiz_id == session.post_quiz_id,
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
