"""The trainer's pages: sessions (list, code and QR, attendees, opening and closing tests),
results, trainees, the province overview and readiness (the bank and quizzes: ``bank_routes``)."""

from flask import Blueprint, Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.access import get_or_404
from app.core.domain import refused
from app.core.forms import db_int
from app.core.rendering import audited_download, done, render
from app.coverage.exports import BOM, csv_text
from app.helplogs.queries import active_services
from app.tasks import signals as task_signals
from app.tasks.models import Task
from app.teams.models import Team
from app.training import overview as training_overview
from app.training import qr, queries, reports, services
from app.training import readiness as trained
from app.training.forms import (
    AttendeeForm,
    ImprovementForm,
    NewAttendeeForm,
    SessionForm,
    StateForm,
)
from app.training.models import QuizState, TrainingSession

bp = Blueprint("training", __name__, url_prefix="/training")


@bp.get("")
def index():
    """The sessions of the trainer's area, newest first."""
    return render("training/index.html", sessions=queries.session_list(current_user))


# Sessions --------------------------------------------------------------------------------------

def _session_form(form: SessionForm) -> SessionForm:
    quizzes = queries.quiz_list(current_user)
    form.commune_id.choices = [SelectChoice("", _("Choose…")),
                               *(SelectChoice(c.id, c.name) for c in queries.communes_for(current_user))]
    form.post_quiz_id.choices = [SelectChoice("", _("Choose…")), *(SelectChoice(q.id, q.title) for q in quizzes)]
    form.pre_quiz_id.choices = [SelectChoice("", _("No pre-test")), *(SelectChoice(q.id, q.title) for q in quizzes)]
    return form


@bp.get("/sessions/new")
def new_session():
    return render("training/session_form.html", "training/_session_form.html",
                  form=_session_form(SessionForm(formdata=None)))


@bp.post("/sessions/new")
def create_session():
    form = _session_form(SessionForm())
    status = 400
    if form.validate():
        data = services.SessionInput(form.title.data, form.starts_at.data, form.commune_id.data,
                                     form.post_quiz_id.data, form.pre_quiz_id.data)
        with refused(form) as refusal:
            session = services.create_session(current_user, data)
        if not refusal:
            flash(_("Session created. Its code is %(code)s.", code=session.code), "success")
            return done(url_for("training.show_session", session_id=session.id))
        status = refusal.status
    return render("training/session_form.html", "training/_session_form.html", http_status=status, form=form)


def _session_page(session: TrainingSession, http_status: int = 200, **extra):
    context = {"session": session, "attendees": queries.attendees(session), "state_form": StateForm(),
               "attendee_form": AttendeeForm(formdata=None), "new_form": NewAttendeeForm(formdata=None),
               "improvement_form": ImprovementForm(formdata=None, data={"improvement": session.improvement}),
               "previous": queries.previous_improvement(current_user, session), "found": [], "q": "",
               "join_url": url_for("take.join", code=session.code, _external=True)}
    context.update(extra)
    return render("training/session.html", "training/_attendees.html", http_status=http_status, **context)


@bp.get("/sessions/<int:session_id>")
def show_session(session_id: int):
    """The session: code and QR to show the room, its tests to open and close, the attendees."""
    return _session_page(get_or_404(current_user, TrainingSession, session_id))


@bp.get("/sessions/<int:session_id>/qr.svg")
def session_qr(session_id: int):
    """The join link as a QR code, drawn on the server as SVG."""
    session = get_or_404(current_user, TrainingSession, session_id)
    svg = qr.svg(url_for("take.join", code=session.code, _external=True))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})


@bp.get("/sessions/<int:session_id>/attendees/search")
def attendee_search(session_id: int):
    """People to put on the list, found without accents ('nguyen van duc')."""
    session = get_or_404(current_user, TrainingSession, session_id)
    q = request.args.get("q", "")[:100]
    return _session_page(session, found=queries.attendee_candidates(session, q), q=q)


@bp.post("/sessions/<int:session_id>/attendees")
def add_attendee(session_id: int):
    session = get_or_404(current_user, TrainingSession, session_id)
    form = AttendeeForm()
    if not form.validate():
        return _session_page(session, 400, attendee_form=form)
    with refused(form) as refusal:
        services.add_attendee(current_user, session, queries.candidate(session, form.user_id.data))
    if refusal:
        return _session_page(session, refusal.status, attendee_form=form)
    return done(url_for("training.show_session", session_id=session.id))


@bp.post("/sessions/<int:session_id>/attendees/new")
def add_new_attendee(session_id: int):
    """Someone without an account: a volunteer account is made, its temporary password shown once."""
    session = get_or_404(current_user, TrainingSession, session_id)
    form = NewAttendeeForm()
    if not form.validate():
        return _session_page(session, 400, new_form=form)
    with refused(form) as refusal:
        user, password = services.add_new_attendee(current_user, session, form.full_name.data, form.phone.data)
    if refusal:
        return _session_page(session, refusal.status, new_form=form)
    return _session_page(session, created=user, password=password)


@bp.post("/sessions/<int:session_id>/attendees/remove")
def remove_attendee(session_id: int):
    session = get_or_404(current_user, TrainingSession, session_id)
    form = AttendeeForm()
    if not form.validate():
        abort(400)
    with refused(abort_on_refusal=True):
        services.remove_attendee(current_user, session, form.user_id.data)
    return done(url_for("training.show_session", session_id=session.id))


@bp.post("/sessions/<int:session_id>/state")
def set_state(session_id: int):
    """Open or close one of the session's tests."""
    session = get_or_404(current_user, TrainingSession, session_id)
    form = StateForm()
    if not form.validate():
        abort(400)
    with refused(abort_on_refusal=True):
        services.set_state(current_user, session, form.stage.data, form.state.data)
    flash(_("The test is open: trainees can answer.") if form.state.data == QuizState.OPEN
          else _("The test is closed."), "success")
    return done(url_for("training.show_session", session_id=session.id))


@bp.post("/sessions/<int:session_id>/improvement")
def save_improvement(session_id: int):
    session = get_or_404(current_user, TrainingSession, session_id)
    form = ImprovementForm()
    if not form.validate():
        return _session_page(session, 400, improvement_form=form)
    with refused(form) as refusal:
        services.save_improvement(current_user, session, form.improvement.data)
    if refusal:
        return _session_page(session, refusal.status, improvement_form=form)
    flash(_("Saved. The next session with this quiz will show it."), "success")
    return done(url_for("training.results", session_id=session.id))


# Results ---------------------------------------------------------------------------------------

@bp.get("/sessions/<int:session_id>/results")
def results(session_id: int):
    """Attendance, scores, gain, each question's figures and flags, topics, feedback."""
    session = get_or_404(current_user, TrainingSession, session_id)
    found = reports.session_results(session)
    return render("training/results.html", session=session, results=found, scores=reports.percent_texts(found),
                  improvement_form=ImprovementForm(formdata=None, data={"improvement": session.improvement}))


@bp.get("/sessions/<int:session_id>/results.csv")
@audited_download
def results_csv(session_id: int):
    """One row per trainee: pre-test, post-test, passed. Audited: it names people."""
    session = get_or_404(current_user, TrainingSession, session_id)
    rows = reports.session_results(session).trainees

    def percent(value):
        return "—" if value is None else f"{value:.1f}"

    lines = [[_("Trainee"), _("Pre-test (%)"), _("Post-test (%)"), _("Passed")],
             *([t["name"], percent(t["pre"]), percent(t["post"]), _("Yes") if t["passed"] else _("No")]
               for t in rows)]
    services.record_export(current_user, session, len(rows))
    response = Response((BOM + csv_text(lines)).encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="ket-qua-lop-{session.code}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/people")
def trainees():
    """Find a trainee by name (no accents needed) among those tested in the trainer's area."""
    q = request.args.get("q", "")[:100]
    return render("training/trainees.html", "training/_trainees_found.html", q=q,
                  found=reports.find_trainees(current_user, q))


@bp.get("/people/<int:user_id>")
def trainee(user_id: int):
    """A trainee's tests across the sessions the trainer sees: per session, pre- and post-test."""
    user, history = reports.trainee_history(current_user, user_id)
    if user is None:
        abort(404)
    return render("training/trainee.html", person=user, history=history)


@bp.get("/overview")
def overview():
    """By commune and month, and the communes and teams with nobody trained yet."""
    rows, communes, teams = training_overview.overview(current_user)
    return render("training/overview.html", rows=rows, communes=communes, teams=teams)




# Readiness: who is trained for what -------------------------------------------------------------

@bp.get("/teams/<int:team_id>")
def team_training(team_id: int):
    """The team's members and the kinds of help each is not trained for yet (the team page
    loads it in place)."""
    team = get_or_404(current_user, Team, team_id)
    return render("training/team.html", "training/_team.html", team=team, members=trained.untrained_members(team),
                  service_count=len(active_services()))


@bp.get("/readiness")
def readiness():
    """A soft warning for a task form: the assignee chosen is not trained for some of its help."""
    member, missing = trained.readiness(current_user, request.args.get("assignee_id", type=db_int),
                                        request.args.getlist("service_ids", type=db_int))
    return render("training/readiness.html", "training/_readiness.html", member=member, missing=missing)


@task_signals.assigned.connect
def warn_untrained_assignee(sender, task: Task, actor, **extra) -> None:
    """The readiness warning without JavaScript: a task saved for someone not trained for its
    help says so on the task page it leads to (the form's live warning needs htmx)."""
    member, missing = trained.readiness(actor, task.assignee_id, [s.id for s in task.services])
    if member is not None and missing:
        flash(_("%(name)s is not trained yet for: %(services)s. The task is theirs all the same.",
                name=member.full_name, services=", ".join(s.short_name for s in missing)), "warning")
