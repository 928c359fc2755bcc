from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from app.accounts.rules import MIN_PASSWORD_LENGTH, NAME_MAX
from app.core.forms import AT_MOST, AppForm, optional_id


def check_choice(field, message) -> None:
    """WTForms' own "Not a valid choice." has no Vietnamese: ours says what to do."""
    if field.data not in {choice.value for choice in field.choices}:
        raise ValidationError(message)


class LoginForm(AppForm):
    username = StringField(
        _l("Username or phone number"),
        validators=[DataRequired(_l("Enter your username or phone number.")),
                    Length(max=64, message=AT_MOST)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")),
                    Length(max=128, message=AT_MOST)],
    )


class UserFilterForm(AppForm):
    """The search box and role filter above the list of accounts (a GET form, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or username"), validators=[Optional(), Length(max=100, message=AT_MOST)])
    role = SelectField(_l("Role"), validate_choice=False)

    def validate_role(self, field):
        if field.data:
            check_choice(field, _l("Choose a role from the list."))


class UserForm(AppForm):
    """What an administrator edits on an account; choices are set by the view."""

    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter the full name.")), Length(max=NAME_MAX, message=AT_MOST)],
    )
    role = SelectField(_l("Role"), validate_choice=False)
    # The service checks the area (with a clearer message than "not a valid choice").
    home_area = SelectField(_l("Home area"), coerce=optional_id, validate_choice=False)
    phone = StringField(
        _l("Mobile phone (optional)"),
        validators=[Optional(), Length(max=20, message=AT_MOST)],
    )

    def validate_role(self, field):
        check_choice(field, _l("Choose a role from the list."))


class NewUserForm(UserForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Enter a username.")),
            Length(min=3, max=64, message=_l("Between %(min)d and %(max)d characters.")),
            Regexp(r"^[A-Za-z0-9._-]+$",
                   message=_l("Use only letters a-z, digits, dots, dashes and underscores.")),
        ],
    )


class PasswordChangeForm(AppForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=128, message=AT_MOST)],
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Enter a new password.")),
            Length(min=MIN_PASSWORD_LENGTH, max=128, message=_l("Between %(min)d and %(max)d characters.")),
        ],
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(_l("Enter the new password again.")),
            EqualTo("new_password", message=_l("The two new passwords are not the same.")),
        ],
    )


class LanguageForm(AppForm):
    locale = RadioField(
        _l("Language"),
        choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")],
        validate_choice=False,
    )

    def validate_locale(self, field):
        check_choice(field, _l("Choose a language."))
