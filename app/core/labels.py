"""Enums that carry their words: each member has a translatable label, so the domain that
defines a value also says how people read it."""

from enum import StrEnum

from wtforms import SelectChoice


class LabelledEnum(StrEnum):
    """``VOLUNTEER = "volunteer", _l("Volunteer")``: the value stored, and its label."""

    def __new__(cls, value: str, label=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = value if label is None else label
        return member

    @property
    def label(self) -> str:
        return str(self._label)

    @classmethod
    def label_of(cls, value) -> str:
        """The label of a stored value; an unknown value (older data) as it is."""
        try:
            return cls(value).label
        except ValueError:
            return "" if value is None else str(value)

    @classmethod
    def choices(cls, members=None) -> list[SelectChoice]:
        """Form choices, in the enum's order (or ``members``' order). The labels stay lazy: forms
        build their choices once, at import, and each request reads them in its own language."""
        return [SelectChoice(member.value, member._label) for member in (members if members is not None else cls)]
