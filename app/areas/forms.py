from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.areas.services import DECLARED_MAX, NAME_MAX
from app.core.forms import AT_MOST, AppForm


class VillageForm(AppForm):
    """Adding a village, or renaming one and correcting its details."""

    name = StringField(_l("Name of the village or residential group"),
                       validators=[DataRequired(_l("Enter the village's name.")),
                                   Length(max=NAME_MAX, message=AT_MOST)])
    former_commune = StringField(_l("Former commune (optional)"),
                                 validators=[Optional(), Length(max=NAME_MAX, message=AT_MOST)])
    declared_households = IntegerField(
        _l("Households declared by the commune (optional)"),
        validators=[Optional(), NumberRange(0, DECLARED_MAX, _l("Enter a number between 0 and %(max)s."))],
    )
