from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectChoice, TextAreaField

from app.helplogs.models import ReturnReason


def version_of(field) -> int | None:
    """The version the reviewer saw; None when missing or tampered (then the log counts as changed)."""
    try:
        return int(field.data)
    except (TypeError, ValueError):
        return None


class ApproveForm(FlaskForm):
    version = HiddenField()


class ReturnForm(FlaskForm):
    version = HiddenField()
    reason = RadioField(_l("Reason"), choices=[SelectChoice(r.value, r.value) for r in ReturnReason],
                        validate_choice=False)
    comment = TextAreaField(_l("Comment for the volunteer"))


def parse_selection(values: list[str]) -> dict[int, int]:
    """``["12:3", "15:1"]`` (log id : version seen) as ``{12: 3, 15: 1}``; malformed items are dropped."""
    seen = {}
    for value in values:
        log_id, _, version = value.partition(":")
        if log_id.isdigit() and version.isdigit():
            seen[int(log_id)] = int(version)
    return seen
