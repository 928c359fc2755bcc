"""Reading the CSV files Excel and LibreOffice write: UTF-8 with or without BOM, Windows-1258,
comma or semicolon separated. Anything else gets a message that says what to do."""

import contextlib
import csv
import io
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.core.i18n import format_number
from app.core.text import search_key

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# Signatures of the files people pick by mistake, with what to do instead.
_OTHER_FORMATS = (
    (b"PK\x03\x04", _l("This is an Excel workbook (.xlsx), not a CSV file. In Excel choose "
                       "File › Save As › “CSV UTF-8 (Comma delimited)”, then upload that file.")),
    (b"\xd0\xcf\x11\xe0", _l("This is an old Excel workbook (.xls), not a CSV file. In Excel choose "
                             "File › Save As › “CSV UTF-8 (Comma delimited)”, then upload that file.")),
    (b"%PDF", _l("This is a PDF document, not a CSV file.")),
)
NOT_TEXT = _l("This file is not a CSV text file. Save the sheet as CSV (comma or semicolon "
              "separated) and upload that file.")


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; ``status`` is the HTTP answer."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number as Excel shows it, column -> value)


def _decoded(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        raise ImportFileError(NOT_TEXT, 415) from None


def decode(raw: bytes) -> str:
    """The file's text in NFC. Windows-1258 writes tones as combining marks; NFC joins them."""
    for signature, message in _OTHER_FORMATS:
        if raw.startswith(signature):
            raise ImportFileError(message, 415)
    if raw.startswith(b"\xef\xbb\xbf"):
        text = _decoded(raw[3:], "utf-8")
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        text = _decoded(raw, "utf-16")
    elif b"\x00" in raw:
        raise ImportFileError(NOT_TEXT, 415)
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = _decoded(raw, "cp1258")
    sample = text[:65536]
    if sum(1 for ch in sample if ch < " " and ch not in "\t\r\n") > 0.01 * len(sample):
        raise ImportFileError(NOT_TEXT, 415)
    return unicodedata.normalize("NFC", text)


def column_key(name: str) -> str:
    """'Village name' or 'village_name ' -> 'village_name'."""
    return search_key(name).replace(" ", "_").strip("_\"'")


def _dialect(text: str, required: tuple[str, ...]) -> tuple[str, list[str]]:
    """The separator whose header line holds the required columns: the sniffer's guess first."""
    first_line = text.split("\n", 1)[0]
    candidates = []
    with contextlib.suppress(csv.Error):
        candidates.append(csv.Sniffer().sniff(text[:8192], delimiters=",;\t").delimiter)
    candidates += [d for d in (";", ",", "\t") if d not in candidates]
    best: tuple[str, list[str]] | None = None
    for delimiter in candidates:
        header = [column_key(cell) for cell in _cells(first_line, delimiter, row=1)]
        if set(required) <= set(header):
            return delimiter, header
        if best is None or len(set(required) & set(header)) > len(set(required) & set(best[1])):
            best = (delimiter, header)
    missing = [c for c in required if c not in best[1]]
    raise ImportFileError(_l("The file's first row must name the columns, as in the template. Missing: "
                             "%(columns)s.", columns=", ".join(missing)))


def _unreadable(row: int, error: csv.Error) -> ImportFileError:
    if "field larger than field limit" in str(error):
        return ImportFileError(_l("Row %(row)s has a cell longer than %(max)s characters. Check the quotes in "
                                  "that row: a missing closing quote runs a cell on to the end of the file.",
                                  row=row, max=format_number(csv.field_size_limit())))
    return ImportFileError(_l("Row %(row)s could not be read as CSV (%(error)s). Check the quotes in "
                              "that row.", row=row, error=str(error)))


def _cells(line: str, delimiter: str, *, row: int) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error as error:
        raise _unreadable(row, error) from None


def read_table(raw: bytes, required: tuple[str, ...]) -> Table:
    """Decode, find the separator and read every non-empty row. Raises ImportFileError."""
    if not raw.strip():
        raise ImportFileError(_l("The file is empty."))
    if len(raw) > MAX_BYTES:
        raise ImportFileError(too_large_message(), 413)
    text = decode(raw)
    delimiter, header = _dialect(text, required)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    number = 1  # the row being read, as Excel numbers it
    try:
        next(reader)
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            # A short row leaves its last cells out; a long one has cells without a column.
            rows.append((number, {name: cell for name, cell in zip(header, cells, strict=False) if name}))
    except csv.Error as error:
        raise _unreadable(number + 1, error) from None
    if not rows:
        raise ImportFileError(_l("The file has no rows under its header."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_l("The file has %(rows)s rows: too many rows, at most %(max)s can be "
                                 "imported at once. Split the file and import each part.",
                                 rows=format_number(len(rows)), max=format_number(MAX_ROWS)), 413)
    return Table(header, rows)


def too_large_message():
    return _l("The file is larger than %(size)s MB. Split the file and import each part.",
              size=MAX_BYTES // (1024 * 1024))
