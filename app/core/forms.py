from urllib.parse import unquote_to_bytes

from flask import abort, request
from flask_babel import lazy_gettext as _l


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
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype == "application/x-www-form-urlencoded":
        if not _is_utf8_urlencoded(request.get_data(cache=True)):
            abort(400, description=_l("The form could not be read: text must be sent as UTF-8."))
