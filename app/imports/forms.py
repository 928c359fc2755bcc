from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired

from app.core.forms import AppForm


class UploadForm(AppForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to upload."))])
