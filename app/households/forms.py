from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from app.core.forms import AT_MOST, AppForm, db_int
from app.core.privacy import PrivacyGuard
from app.households.models import MEMBERS_MAX, NAME_MAX, NOTES_MAX, PHONE_TYPED_MAX, ConsentMethod


class HouseholdFields:
    """A household's details, shared by the household forms and the log form's new household."""

    display_name = StringField(
        _l("Head of household or house name"),
        validators=[DataRequired(_l("Enter the name of the head of household or of the house.")),
                    Length(max=NAME_MAX, message=AT_MOST)],
    )
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=PHONE_TYPED_MAX, message=AT_MOST)])
    member_count = IntegerField(
        lazy_pgettext("household", "Members"),
        validators=[Optional(), NumberRange(1, MEMBERS_MAX, _l("Members must be between 1 and %(max)d."))],
    )
    is_farm = BooleanField(_l("Farm household"))
    is_business = BooleanField(_l("Household business"))


class ConsentFields:
    """The consent step: how the resident agreed, the witness, and the agreement itself."""

    consent_method = RadioField(
        _l("How the resident agreed"),
        choices=ConsentMethod.choices(),
        validators=[DataRequired(_l("Choose how the resident agreed."))],
    )
    consent_witness = StringField(_l("Witness name"), validators=[Length(max=NAME_MAX, message=AT_MOST)])
    consent_given = BooleanField(
        _l("The resident heard the consent text and agreed"),
        validators=[DataRequired(_l("Without the resident's agreement the household cannot be saved."))],
    )

    CONSENT_FIELDS = ("consent_method", "consent_witness", "consent_given")

    def validate_consent_witness(self, field):
        if self.consent_method.data == ConsentMethod.VERBAL_WITNESSED and not (field.data or "").strip():
            raise ValidationError(_l("Verbal consent needs the name of a witness."))


class HouseholdDetailsForm(HouseholdFields, AppForm):
    notes = TextAreaField(_l("Notes (optional)"),
                          validators=[Optional(), Length(max=NOTES_MAX, message=AT_MOST), PrivacyGuard()])

    DETAIL_FIELDS = ("display_name", "phone", "member_count", "is_farm", "is_business", "notes")

    def validate_fields(self, names) -> bool:
        ok = True
        for name in names:
            inline = getattr(type(self), f"validate_{name}", None)
            ok = self[name].validate(self, [inline] if inline else ()) and ok
        return ok


class NewHouseholdForm(ConsentFields, HouseholdDetailsForm):
    """Three steps on one URL: details, then the consent step, then (when likely duplicates
    exist) the choice between an existing household and a new one. ``step`` names the step
    the form was shown at."""

    step = HiddenField(default="details")


class EditHouseholdForm(HouseholdDetailsForm):
    village_id = SelectField(_l("Village"), coerce=db_int, validate_choice=False)
