"""Training, the trainer's side: the question bank, quizzes, sessions and their attendees.

Each service owns its unit of work and commits; a refusal is a ``TrainingError`` with the
message the user reads. Taking a test is in ``taking``.
"""

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select, update

from app.access import find
from app.accounts.models import Role, User
from app.accounts.rules import temporary_password
from app.accounts.services import create_user
from app.areas.models import Area, AreaKind
from app.audit.services import record
from app.catalog.models import Service
from app.core.db import LOCAL_TZ
from app.core.domain import RuleError
from app.core.privacy import privacy_problem
from app.core.text import clean_text
from app.extensions import db
from app.training.models import (
    CHOICE_MAX,
    CODE_ALPHABET,
    CODE_LENGTH,
    EXPLANATION_MAX,
    IMPROVEMENT_MAX,
    MAX_CHOICES,
    MIN_CHOICES,
    QUESTION_MAX,
    TITLE_MAX,
    Answer,
    Attempt,
    Attendee,
    Choice,
    Question,
    Quiz,
    QuizQuestion,
    QuizState,
    Stage,
    TrainingSession,
)

MAX_QUIZ_QUESTIONS = 50


class TrainingError(RuleError):
    """A refused training change (see RuleError)."""


# The question bank -----------------------------------------------------------------------------

@dataclass
class QuestionInput:
    text: str | None
    service_id: int | None
    choices: list[str | None]
    right: int | None  # the position of the right choice among ``choices``
    explanation: str | None = ""


def _checked_question(data: QuestionInput) -> tuple[str, str, Service, list[tuple[str, bool]]]:
    text = clean_text(data.text)
    if not text:
        raise TrainingError(_l("Write the question."), "text")
    if len(text) > QUESTION_MAX:
        raise TrainingError(_l("At most %(max)d characters.", max=QUESTION_MAX), "text")
    explanation = clean_text(data.explanation)
    if len(explanation) > EXPLANATION_MAX:
        raise TrainingError(_l("At most %(max)d characters.", max=EXPLANATION_MAX), "explanation")
    service = db.session.get(Service, data.service_id) if data.service_id else None
    if service is None or not service.is_active:
        raise TrainingError(_l("Choose the kind of help the question is about."), "service_id")
    written = [(i, clean_text(c)) for i, c in enumerate(data.choices)]
    filled = [(i, c) for i, c in written if c]
    if len(filled) < MIN_CHOICES or len(filled) > MAX_CHOICES:
        raise TrainingError(_l("Write between %(min)d and %(max)d choices.", min=MIN_CHOICES, max=MAX_CHOICES),
                            "choices")
    if any(len(c) > CHOICE_MAX for _, c in filled):
        raise TrainingError(_l("A choice has at most %(max)d characters.", max=CHOICE_MAX), "choices")
    keys = [c.casefold() for _, c in filled]
    if len(set(keys)) != len(keys):
        raise TrainingError(_l("Two choices say the same thing: make each one different."), "choices")
    if data.right is None or data.right not in {i for i, _ in filled}:
        raise TrainingError(_l("Mark exactly one choice as the right answer."), "right")
    return text, explanation, service, [(c, i == data.right) for i, c in filled]


def _new_version(actor: User, text, explanation, service, choices, family_id=None, version=1) -> Question:
    question = Question(text=text, explanation=explanation, service=service, created_by_id=actor.id,
                        family_id=family_id or 0, version=version,
                        choices=[Choice(position=p, text=c, is_right=r) for p, (c, r) in enumerate(choices)])
    db.session.add(question)
    db.session.flush()
    if not family_id:
        question.family_id = question.id
    return question


def create_question(actor: User, data: QuestionInput) -> Question:
    """A new question in the bank. Raises TrainingError (no right answer, two, duplicates...)."""
    text, explanation, service, choices = _checked_question(data)
    question = _new_version(actor, text, explanation, service, choices)
    record(actor, "training.question_created", question, {"text": text})
    db.session.commit()
    return question


def has_answers(question: Question) -> bool:
    return db.session.scalar(select(exists().where(Answer.question_id == question.id)))


def _open_sessions_using(quiz_ids_stmt):
    return select(TrainingSession.id).where(or_(
        (TrainingSession.post_quiz_id.in_(quiz_ids_stmt)) & (TrainingSession.post_state == QuizState.OPEN),
        (TrainingSession.pre_quiz_id.in_(quiz_ids_stmt)) & (TrainingSession.pre_state == QuizState.OPEN)))


def edit_question(actor: User, question: Question, data: QuestionInput) -> Question:
    """Change a question. Once it has answers, the change is a new version that takes its
    place in every quiz; the answers keep the wording they were given. Refused while a test
    using it is open (trainees are reading it)."""
    if not question.is_current:
        raise TrainingError(_l("A newer version of this question exists: edit that one."), None, 409)
    text, explanation, service, choices = _checked_question(data)
    quizzes = select(QuizQuestion.quiz_id).where(QuizQuestion.question_id == question.id)
    if db.session.scalar(select(exists(_open_sessions_using(quizzes)))):
        raise TrainingError(_l("A test using this question is open: close it before changing the question."),
                            None, 409)
    if has_answers(question):
        question.is_current = False
        new = _new_version(actor, text, explanation, service, choices, question.family_id, question.version + 1)
        db.session.execute(update(QuizQuestion).where(QuizQuestion.question_id == question.id)
                           .values(question_id=new.id))
        record(actor, "training.question_versioned", new, {"version": [question.version, new.version]})
        db.session.commit()
        db.session.expire_all()  # quizzes loaded before now point at the new version
        return new
    question.text, question.explanation, question.service = text, explanation, service
    question.choices.clear()
    db.session.flush()
    question.choices.extend(Choice(position=p, text=c, is_right=r) for p, (c, r) in enumerate(choices))
    record(actor, "training.question_updated", question, {"text": text})
    db.session.commit()
    return question


# Quizzes ---------------------------------------------------------------------------------------

@dataclass
class QuizInput:
    title: str | None
    pass_mark: int | None
    question_ids: list[int] = field(default_factory=list)


def _checked_quiz(data: QuizInput) -> tuple[str, int, list[Question]]:
    title = clean_text(data.title)
    if not title:
        raise TrainingError(_l("Give the quiz a title."), "title")
    if len(title) > TITLE_MAX:
        raise TrainingError(_l("At most %(max)d characters.", max=TITLE_MAX), "title")
    if data.pass_mark is None or not 1 <= data.pass_mark <= 100:
        raise TrainingError(_l("The pass mark is a percentage from 1 to 100."), "pass_mark")
    ids = list(dict.fromkeys(data.question_ids))
    if not ids:
        raise TrainingError(_l("Choose at least one question."), "question_ids")
    if len(ids) > MAX_QUIZ_QUESTIONS:
        raise TrainingError(_l("A quiz has at most %(max)d questions.", max=MAX_QUIZ_QUESTIONS), "question_ids")
    found = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_(ids), Question.is_current))}
    if len(found) != len(ids):
        raise TrainingError(_l("Choose questions from the bank."), "question_ids")
    return title, data.pass_mark, [found[i] for i in ids]


def create_quiz(actor: User, data: QuizInput) -> Quiz:
    title, pass_mark, questions = _checked_quiz(data)
    quiz = Quiz(title=title, pass_mark=pass_mark, created_by_id=actor.id,
                items=[QuizQuestion(question=q, position=p) for p, q in enumerate(questions)])
    db.session.add(quiz)
    db.session.flush()
    record(actor, "training.quiz_created", quiz, {"title": title, "pass_mark": pass_mark})
    db.session.commit()
    return quiz


def update_quiz(actor: User, quiz: Quiz, data: QuizInput) -> Quiz:
    """Refused while a test using the quiz is open; results already given keep their answers."""
    title, pass_mark, questions = _checked_quiz(data)
    if db.session.scalar(select(exists(_open_sessions_using(select(Quiz.id).where(Quiz.id == quiz.id))))):
        raise TrainingError(_l("A test using this quiz is open: close it before changing the quiz."), None, 409)
    quiz.title, quiz.pass_mark = title, pass_mark
    quiz.items.clear()
    db.session.flush()
    quiz.items.extend(QuizQuestion(question=q, position=p) for p, q in enumerate(questions))
    record(actor, "training.quiz_updated", quiz, {"title": title, "pass_mark": pass_mark})
    db.session.commit()
    return quiz


# Sessions --------------------------------------------------------------------------------------

@dataclass
class SessionInput:
    title: str | None
    starts_at: datetime | None  # local time, naive, as the form gives it
    commune_id: int | None
    post_quiz_id: int | None
    pre_quiz_id: int | None = None


def new_code() -> str:
    """A short code nobody else's session has."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.session.scalar(select(TrainingSession.id).where(TrainingSession.code == code)) is None:
            return code


def create_session(actor: User, data: SessionInput) -> TrainingSession:
    """A session in a commune of the trainer's area, trained by them."""
    title = clean_text(data.title)
    if not title:
        raise TrainingError(_l("Give the session a title."), "title")
    if len(title) > TITLE_MAX:
        raise TrainingError(_l("At most %(max)d characters.", max=TITLE_MAX), "title")
    if data.starts_at is None:
        raise TrainingError(_l("Enter the date and time."), "starts_at")
    commune = find(actor, Area, data.commune_id) if data.commune_id else None
    if commune is None or commune.kind != AreaKind.COMMUNE:
        raise TrainingError(_l("Choose a commune of your area."), "commune_id")
    post = find(actor, Quiz, data.post_quiz_id) if data.post_quiz_id else None
    if post is None:
        raise TrainingError(_l("Choose the post-test."), "post_quiz_id")
    pre = find(actor, Quiz, data.pre_quiz_id) if data.pre_quiz_id else None
    if data.pre_quiz_id and pre is None:
        raise TrainingError(_l("Choose the pre-test from the list, or none."), "pre_quiz_id")
    starts_at = data.starts_at.replace(tzinfo=LOCAL_TZ) if data.starts_at.tzinfo is None else data.starts_at
    session = TrainingSession(title=title, starts_at=starts_at, commune=commune, trainer_id=actor.id,
                              post_quiz=post, pre_quiz=pre, code=new_code(), created_by_id=actor.id)
    db.session.add(session)
    db.session.flush()
    record(actor, "training.session_created", session, {"title": title, "commune_id": commune.id})
    db.session.commit()
    return session


def attendee_of(session: TrainingSession, user: User) -> Attendee | None:
    return db.session.scalar(select(Attendee).where(Attendee.session_id == session.id,
                                                    Attendee.user_id == user.id))


def add_attendee(actor: User, session: TrainingSession, user: User | None) -> Attendee:
    """Put someone found by the search on the session's list (``user`` comes from that search)."""
    if user is None or not user.is_active:
        raise TrainingError(_l("Choose someone from the search results."), "user_id")
    attendee = attendee_of(session, user)
    if attendee is not None:
        attendee.expected = True
    else:
        attendee = Attendee(session_id=session.id, user_id=user.id, expected=True)
        db.session.add(attendee)
    record(actor, "training.attendee_added", session, {"user_id": user.id})
    db.session.commit()
    return attendee


def add_new_attendee(actor: User, session: TrainingSession, full_name: str | None,
                     phone: str | None) -> tuple[User, str]:
    """Someone without an account: a volunteer account, homed in the session's commune, with a
    temporary password shown once (changed at first sign-in). Raises AccountError or TrainingError."""
    if not phone or not phone.strip():
        raise TrainingError(_l("Enter the phone number: it is how they sign in."), "phone")
    password = temporary_password()
    username = "tv" + "".join(secrets.choice("23456789abcdefghjkmnpqrstuvwxyz") for _ in range(6))
    user = create_user(actor, username=username, full_name=full_name or "", password=password,
                       role=Role.VOLUNTEER, home_area=session.commune, phone=phone)
    user.must_change_password = True
    db.session.add(Attendee(session_id=session.id, user_id=user.id, expected=True))
    record(actor, "training.attendee_added", session, {"user_id": user.id})
    db.session.commit()
    return user, password


def remove_attendee(actor: User, session: TrainingSession, user_id: int | None) -> None:
    """Take someone off the list; a trainee who already answered stays (their answers count)."""
    attendee = db.session.scalar(select(Attendee).where(Attendee.session_id == session.id,
                                                        Attendee.user_id == (user_id or 0)))
    if attendee is None:
        raise TrainingError(_l("This person is not on the list."), None, 404)
    answered = db.session.scalar(select(exists().where(Attempt.session_id == session.id,
                                                       Attempt.user_id == attendee.user_id)))
    if answered:
        raise TrainingError(_l("This trainee has started a test: they stay on the list."), None, 409)
    db.session.delete(attendee)
    record(actor, "training.attendee_removed", session, {"user_id": attendee.user_id})
    db.session.commit()


NEXT_STATES = {QuizState.NEW: {QuizState.OPEN}, QuizState.OPEN: {QuizState.CLOSED},
               QuizState.CLOSED: {QuizState.OPEN}}


def set_state(actor: User, session: TrainingSession, stage: str | None, state: str | None) -> None:
    """Open or close one test of the session."""
    if stage not in session.stages:
        raise TrainingError(_l("This session has no such test."), None, 404)
    current = session.state_of(stage)
    if state not in set(QuizState) or state not in NEXT_STATES[QuizState(current)]:
        raise TrainingError(_l("The test is already in that state."), None, 409)
    if stage == Stage.PRE:
        session.pre_state = state
    else:
        session.post_state = state
    record(actor, "training.test_" + ("opened" if state == QuizState.OPEN else "closed"), session,
           {"stage": stage})
    db.session.commit()


def save_improvement(actor: User, session: TrainingSession, text: str | None) -> None:
    """What the trainer decided to do better next time; the next session with the same quiz shows it."""
    text = clean_text(text)
    if len(text) > IMPROVEMENT_MAX:
        raise TrainingError(_l("At most %(max)d characters.", max=IMPROVEMENT_MAX), "improvement")
    problem = privacy_problem(text)
    if problem:
        raise TrainingError(problem, "improvement")
    session.improvement = text
    record(actor, "training.improvement_saved", session, {"improvement": text})
    db.session.commit()


def record_export(actor: User, session: TrainingSession, rows: int) -> None:
    """A results file names trainees: who took it, of which session, how many rows."""
    record(actor, "training.results_exported", session, {"rows": rows})
    db.session.commit()
