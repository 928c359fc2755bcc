"""Taking a test on the phone: join with the code (or the QR link), one question per screen,
each answer saved as it is tapped, one submission, then the result and the feedback.

Every page works as plain forms: a choice is a submit button, so a tap saves the answer and
shows the next question with or without JavaScript (htmx swaps only the question card)."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.domain import refused
from app.core.rendering import done, render, wants_fragment
from app.training import queries, taking
from app.training.forms import AnswerForm, FeedbackForm, JoinForm, SubmitForm
from app.training.models import QuizState, Stage, TrainingSession

bp = Blueprint("take", __name__)

STAGES = "any(pre,post)"


def _session(session_id: int, stage: str | None = None) -> TrainingSession:
    """The session, for someone on its list; 404 otherwise, or for a test it does not have."""
    session = queries.attending(current_user, session_id)
    if session is None or (stage is not None and stage not in session.stages):
        abort(404)
    return session


def _join_page(form: JoinForm, http_status: int = 200):
    return render("training/join.html", http_status=http_status, form=form,
                  sessions=queries.my_sessions(current_user))


@bp.get("/join")
def join():
    """Enter the session code; the QR code opens this page with the code filled in."""
    form = JoinForm(formdata=None, data={"code": taking.normalise_code(request.args.get("code"))})
    return _join_page(form)


def _first_test(session: TrainingSession) -> str:
    """Where a trainee goes after joining: an open test not yet handed in, the pre-test first."""
    for stage in session.stages:
        attempt = taking.attempt_of(session, current_user, stage)
        if session.state_of(stage) == QuizState.OPEN and (attempt is None or attempt.submitted_at is None):
            return stage
    return Stage.POST


@bp.post("/join")
def join_submit():
    form = JoinForm()
    if not form.validate():
        return _join_page(form, 400)
    with refused(form) as refusal:
        session = taking.join(current_user, form.code.data)
    if refusal:
        return _join_page(form, refusal.status)
    return done(url_for("take.test", session_id=session.id, stage=_first_test(session)))


def _test_page(session, stage, attempt, page, index: int, http_status: int = 200, **extra):
    return render("training/take.html", "training/_question.html", http_status=http_status, session=session,
                  stage=stage, attempt=attempt, sheet=page, index=index, answer_form=AnswerForm(formdata=None),
                  submit_form=SubmitForm(), **extra)


def _waiting(session: TrainingSession, stage: str, message: str, http_status: int = 409):
    return render("training/waiting.html", http_status=http_status, session=session, stage=stage, message=message)


@bp.get(f"/t/<int:session_id>/<{STAGES}:stage>")
def test(session_id: int, stage: str):
    """One question of the test (``n``: its number, from 0); by default the first not answered,
    so a trainee whose connection dropped comes back where they stopped."""
    session = _session(session_id, stage)
    attempt = taking.attempt_of(session, current_user, stage)
    if attempt is not None and attempt.submitted_at is not None:
        return redirect(url_for("take.result", session_id=session.id, stage=stage), 303)
    with refused() as refusal:
        attempt = taking.start(current_user, session, stage)
    if refusal:
        return _waiting(session, stage, str(refusal.error.message), refusal.status)
    page = queries.sheet(attempt)
    wanted = request.args.get("n", type=int)
    index = wanted if wanted is not None and 0 <= wanted <= len(page.questions) else page.next_index()
    if wanted is None and page.answered == len(page.questions):
        index = len(page.questions)  # everything answered: the hand-in screen
    return _test_page(session, stage, attempt, page, index)


@bp.post(f"/t/<int:session_id>/<{STAGES}:stage>/answer")
def answer(session_id: int, stage: str):
    """Save one answer, then show the next question (or the hand-in screen after the last)."""
    session = _session(session_id, stage)
    form = AnswerForm()
    if not form.validate():
        abort(400, description=_("Choose one of the answers shown."))
    with refused() as refusal:
        taking.answer(current_user, session, stage, form.question_id.data, form.choice_id.data)
    if refusal:
        if refusal.status == 409:
            return _waiting(session, stage, str(refusal.error.message))
        abort(refusal.status, description=str(refusal.error.message))
    attempt = taking.attempt_of(session, current_user, stage)
    page = queries.sheet(attempt)
    position = next((i for i, q in enumerate(page.questions) if q.id == form.question_id.data), 0)
    index = position + 1
    if wants_fragment():
        return _test_page(session, stage, attempt, page, index)
    return redirect(url_for("take.test", session_id=session.id, stage=stage, n=index), 303)


@bp.post(f"/t/<int:session_id>/<{STAGES}:stage>/submit")
def submit(session_id: int, stage: str):
    """Hand the test in. A second tap, or a replay, finds it handed in and changes nothing."""
    session = _session(session_id, stage)
    if not SubmitForm().validate():
        abort(400)
    with refused() as refusal:
        taking.submit(current_user, session, stage)
    if refusal:
        return _waiting(session, stage, str(refusal.error.message), refusal.status)
    return done(url_for("take.result", session_id=session.id, stage=stage))


@bp.get(f"/t/<int:session_id>/<{STAGES}:stage>/result")
def result(session_id: int, stage: str):
    """The score, passed or not, the explanations of what was missed; after the post-test, feedback."""
    session = _session(session_id, stage)
    attempt = taking.attempt_of(session, current_user, stage)
    if attempt is None or attempt.submitted_at is None:
        return redirect(url_for("take.test", session_id=session.id, stage=stage), 303)
    return _result_page(session, stage, attempt)


def _result_page(session, stage, attempt, form: FeedbackForm | None = None, http_status: int = 200):
    return render("training/result.html", "training/_feedback.html", http_status=http_status, session=session,
                  stage=stage, attempt=attempt, missed=queries.missed(attempt),
                  feedback_form=form or FeedbackForm(formdata=None),
                  feedback_given=queries.feedback_given(session, current_user),
                  next_stage=Stage.POST if stage == Stage.PRE else None)


@bp.post("/t/<int:session_id>/feedback")
def feedback(session_id: int):
    session = _session(session_id)
    attempt = taking.attempt_of(session, current_user, Stage.POST)
    if attempt is None or attempt.submitted_at is None:
        abort(409, description=_("Feedback is given after submitting the post-test."))
    form = FeedbackForm()
    if not form.validate():
        return _result_page(session, Stage.POST, attempt, form, 400)
    data = taking.FeedbackInput(form.usefulness.data, form.pace.data, form.clarity.data, form.proposal.data)
    with refused(form) as refusal:
        taking.give_feedback(current_user, session, data)
    if refusal:
        return _result_page(session, Stage.POST, attempt, form, refusal.status)
    flash(_("Thank you! Your feedback helps the next session."), "success")
    return done(url_for("take.result", session_id=session.id, stage=Stage.POST))
