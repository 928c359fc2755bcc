import re
from urllib.parse import unquote_to_bytes

from flask import abort, request
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import SUBMIT_METHODS, _Auto  # the marker for 'read the request', as Flask-WTF uses it
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from werkzeug.routing import IntegerConverter
from wtforms import FileField, IntegerField

AT_MOST = _l("At most %(max)d characters.")

# The largest id, version or page a request may name: a 32-bit signed integer, as in the database.
MAX_ID = 2**31 - 1


def parse_id(value) -> int | None:
    """An id, version or page number from request text: ASCII digits, 1 to MAX_ID; else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= MAX_ID else None
    if not isinstance(value, str) or not value.isascii() or not value.isdecimal() or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def db_int(value) -> int:
    """For ``type=`` of request args and ``coerce=`` of fields: ``int`` refusing what no row could hold."""
    number = parse_id(value.strip() if isinstance(value, str) else value)
    if number is None:
        raise ValueError(f"not an id: {value!r}")
    return number


def optional_id(value) -> int | None:
    """For ``coerce=`` of selects where nothing may be chosen: '' -> None, else ``db_int``."""
    if value in (None, "", "None"):
        return None
    return db_int(value)


class IdField(IntegerField):
    """An id sent by a form (hidden input, radio): a number a row could have, or None.
    ``message`` is what the user reads when it is none (a tampered form)."""

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0] in ("", None):
            self.data = None
            return
        try:
            self.data = db_int(valuelist[0])
        except ValueError:
            self.data = None
            message = str(self.message) if self.message else self.gettext("Not a valid integer value.")
            raise ValueError(message) from None


class IdConverter(IntegerConverter):
    """``<int:...>`` in URLs stops at MAX_ID: a longer number is a 404, not a database overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class BabelTranslations:
    """WTForms' own messages ("Not a valid integer value.") through the app's catalogue, since
    WTForms ships no Vietnamese."""

    def gettext(self, string):
        return gettext(string)

    def ngettext(self, singular, plural, n):
        return ngettext(singular, plural, n)


class AppForm(FlaskForm):
    """Every form of the app: Flask-WTF's CSRF, with WTForms' messages in the user's language."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return BabelTranslations()

        def wrap_formdata(self, form, formdata):
            """A submitted form reads the request's form fields, and uploaded files only for its
            file fields: a file sent in place of a text field, or a JSON body (which Flask-WTF
            would read, whatever its shape), is not taken for typed text."""
            if formdata is not _Auto:
                return formdata
            if request.method not in SUBMIT_METHODS:
                return None
            file_fields = {field.name for field in form if isinstance(field, FileField)}
            files = MultiDict([(name, file) for name, file in request.files.items(multi=True) if name in file_fields])
            return CombinedMultiDict((files, request.form)) if files else request.form


# WTForms' messages a tampered or odd request can bring out, listed so that
# `make extract-messages` puts them in the catalogue.
WTFORMS_MESSAGES = (
    _l("Not a valid integer value."), _l("Not a valid date value."), _l("Not a valid datetime value."),
    _l("Not a valid decimal value."), _l("Not a valid float value."), _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
)


def attach_error(form, error) -> None:
    """Show a service's refusal (a RuleError) beside the field it concerns, looking into
    sub-forms too, or at the top of the form."""
    target = None
    if error.field:
        for candidate in (form, *(f.form for f in form if f.type == "FormField")):
            if error.field in candidate:
                target = candidate[error.field]
                break
    if target is not None:
        target.errors = [*target.errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))


def _is_utf8_urlencoded(body: bytes) -> bool:
    try:
        body.decode("utf-8")
        for pair in body.split(b"&"):
            unquote_to_bytes(pair.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def refuse_undecodable_form():
    """Werkzeug drops a form body that is not UTF-8 (or keeps bad %-escapes as text):
    say so with a 400 instead of answering as if the fields were empty."""
    if (request.method in ("POST", "PUT", "PATCH") and request.mimetype == "application/x-www-form-urlencoded"
            and not _is_utf8_urlencoded(request.get_data(cache=True))):
        abort(400, description=_l("The form could not be read: text must be sent as UTF-8."))


# C0 controls and DEL, but tab, line feed and carriage return, which forms legitimately send.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _has_control(values) -> bool:
    return any(_CONTROL.search(key) or _CONTROL.search(value) for key, value in values.items(multi=True))


def refuse_control_characters():
    """Nothing a person types holds a NUL or another control character; PostgreSQL refuses
    NUL outright. Refuse them all in one place with a 400, for every query and form field."""
    if _has_control(request.args) or (request.method in ("POST", "PUT", "PATCH") and _has_control(request.form)):
        abort(400, description=_l("The text sent contains control characters (such as a NUL byte). "
                                  "Remove them and try again."))
