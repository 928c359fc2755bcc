import re

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired

from app.core.forms import AppForm, IdField

_THOUSANDS = re.compile(r"^-?\d{1,3}(?:[.,\s]\d{3})+$")


class HouseholdsField(IntegerField):
    """A number of households as people type it: 1200, 1.200 or 1,200."""

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        if _THOUSANDS.match(raw):
            raw = re.sub(r"[.,\s]", "", raw)
        self.data = None
        if not raw:
            return
        digits = raw.removeprefix("-")
        if not (digits.isascii() and digits.isdecimal()) or len(digits) > 9:
            raise ValueError(str(_l("Enter the number of households as a whole number, e.g. 1200.")))
        self.data = int(raw)


class TargetForm(AppForm):
    """Setting a target, or changing the households of one already set. The place is chosen
    among those the page lists; the service checks it is the user's."""

    area_id = IdField(_l("Commune or village"), message=_l("Choose a commune or village from the list."),
                      validators=[InputRequired(_l("Choose a commune or village from the list."))])
    year = SelectField(_l("Year"), coerce=int, validate_choice=False)
    key = SelectField(_l("Target for"), coerce=int, validate_choice=False)
    households = HouseholdsField(_l("Target (households)"),
                                 validators=[InputRequired(_l("Enter a number of households above 0."))])
