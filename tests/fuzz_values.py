"""Hypothesis strategies for what a careless client, a broken phone keyboard or an attacker
sends: values by class (so a failure names its class), and request shapes (repeated keys,
JSON, text/plain, a file where a field is expected, bytes that are not UTF-8)."""

import io
import json
from dataclasses import dataclass

from hypothesis import strategies as st

# csv's default field_size_limit: a longer cell is what an import must refuse politely.
CSV_FIELD_LIMIT = 131_072


@dataclass(frozen=True)
class Value:
    """A malformed value and the class it belongs to; the repr stays short in failure reports."""

    label: str
    text: str

    def __repr__(self) -> str:
        if len(self.text) <= 40:
            return f"<{self.label}: {self.text!r}>"
        return f"<{self.label}: {self.text[:20]!r}… ({len(self.text)} characters)>"

    def _repr_pretty_(self, printer, cycle):  # Hypothesis prints draws with this
        printer.text(repr(self))


def _labelled(label: str, *values: str):
    return st.sampled_from([Value(label, v) for v in values])


EDGE_INTEGERS = [2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 0, -1]
CONTROLS = [chr(c) for c in range(32) if chr(c) not in "\t\n\r"] + ["\x7f"]
ODD_UNICODE = [
    "\u202eevil", "a\u200bb", "e\u0301\u0302\u0303\u0323", "😀👍🏽", "𝕹𝖌𝖚𝖞𝖊̂𝖓", "\ufeff", "\ufffd", "ﷺ",
    "\U0010fffd", "Z̸̧̛͓͇͂a̶͔̎l̸̢͝g̵͕̓o̴̹͐", "\u00a0", "\u2028",
]
NON_ASCII_DIGITS = ["²", "١٢٣", "૧૨", "①", "𝟙𝟚", "٣", "¹⁰", "Ⅻ", "一二三"]
IMPOSSIBLE_DATES = ["2026-02-30", "0000-00-00", "99999-12-31", "2026-13-01", "-0001-01-01", "2025-02-29",
                    "9999-12-31", "0001-01-01", "30/02/2026", "2026-02-30T25:61:00"]

values = st.one_of(
    _labelled("empty", "", " ", "\t\n"),
    _labelled("huge", "a" * 100_000, "đ" * 100_000, "9" * 100_000, "\x00" * 100_000),
    st.builds(lambda before, control, after: Value("control character", before + control + after),
              st.text(max_size=5), st.sampled_from(CONTROLS), st.text(max_size=5)),
    _labelled("odd unicode", *ODD_UNICODE),
    _labelled("edge integer", *map(str, EDGE_INTEGERS)),
    st.integers(min_value=-(2**64), max_value=2**64).map(lambda n: Value("integer", str(n))),
    _labelled("non-ASCII digits", *NON_ASCII_DIGITS),
    _labelled("impossible date", *IMPOSSIBLE_DATES),
    st.text(max_size=30).map(lambda t: Value("any text", t)),
)

# JSON bodies: Flask-WTF reads a JSON object as the form, so its values need not be strings.
json_values = st.recursive(
    st.none() | st.booleans() | st.sampled_from(EDGE_INTEGERS) | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@dataclass(frozen=True)
class FileValue:
    """A file uploaded where the view expects a file (an import) or a text field."""

    label: str
    content: bytes
    filename: str = "data.csv"

    def __repr__(self) -> str:
        return f"<file {self.label}: {len(self.content)} bytes>"

    def _repr_pretty_(self, printer, cycle):
        printer.text(repr(self))

    def storage(self):
        return io.BytesIO(self.content), self.filename


HEADER = "header"
TOO_LONG_FOR_CSV = Value("over csv's field limit", "x" * (CSV_FIELD_LIMIT + 1))


def spoilt_csv(columns: tuple, example: tuple, where, value: Value) -> FileValue:
    """A good import file but for ``value``: in the cell of column ``where`` of its row, or as
    an extra column of its header line (``where`` = HEADER)."""
    quoted = '"' + value.text.replace('"', '""') + '"'
    header, row = list(columns), list(example)
    if where == HEADER:
        header.append(quoted)
        label = f"header: {value.label}"
    else:
        row[where] = quoted
        label = f"{columns[where]}: {value.label}"
    return FileValue(label, f"{','.join(header)}\n{','.join(row)}\n".encode())


def csv_files(columns: tuple, example: tuple):
    """CSV files that break in one place: a cell or the header malformed or longer than csv
    allows, bytes that are not text, or an empty file."""
    places = st.sampled_from([HEADER, *range(len(columns))])
    return st.one_of(
        st.builds(lambda where, value: spoilt_csv(columns, example, where, value), places,
                  st.one_of(values, st.just(TOO_LONG_FOR_CSV))),
        st.binary(max_size=64).map(lambda b: FileValue("random bytes", b)),
        st.just(FileValue("empty file", b"")),
        st.just(FileValue("not UTF-8", ",".join(columns).encode() + b"\n\xff\xfe\xc3(,x\n")),
    )


def json_body(fields: list[str]):
    """An object of the fields with JSON values of any type, or a body that is not an object."""
    objects = st.dictionaries(st.sampled_from(fields) if fields else st.text(max_size=5), json_values, max_size=6)
    return st.one_of(objects, json_values).map(json.dumps)
