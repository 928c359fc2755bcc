"""The question bank and quizzes, one for the province, kept by every trainer (under /training)."""

from flask import Blueprint, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.access import get_or_404
from app.core.domain import refused
from app.core.rendering import done, render
from app.helplogs.queries import active_services
from app.training import queries, services
from app.training.forms import (
    CHOICE_FIELDS,
    QuestionForm,
    QuizForm,
)
from app.training.models import Question, Quiz

bp = Blueprint("bank", __name__, url_prefix="/training")


# The question bank -----------------------------------------------------------------------------

@bp.get("/questions")
def questions():
    return render("training/questions.html", questions=queries.question_bank(current_user))


def _question_form(form: QuestionForm) -> QuestionForm:
    form.service_id.choices = [SelectChoice("", _("Choose…")),
                               *(SelectChoice(s.id, s.name) for s in active_services())]
    return form


def _question_input(form: QuestionForm) -> services.QuestionInput:
    return services.QuestionInput(form.text.data, form.service_id.data, form.choice_texts(), form.right.data,
                                  form.explanation.data)


@bp.get("/questions/new")
def new_question():
    return render("training/question_form.html", "training/_question_form.html",
                  form=_question_form(QuestionForm(formdata=None)), question=None)


@bp.post("/questions/new")
def create_question():
    form = _question_form(QuestionForm())
    if form.validate():
        with refused(form) as refusal:
            services.create_question(current_user, _question_input(form))
        if not refusal:
            flash(_("Question saved."), "success")
            return done(url_for("bank.questions"))
    return render("training/question_form.html", "training/_question_form.html", http_status=400,
                  form=form, question=None)


@bp.get("/questions/<int:question_id>/edit")
def edit_question(question_id: int):
    question = get_or_404(current_user, Question, question_id)
    form = _question_form(QuestionForm(formdata=None, obj=question))
    for name, choice in zip(CHOICE_FIELDS, question.choices, strict=False):
        form[name].data = choice.text
    form.right.data = next((c.position for c in question.choices if c.is_right), None)
    return render("training/question_form.html", "training/_question_form.html", form=form, question=question,
                  answered=services.has_answers(question))


@bp.post("/questions/<int:question_id>/edit")
def update_question(question_id: int):
    question = get_or_404(current_user, Question, question_id)
    form = _question_form(QuestionForm())
    status = 400
    if form.validate():
        with refused(form) as refusal:
            saved = services.edit_question(current_user, question, _question_input(form))
        if not refusal:
            flash(_("A new version of the question was saved; results keep the wording given.")
                  if saved.id != question_id else _("Question saved."), "success")
            return done(url_for("bank.questions"))
        status = refusal.status
    return render("training/question_form.html", "training/_question_form.html", http_status=status,
                  form=form, question=question, answered=services.has_answers(question))


# Quizzes ---------------------------------------------------------------------------------------

@bp.get("/quizzes")
def quizzes():
    return render("training/quizzes.html", quizzes=queries.quiz_list(current_user))


def _quiz_page(form: QuizForm, quiz: Quiz | None, http_status: int = 200):
    return render("training/quiz_form.html", "training/_quiz_form.html", http_status=http_status, form=form,
                  quiz=quiz, bank=queries.question_bank(current_user))


def _quiz_input(form: QuizForm) -> services.QuizInput:
    return services.QuizInput(form.title.data, form.pass_mark.data, list(form.question_ids.data or []))


@bp.get("/quizzes/new")
def new_quiz():
    return _quiz_page(QuizForm(formdata=None), None)


@bp.post("/quizzes/new")
def create_quiz():
    form = QuizForm()
    if not form.validate():
        return _quiz_page(form, None, 400)
    with refused(form) as refusal:
        services.create_quiz(current_user, _quiz_input(form))
    if refusal:
        return _quiz_page(form, None, refusal.status)
    flash(_("Quiz saved."), "success")
    return done(url_for("bank.quizzes"))


@bp.get("/quizzes/<int:quiz_id>/edit")
def edit_quiz(quiz_id: int):
    quiz = get_or_404(current_user, Quiz, quiz_id)
    form = QuizForm(formdata=None, obj=quiz)
    form.question_ids.data = [q.id for q in quiz.questions]
    return _quiz_page(form, quiz)


@bp.post("/quizzes/<int:quiz_id>/edit")
def update_quiz(quiz_id: int):
    quiz = get_or_404(current_user, Quiz, quiz_id)
    form = QuizForm()
    if not form.validate():
        return _quiz_page(form, quiz, 400)
    with refused(form) as refusal:
        services.update_quiz(current_user, quiz, _quiz_input(form))
    if refusal:
        return _quiz_page(form, quiz, refusal.status)
    flash(_("Quiz saved."), "success")
    return done(url_for("bank.quizzes"))
