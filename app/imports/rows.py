"""One row of an import as the preview shows it, and the parsers the kinds share."""

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l

from app.core.text import search_key

# Cells repeat (village names, former communes, flags, dates): compute each key once per process.
key = lru_cache(maxsize=65_536)(search_key)


class Status(StrEnum):
    NEW = "new"
    UPDATE = "update"  # a row that changes what is stored (a kind that allows it: targets)
    DUPLICATE = "duplicate"
    ERROR = "error"


@dataclass
class RowResult:
    number: int  # as Excel numbers it: the header is row 1
    values: dict[str, str]
    status: Status = Status.NEW
    reason: Any = None  # a message for the user when not new
    data: Any = field(default=None, repr=False)  # what confirm writes

    def error(self, column: str | None, message) -> "RowResult":
        self.status = Status.ERROR
        self.reason = f"{column}: {message}" if column else message
        return self

    def update(self, message) -> "RowResult":
        self.status = Status.UPDATE
        self.reason = message
        return self

    def duplicate(self, message) -> "RowResult":
        self.status = Status.DUPLICATE
        self.reason = message
        return self


class CellError(ValueError):
    def __init__(self, column: str, message):
        super().__init__(str(message))
        self.column = column
        self.message = message


_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,\s]\d{3})+$")


def whole_number(values: dict[str, str], column: str) -> int | None:
    """'240', '1.234' or '1,234' -> the number; empty -> None."""
    raw = (values.get(column) or "").strip()
    if not raw:
        return None
    if _THOUSANDS.match(raw):
        raw = re.sub(r"[.,\s]", "", raw)
    if not raw.isdecimal():  # "²" is a digit, not a decimal: int() would refuse it
        raise CellError(column, _l("“%(value)s” is not a whole number.", value=raw))
    return int(raw)


_YES = {"1", "x", "co", "c", "yes", "y", "true", "dung", "v"}
_NO = {"", "0", "khong", "k", "no", "n", "false", "sai"}


def yes_no(values: dict[str, str], column: str) -> bool:
    """'1', 'x', 'có', 'yes' or 'true' -> True; empty, '0', 'không', 'no' or 'false' -> False."""
    word = key(values.get(column) or "")
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise CellError(column, _l("Write 1 (yes) or 0 (no), not “%(value)s”.", value=values.get(column)))


def text(values: dict[str, str], column: str) -> str:
    return (values.get(column) or "").strip()
