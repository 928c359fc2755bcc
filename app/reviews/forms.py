from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, TextAreaField

from app.core.forms import AppForm, parse_id
from app.helplogs.models import ReturnReason


def version_of(field) -> int | None:
    """The version the reviewer saw; None when missing or tampered (then the log counts as changed)."""
    return parse_id(field.data)


class ApproveForm(AppForm):
    version = HiddenField()


class ReturnForm(AppForm):
    version = HiddenField()
    reason = RadioField(_l("Reason"), choices=ReturnReason.choices(),
                        validate_choice=False)
    comment = TextAreaField(_l("Comment for the volunteer"))


def parse_selection(values: list[str]) -> dict[int, int]:
    """``["12:3", "15:1"]`` (log id : version seen) as ``{12: 3, 15: 1}``; malformed items are dropped."""
    seen = {}
    for value in values:
        log_id, _, version = value.partition(":")
        log_id, version = parse_id(log_id), parse_id(version)
        if log_id is not None and version is not None:
            seen[log_id] = version
    return seen
