from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.catalog.models import NAME_MAX, SHORT_NAME_MAX
from app.core.forms import AT_MOST, AppForm

FULL_NAME = [DataRequired(_l("Enter the full name of the kind of help.")), Length(max=NAME_MAX, message=AT_MOST)]
SHORT_NAME = [Length(max=SHORT_NAME_MAX, message=AT_MOST)]


class ServiceForm(AppForm):
    """A kind of help's names: in full (detail pages) and short (lists), in both languages."""

    name_vi = StringField(_l("Full name in Vietnamese"), validators=FULL_NAME)
    short_name_vi = StringField(_l("Short name in Vietnamese"), validators=SHORT_NAME)
    name_en = StringField(_l("Full name in English"), validators=FULL_NAME)
    short_name_en = StringField(_l("Short name in English"), validators=SHORT_NAME)
