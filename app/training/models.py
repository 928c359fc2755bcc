"""Training: a bank of questions, quizzes made of them, sessions where trainees take a quiz on
their phones, and what the answers say.

A question that has answers is never changed under them: an edit makes a new version (a new
row with the same ``family_id``), and answers keep pointing at the version they were given.
"""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.areas.models import Area
from app.catalog.models import Service
from app.core.db import UTCDateTime, utcnow
from app.core.labels import LabelledEnum
from app.extensions import db

QUESTION_MAX = 500
CHOICE_MAX = 200
EXPLANATION_MAX = 1000
TITLE_MAX = 200
PROPOSAL_MAX = 1000
IMPROVEMENT_MAX = 1000
MIN_CHOICES, MAX_CHOICES = 2, 5
DEFAULT_PASS_MARK = 70
CODE_LENGTH = 6
# No 0/O, 1/I/L: a code read aloud or off a projector is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class Stage(LabelledEnum):
    PRE = "pre", _l("Pre-test")
    POST = "post", _l("Post-test")


class QuizState(LabelledEnum):
    NEW = "new", _l("Not opened yet")
    OPEN = "open", lazy_pgettext("test", "Open")
    CLOSED = "closed", lazy_pgettext("test", "Closed")


class Question(db.Model):
    """One version of a question. The bank shows the current version of each family."""

    __tablename__ = "training_questions"
    __table_args__ = (Index("ix_training_questions_family_id_version", "family_id", "version", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    text: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text, default="")
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    service: Mapped[Service] = relationship()
    choices: Mapped[list["Choice"]] = relationship(
        back_populates="question", order_by="Choice.position", cascade="all, delete-orphan")

    @property
    def right_choice(self) -> "Choice | None":
        return next((c for c in self.choices if c.is_right), None)

    def __repr__(self) -> str:
        return f"<Question {self.family_id} v{self.version}>"


class Choice(db.Model):
    __tablename__ = "training_choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("training_questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(String(CHOICE_MAX))
    is_right: Mapped[bool] = mapped_column(Boolean, default=False)

    question: Mapped[Question] = relationship(back_populates="choices")

    @property
    def letter(self) -> str:
        return "ABCDE"[self.position]


class Quiz(db.Model):
    __tablename__ = "training_quizzes"
    __table_args__ = (CheckConstraint("pass_mark BETWEEN 1 AND 100", name="pass_mark_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    pass_mark: Mapped[int] = mapped_column(default=DEFAULT_PASS_MARK)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    items: Mapped[list["QuizQuestion"]] = relationship(
        back_populates="quiz", order_by="QuizQuestion.position", cascade="all, delete-orphan")

    @property
    def questions(self) -> list[Question]:
        return [item.question for item in self.items]


class QuizQuestion(db.Model):
    __tablename__ = "training_quiz_questions"

    quiz_id: Mapped[int] = mapped_column(ForeignKey("training_quizzes.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("training_questions.id"), primary_key=True, index=True)
    position: Mapped[int]

    quiz: Mapped[Quiz] = relationship(back_populates="items")
    question: Mapped[Question] = relationship()


class TrainingSession(db.Model):
    """A training (lớp bồi dưỡng): where, when, who trains, and its tests, each opened and
    closed by the trainer. Trainees join with ``code``."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    commune_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    post_quiz_id: Mapped[int] = mapped_column(ForeignKey("training_quizzes.id"), index=True)
    pre_quiz_id: Mapped[int | None] = mapped_column(ForeignKey("training_quizzes.id"))
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    pre_state: Mapped[str] = mapped_column(String(8), default=QuizState.NEW)
    post_state: Mapped[str] = mapped_column(String(8), default=QuizState.NEW)
    improvement: Mapped[str] = mapped_column(Text, default="")

    @property
    def audit_area_id(self) -> int | None:
        """Where its audit events belong (see AuditEvent.area_id): its commune."""
        return self.commune_id
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commune: Mapped[Area] = relationship()
    trainer: Mapped[User] = relationship(foreign_keys=[trainer_id])
    post_quiz: Mapped[Quiz] = relationship(foreign_keys=[post_quiz_id])
    pre_quiz: Mapped[Quiz | None] = relationship(foreign_keys=[pre_quiz_id])

    def quiz_of(self, stage: str) -> Quiz | None:
        return self.pre_quiz if stage == Stage.PRE else self.post_quiz

    def state_of(self, stage: str) -> str:
        return self.pre_state if stage == Stage.PRE else self.post_state

    @property
    def stages(self) -> list[str]:
        return [Stage.PRE, Stage.POST] if self.pre_quiz_id else [Stage.POST]

    def __repr__(self) -> str:
        return f"<TrainingSession {self.id} {self.code}>"


class Attendee(db.Model):
    """Someone on a session's list: ``expected`` when the trainer listed them; a trainee who
    joined with the code without being listed is admitted and shows as not expected."""

    __tablename__ = "training_attendees"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    expected: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class Attempt(db.Model):
    """One trainee's test: answers saved one by one, then one submission, scored then."""

    __tablename__ = "training_attempts"
    __table_args__ = (UniqueConstraint("session_id", "user_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    stage: Mapped[str] = mapped_column(String(8))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("training_quizzes.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    right_count: Mapped[int] = mapped_column(default=0)
    question_count: Mapped[int] = mapped_column(default=0)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship()
    quiz: Mapped[Quiz] = relationship()
    answers: Mapped[list["Answer"]] = relationship(cascade="all, delete-orphan")

    @property
    def percent(self) -> float:
        return 100 * self.right_count / self.question_count if self.question_count else 0.0


class Answer(db.Model):
    __tablename__ = "training_answers"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("training_attempts.id", ondelete="CASCADE"),
                                            primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("training_questions.id"), primary_key=True, index=True)
    choice_id: Mapped[int] = mapped_column(ForeignKey("training_choices.id"))
    is_right: Mapped[bool] = mapped_column(Boolean, default=False)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    question: Mapped[Question] = relationship()
    choice: Mapped[Choice] = relationship()


class Feedback(db.Model):
    __tablename__ = "training_feedback"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),
                      CheckConstraint("usefulness BETWEEN 1 AND 5 AND pace BETWEEN 1 AND 5 "
                                      "AND clarity BETWEEN 1 AND 5", name="ratings_range"))

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    usefulness: Mapped[int]
    pace: Mapped[int]
    clarity: Mapped[int]
    proposal: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Qualification(db.Model):
    """Trained for a service: recorded when a post-test covering it is passed (the first pass)."""

    __tablename__ = "training_qualifications"
    __table_args__ = (UniqueConstraint("user_id", "service_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True)
    qualified_on: Mapped[date] = mapped_column(Date)

    service: Mapped[Service] = relationship()
