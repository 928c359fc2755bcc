"""Taking a test: joining a session by its code, answers saved one by one, one submission, the
qualification a passed post-test records, and the feedback after it.

Submitting is one conditional UPDATE (``submitted_at IS NULL``): a double tap or a replay finds
the test handed in and changes nothing. Each function owns its unit of work and commits.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.audit.services import record
from app.core.db import LOCAL_TZ, utcnow
from app.core.privacy import privacy_problem
from app.core.text import clean_text
from app.extensions import db
from app.training.models import (
    PROPOSAL_MAX,
    Answer,
    Attempt,
    Attendee,
    Choice,
    Feedback,
    Qualification,
    Question,
    Quiz,
    QuizQuestion,
    QuizState,
    Stage,
    TrainingSession,
)
from app.training.services import TrainingError, attendee_of


def normalise_code(raw: str | None) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:20]


def join(user: User, raw_code: str | None) -> TrainingSession:
    """Join a session by its code. Someone not on the list is admitted (the code is given out in
    the room) and shows in the attendance as not expected."""
    code = normalise_code(raw_code)
    if not code:
        raise TrainingError(_l("Enter the session code."), "code")
    session = db.session.scalar(select(TrainingSession).where(TrainingSession.code == code))
    if session is None:
        raise TrainingError(_l("No session has this code. Check it with your trainer."), "code", 404)
    attendee = attendee_of(session, user)
    if all(session.state_of(s) == QuizState.CLOSED for s in session.stages) and (
            attendee is None or attendee.joined_at is None):
        raise TrainingError(_l("The tests of this session are closed."), "code", 409)
    if attendee is None:
        attendee = Attendee(session_id=session.id, user_id=user.id, expected=False)
        db.session.add(attendee)
    if attendee.joined_at is None:
        attendee.joined_at = utcnow()
    try:
        db.session.commit()
    except IntegrityError:  # the same trainee joining twice at once: one row
        db.session.rollback()
    return session


def _open_test(session: TrainingSession, stage: str) -> None:
    state = session.state_of(stage)
    if state == QuizState.NEW:
        raise TrainingError(_l("The trainer has not opened this test yet."), None, 409)
    if state == QuizState.CLOSED:
        raise TrainingError(_l("This test is closed."), None, 409)


def attempt_of(session: TrainingSession, user: User, stage: str) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(Attempt.session_id == session.id, Attempt.user_id == user.id,
                                                   Attempt.stage == stage))


def start(user: User, session: TrainingSession, stage: str) -> Attempt:
    """The trainee's attempt at a test: the one started before (to resume), or a new one."""
    attempt = attempt_of(session, user, stage)
    if attempt is not None:
        return attempt
    _open_test(session, stage)
    attempt = Attempt(session_id=session.id, user_id=user.id, stage=stage, quiz_id=session.quiz_of(stage).id)
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:  # started in another tab a moment before
        db.session.rollback()
        attempt = attempt_of(session, user, stage)
    return attempt


def answer(user: User, session: TrainingSession, stage: str, question_id: int | None,
           choice_id: int | None) -> Answer:
    """Save one answer as it is given; answering again before submitting changes it."""
    attempt = start(user, session, stage)
    if attempt.submitted_at is not None:
        raise TrainingError(_l("You have already submitted this test; your answers can no longer change."),
                            None, 409)
    _open_test(session, stage)
    in_quiz = db.session.scalar(select(QuizQuestion.question_id).where(
        QuizQuestion.quiz_id == attempt.quiz_id, QuizQuestion.question_id == (question_id or 0)))
    if in_quiz is None:
        raise TrainingError(_l("This question is not part of the test."), "choice_id")
    choice = db.session.scalar(select(Choice).where(Choice.id == (choice_id or 0),
                                                    Choice.question_id == question_id))
    if choice is None:
        raise TrainingError(_l("Choose one of the answers shown."), "choice_id")
    given = db.session.get(Answer, (attempt.id, question_id))
    if given is None:
        given = Answer(attempt_id=attempt.id, question_id=question_id)
        db.session.add(given)
    given.choice_id, given.is_right, given.answered_at = choice.id, choice.is_right, utcnow()
    db.session.commit()
    return given


def submit(user: User, session: TrainingSession, stage: str) -> tuple[Attempt, bool]:
    """Hand the test in: scored once, in one transaction. Returns (attempt, whether this call
    submitted it); a second call finds it submitted and changes nothing."""
    attempt = attempt_of(session, user, stage)
    if attempt is not None and attempt.submitted_at is not None:
        return attempt, False
    if attempt is None:
        attempt = start(user, session, stage)
    _open_test(session, stage)
    quiz = db.session.get(Quiz, attempt.quiz_id)
    question_ids = select(QuizQuestion.question_id).where(QuizQuestion.quiz_id == quiz.id)
    total = db.session.scalar(select(func.count()).select_from(QuizQuestion).where(QuizQuestion.quiz_id == quiz.id))
    right = db.session.scalar(select(func.count()).select_from(Answer).where(
        Answer.attempt_id == attempt.id, Answer.is_right, Answer.question_id.in_(question_ids)))
    passed = bool(total) and 100 * right >= quiz.pass_mark * total
    done = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(submitted_at=utcnow(), right_count=right, question_count=total, passed=passed)
    ).rowcount
    if not done:
        db.session.rollback()
        db.session.refresh(attempt)
        return attempt, False
    if passed and stage == Stage.POST:
        _qualify(user, session, quiz)
    record(user, "training.test_submitted", attempt, {"stage": stage, "right": right, "of": total})
    db.session.commit()
    db.session.refresh(attempt)
    return attempt, True


def _qualify(user: User, session: TrainingSession, quiz: Quiz) -> None:
    """Trained for each service the quiz covers, from the first pass on."""
    service_ids = set(db.session.scalars(
        select(Question.service_id).join(QuizQuestion, QuizQuestion.question_id == Question.id)
        .where(QuizQuestion.quiz_id == quiz.id)))
    held = set(db.session.scalars(select(Qualification.service_id).where(Qualification.user_id == user.id)))
    today = datetime.now(LOCAL_TZ).date()
    for service_id in sorted(service_ids - held):
        db.session.add(Qualification(user_id=user.id, service_id=service_id, session_id=session.id,
                                     qualified_on=today))


@dataclass
class FeedbackInput:
    usefulness: int | None
    pace: int | None
    clarity: int | None
    proposal: str | None = ""


def give_feedback(user: User, session: TrainingSession, data: FeedbackInput) -> Feedback:
    """After the post-test, once per trainee. The proposal goes through the privacy guard."""
    attempt = attempt_of(session, user, Stage.POST)
    if attempt is None or attempt.submitted_at is None:
        raise TrainingError(_l("Feedback is given after submitting the post-test."), None, 409)
    for name in ("usefulness", "pace", "clarity"):
        value = getattr(data, name)
        if value is None or not 1 <= value <= 5:
            raise TrainingError(_l("Choose a rating from 1 to 5."), name)
    proposal = clean_text(data.proposal)
    if len(proposal) > PROPOSAL_MAX:
        raise TrainingError(_l("At most %(max)d characters.", max=PROPOSAL_MAX), "proposal")
    problem = privacy_problem(proposal)
    if problem:
        raise TrainingError(problem, "proposal")
    if db.session.scalar(select(exists().where(Feedback.session_id == session.id, Feedback.user_id == user.id))):
        raise TrainingError(_l("You have already given your feedback. Thank you!"), None, 409)
    feedback = Feedback(session_id=session.id, user_id=user.id, usefulness=data.usefulness, pace=data.pace,
                        clarity=data.clarity, proposal=proposal)
    db.session.add(feedback)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise TrainingError(_l("You have already given your feedback. Thank you!"), None, 409) from None
    return feedback
