from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, Form, FormField, HiddenField, IntegerField, RadioField, SelectChoice,
    SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.privacy import PrivacyGuard
from app.helplogs.models import Outcome
from app.households.forms import MAX_CHARS
from app.households.models import ConsentMethod

MODES = ("existing", "new", "group")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class InlineHouseholdForm(Form):
    """A new household typed inside the log form, with its consent step."""

    display_name = StringField(
        _l("Head of household or house name"),
        validators=[DataRequired(_l("Enter the name of the head of household or of the house.")),
                    Length(max=120, message=MAX_CHARS)],
    )
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=20, message=MAX_CHARS)])
    member_count = IntegerField(
        _l("Members"), validators=[Optional(), NumberRange(1, 50, _l("Members must be between 1 and 50."))]
    )
    is_farm = BooleanField(_l("Farm household"))
    is_business = BooleanField(_l("Household business"))
    consent_method = RadioField(
        _l("How the resident agreed"),
        choices=[SelectChoice(ConsentMethod.VERBAL_WITNESSED.value, _l("Verbally, with a witness")),
                 SelectChoice(ConsentMethod.SIGNED.value, _l("Signed on paper"))],
        validators=[DataRequired(_l("Choose how the resident agreed."))],
    )
    consent_witness = StringField(_l("Witness name"), validators=[Length(max=120, message=MAX_CHARS)])
    consent_given = BooleanField(
        _l("The resident heard the consent text and agreed"),
        validators=[DataRequired(_l("Without the resident's agreement the household cannot be saved."))],
    )
    confirmed_new = HiddenField()

    def validate_consent_witness(self, field):
        from wtforms.validators import ValidationError

        if self.consent_method.data == ConsentMethod.VERBAL_WITNESSED and not (field.data or "").strip():
            raise ValidationError(_l("Verbal consent needs the name of a witness."))


class LogForm(FlaskForm):
    client_uuid = HiddenField()
    version = HiddenField()
    village_id = SelectField(_l("Village"), coerce=int, validate_choice=False)
    mode = RadioField(
        _l("Who was helped"),
        choices=[SelectChoice("existing", _l("A household")),
                 SelectChoice("new", _l("A new household")),
                 SelectChoice("group", _l("A group session"))],
        default="existing",
        validators=[DataRequired(_l("Choose who was helped."))],
    )
    household_id = IntegerField(validators=[Optional()])
    new = FormField(InlineHouseholdForm)
    service_ids = MultiCheckboxField(_l("Help given"), coerce=int, validate_choice=False)
    outcome = RadioField(
        _l("Outcome"),
        choices=[SelectChoice(Outcome.DONE.value, _l("Done")),
                 SelectChoice(Outcome.PARTLY.value, _l("Partly")),
                 SelectChoice(Outcome.FOLLOW_UP.value, _l("Needs follow-up"))],
        default=Outcome.DONE.value,
        validators=[DataRequired(_l("Choose the outcome."))],
    )
    people_count = IntegerField(
        _l("People helped"), default=1,
        validators=[InputRequired(_l("Enter how many people were helped.")),
                    NumberRange(1, 500, _l("Enter a number from 1 to 500."))],
    )
    helped_on = DateField(_l("Date helped"), validators=[InputRequired(_l("Enter the date."))],
                          format="%Y-%m-%d")
    note = TextAreaField(_l("Short note (optional)"),
                         validators=[Optional(), Length(max=500, message=MAX_CHARS), PrivacyGuard()])

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
