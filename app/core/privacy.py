"""The privacy guard for free text (DESIGN §6): no citizen ID numbers, passwords, PINs or OTPs."""

import re

from flask_babel import lazy_gettext as _l

from app.core.text import search_key

# Twelve digits in a row, allowing the spaces, dots or dashes people type between groups.
_CITIZEN_ID = re.compile(r"(?<![\d])(?:\d[ .\-]?){11}\d(?![\d])")
# A secret's name followed by something that looks like the secret itself: a token with a digit,
# or any token after ':', '=' or 'là'. "quên mật khẩu VNeID" passes; "mật khẩu: hoa1985" does not.
_SECRET = re.compile(
    r"\b(?:mat khau|mk|password|passcode|pass|ma pin|pin|otp|ma otp|ma xac thuc|ma xac nhan)\b"
    r"\s*(?P<sep>:|=|la\b)?\s*(?P<token>[^\s,;]+)?"
)

CITIZEN_ID_MESSAGE = _l(
    "This looks like a 12-digit citizen ID number. Gõ Cửa never stores ID numbers: please remove it."
)
SECRET_MESSAGE = _l(
    "This looks like a password, PIN or OTP code. Never write these down, not even to help: please remove it."
)


def privacy_problem(text: str | None):
    """The reason ``text`` may not be stored, or None when it is fine."""
    if not text:
        return None
    if _CITIZEN_ID.search(text):
        return CITIZEN_ID_MESSAGE
    for match in _SECRET.finditer(search_key(text)):
        token = match.group("token") or ""
        if token and (match.group("sep") or any(ch.isdigit() for ch in token)):
            return SECRET_MESSAGE
    return None


class PrivacyGuard:
    """A WTForms validator wrapping ``privacy_problem``."""

    def __call__(self, form, field):
        from wtforms.validators import ValidationError

        problem = privacy_problem(field.data)
        if problem:
            raise ValidationError(str(problem))
