from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.accounts.forms import check_choice
from app.accounts.rules import NAME_MAX
from app.core.forms import AT_MOST, AppForm, IdField, db_int, optional_id
from app.teams.models import MemberRole


class NewTeamForm(AppForm):
    name = StringField(
        _l("Team name"),
        validators=[DataRequired(_l("Enter the team's name.")), Length(max=NAME_MAX, message=AT_MOST)],
    )
    # The service checks the commune (with a clearer message than "not a valid choice").
    commune = SelectField(_l("Commune or ward"), coerce=optional_id, validate_choice=False)


class TeamForm(AppForm):
    name = StringField(
        _l("Team name"),
        validators=[DataRequired(_l("Enter the team's name.")), Length(max=NAME_MAX, message=AT_MOST)],
    )
    # Choices come from the view; the service refuses villages outside the team's commune.
    villages = SelectMultipleField(_l("Villages the team covers"), coerce=db_int, validate_choice=False)


class TeamFilterForm(AppForm):
    """The search box above a list (a GET form, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100, message=AT_MOST)])


class AddMemberForm(AppForm):
    user_id = IdField(validators=[InputRequired(_l("Choose a person from the list."))],
                      message=_l("Choose a person from the list."))


class MemberRoleForm(AppForm):
    role = SelectField(choices=[SelectChoice(str(role)) for role in MemberRole], validate_choice=False)

    def validate_role(self, field):
        check_choice(field, _l("Choose leader or member."))
