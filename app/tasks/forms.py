from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.core.forms import AT_MOST, AppForm, db_int, parse_id
from app.core.privacy import PrivacyGuard
from app.helplogs.forms import MultiCheckboxField
from app.tasks.models import NOTE_MAX
from app.tasks.services import Choose


def optional_int(value):
    """A select whose empty choice means "none" (an open task)."""
    if value in (None, "", "None"):
        return None
    return db_int(value)


class TaskFields(AppForm):
    """What a leader may change on a task at any time."""

    version = HiddenField()
    service_ids = MultiCheckboxField(_l("Help to give"), coerce=db_int, validate_choice=False)
    target_count = IntegerField(
        _l("Target (households)"),
        validators=[Optional(), NumberRange(1, 100_000, _l("Enter a number of households, 1 or more."))],
    )
    due_on = DateField(_l("Due date"), validators=[InputRequired(_l("Enter the due date."))], format="%Y-%m-%d")
    assignee_id = SelectField(_l("Who does it"), coerce=optional_int, validate_choice=False)
    note = TextAreaField(_l("Instructions (optional)"),
                         validators=[Optional(), Length(max=NOTE_MAX, message=AT_MOST), PrivacyGuard()])


class TaskForm(TaskFields):
    """A new task: also the team, the village and its households."""

    team_id = SelectField(_l("Team"), coerce=optional_int, validate_choice=False)
    village_id = SelectField(_l("Village"), coerce=optional_int, validate_choice=False)
    choose = RadioField(
        _l("Households"),
        choices=[SelectChoice(Choose.VILLAGE, _l("Every household of the village")),
                 SelectChoice(Choose.UNREACHED, _l("Households not yet reached for this help")),
                 SelectChoice(Choose.LISTED, _l("Households I choose"))],
        default=Choose.VILLAGE,
        validators=[InputRequired(_l("Choose which households the task is for."))],
    )
    household_ids = MultiCheckboxField(_l("Households"), coerce=db_int, validate_choice=False)


class TaskActionForm(AppForm):
    """Claim, release, close, cancel: the CSRF token and the version the user saw."""

    version = HiddenField()


def version_of(field) -> int | None:
    return parse_id(field.data)
