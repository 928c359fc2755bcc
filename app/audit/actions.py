"""How the audit trail reads each action, in the user's language."""

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "login.succeeded": _l("signed in"),
    "login.failed": _l("failed sign-in"),
    "login.refused_locked": _l("sign-in refused: paused after wrong passwords"),
    "login.locked": _l("sign-in paused for one device after wrong passwords"),
    "account.locked": _l("account locked after failed sign-ins"),  # events before per-device pauses
    "user.created": _l("created an account"),
    "user.updated": _l("changed an account"),
    "user.activated": _l("reactivated an account"),
    "user.deactivated": _l("deactivated an account"),
    "user.password_reset": _l("reset a password"),
    "user.password_changed": _l("changed their password"),
    "user.signed_out_everywhere": _l("signed out on every device"),
    "team.created": _l("created a team"),
    "team.updated": _l("changed a team"),
    "team.activated": _l("reactivated a team"),
    "team.deactivated": _l("deactivated a team"),
    "team.member_added": _l("added a team member"),
    "team.member_role_changed": _l("changed a team member's role"),
    "team.member_removed": _l("removed a team member"),
    "service.updated": _l("changed a kind of help"),
    "household.created": _l("added a household"),
    "household.updated": _l("changed a household"),
    "household.anonymised": _l("anonymised a household"),
    "helplog.submitted": _l("logged help"),
    "helplog.updated": _l("changed a log"),
    "helplog.resubmitted": _l("resubmitted a log"),
    "helplog.returned": _l("returned a log"),
    "helplog.approved": _l("approved a log"),
    "helplog.bulk_approved": _l("approved several logs"),
    "task.created": _l("set a task"),
    "task.updated": _l("changed a task"),
    "task.claimed": _l("took a task"),
    "task.released": _l("gave a task back"),
    "task.closed": _l("closed a task"),
    "task.cancelled": _l("cancelled a task"),
    "target.set": _l("set a target"),
    "target.deleted": _l("deleted a target"),
    "export.table": _l("exported the coverage table"),
    "export.matrix": _l("exported the coverage by kind of help"),
    "export.logs": _l("exported help logs (pseudonymised)"),
    "area.created": _l("added a village"),
    "area.updated": _l("changed a village"),
    "area.deactivated": _l("stopped using a village"),
    "area.reactivated": _l("reactivated a village"),
    "import.confirmed": _l("imported a file"),
    "audit.exported": _l("exported the audit trail"),
    "training.question_created": _l("wrote a test question"),
    "training.question_updated": _l("changed a test question"),
    "training.question_versioned": _l("made a new version of a test question"),
    "training.quiz_created": _l("made a test"),
    "training.quiz_updated": _l("changed a test"),
    "training.session_created": _l("planned a training session"),
    "training.attendee_added": _l("added a trainee to a session"),
    "training.attendee_removed": _l("removed a trainee from a session"),
    "training.test_opened": _l("opened a test"),
    "training.test_closed": _l("ended a test"),
    "training.test_submitted": _l("handed in a test"),
    "training.improvement_saved": _l("recorded an improvement for the next session"),
    "training.results_exported": _l("exported a session's results"),
}

# What kind of record an event names, by table.
OBJECT_LABELS = {
    "users": _l("account"),
    "teams": _l("team"),
    "services": _l("kind of help"),
    "households": _l("household"),
    "help_logs": _l("help log"),
    "tasks": _l("task"),
    "coverage_targets": _l("target"),
    "areas": _l("place"),
    "import_uploads": _l("import"),
    "training_questions": _l("test question"),
    "training_quizzes": _l("test"),
    "training_sessions": _l("training session"),
    "training_attempts": _l("test taken"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def object_label(object_type: str | None) -> str:
    return str(OBJECT_LABELS.get(object_type, object_type or ""))
