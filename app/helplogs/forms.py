from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.forms import AT_MOST, AppForm, IdField, db_int
from app.core.privacy import PrivacyGuard
from app.helplogs.models import NOTE_MAX, PEOPLE_MAX_GROUP, Outcome
from app.helplogs.queries import FAVOURITES
from app.households.forms import ConsentFields, HouseholdFields


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def service_groups(field: SelectMultipleField, favourites: list[int]) -> tuple[list, list]:
    """The service tiles in two groups: the user's usual ones first (topped up in the
    catalogue's order to FAVOURITES), then the rest, shown behind "More…". A rest of one tile
    is not worth a disclosure: it joins the first group."""
    options = list(field)
    by_id = {option.data: option for option in options}
    first_ids = [i for i in favourites if i in by_id][:FAVOURITES]
    for option in options:
        if len(first_ids) >= FAVOURITES:
            break
        if option.data not in first_ids:
            first_ids.append(option.data)
    first = [by_id[i] for i in first_ids]
    rest = [option for option in options if option.data not in first_ids]
    if len(rest) <= 1:
        return first + rest, []
    return first, rest


class InlineHouseholdForm(ConsentFields, HouseholdFields, Form):
    """A new household typed inside the log form, with its consent step."""

    confirmed_new = HiddenField()


class LogForm(AppForm):
    client_uuid = HiddenField()
    version = HiddenField()
    task_id = IdField(validators=[Optional()])
    village_id = SelectField(_l("Village"), coerce=db_int, validate_choice=False)
    mode = RadioField(
        _l("Who was helped"),
        choices=[SelectChoice("existing", _l("A household")),
                 SelectChoice("new", _l("A new household")),
                 SelectChoice("group", _l("A group session"))],
        default="existing",
        validators=[DataRequired(_l("Choose who was helped."))],
    )
    household_id = IdField(validators=[Optional()])
    new = FormField(InlineHouseholdForm)
    service_ids = MultiCheckboxField(_l("Help given"), coerce=db_int, validate_choice=False)
    outcome = RadioField(
        _l("Outcome"),
        choices=Outcome.choices(),
        default=Outcome.DONE.value,
        validators=[DataRequired(_l("Choose the outcome."))],
    )
    people_count = IntegerField(
        _l("People helped"), default=1,
        validators=[InputRequired(_l("Enter how many people were helped.")),
                    NumberRange(1, PEOPLE_MAX_GROUP, _l("Enter a number from 1 to %(max)d."))],
    )
    helped_on = DateField(_l("Date helped"), validators=[InputRequired(_l("Enter the date."))],
                          format="%Y-%m-%d")
    note = TextAreaField(_l("Short note (optional)"),
                         validators=[Optional(), Length(max=NOTE_MAX, message=AT_MOST), PrivacyGuard()])

    COMMON = ("village_id", "mode", "service_ids", "outcome", "people_count", "helped_on", "note")

    def validate(self, extra_validators=None) -> bool:
        """Only the part of the form that the chosen mode uses is checked."""
        ok = True
        for name in self.COMMON:
            ok = self[name].validate(self) and ok
        if self.mode.data == "existing" and not self.household_id.data:
            self.household_id.errors = [str(_l("Choose a household, or add a new one."))]
            ok = False
        if self.mode.data == "new":
            ok = self.new.validate(self) and ok
        if not self.service_ids.data:
            self.service_ids.errors = [*self.service_ids.errors, str(_l("Choose at least one kind of help."))]
            ok = False
        return ok


class LogSubmission(LogForm):
    """The log form as a submission without a new household is read: the same fields and
    checks, less the new household's sub-form (ten fields) and the CSRF field (CSRFProtect
    checks every POST before the view, and nothing is rendered from this form). Building
    them was a tenth of a submission's CPU; the whole form is built only to show the form
    again (``whole_form``)."""

    new = None

    class Meta:
        csrf = False


def whole_form(form: LogForm) -> LogForm:
    """The whole log form, read from the same request, with the messages ``form`` holds: what
    a submission shows when it is refused."""
    if not isinstance(form, LogSubmission):
        return form
    whole = LogForm()
    for field in form:
        whole[field.name].errors = list(field.errors)
    whole.form_errors = list(form.form_errors)
    return whole
