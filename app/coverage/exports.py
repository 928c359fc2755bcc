"""Exports of what the coverage page shows, the table and the service matrix, as CSV and XLSX.
Each export is audited: who, which export, which area and period, how many rows.

CSV files are UTF-8 with a byte-order mark, so that Excel reads Vietnamese, and a text cell
that starts like a formula (= + - @, a tab or a carriage return) is prefixed with an
apostrophe, so that a village name cannot run as a formula in the spreadsheet that opens it.
XLSX files are written by XlsxWriter in constant-memory mode, text as text (never a formula).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import xlsxwriter
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.areas.models import Area, AreaKind
from app.audit.services import record
from app.catalog.models import Service
from app.core.domain import RuleError
from app.core.text import search_key
from app.coverage.models import ANY
from app.coverage.periods import Period, period_from
from app.coverage.queries import View, matrix, ordered, table, view_of
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User

BOM = "\ufeff"
RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


class ExportError(RuleError):
    pass


def empty_selection() -> ExportError:
    return ExportError(_l("There is nothing to export for this area and period: no row matches. "
                          "Choose another period, kind of help or former district."), None, 404)


# What the page asks for ------------------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    """The coverage page's query: a period, a kind of help (a service, or ANY), a former district
    (communes of the province), and the column the table is sorted by."""

    period: Period
    key: int = ANY
    service: str | None = None  # the service's code, as the page names it
    district: str | None = None
    sort: str | None = None
    descending: bool = False

    def audit(self) -> dict[str, Any]:
        return {"period": self.period.name, "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(), "service": self.service, "district": self.district}


def selection_from(args, today: date) -> Selection:
    """Raises PeriodError or ExportError (400) for a period or kind of help that is not one."""
    period = period_from(args, today)
    wanted = (args.get("service") or "").strip()
    key, code = ANY, None
    if wanted and wanted.upper() != "ALL":
        service = _service(wanted)
        if service is None:
            raise ExportError(_l("Choose a kind of help from the list."), "service")
        key, code = service.id, service.code
    return Selection(period, key, code, (args.get("district") or "").strip()[:200] or None,
                     (args.get("sort") or None), args.get("dir") == "desc")


def _service(wanted: str) -> Service | None:
    """An active service by code (VNEID) or id (3)."""
    condition = Service.id == int(wanted) if wanted.isascii() and wanted.isdecimal() and len(wanted) < 10 \
        else Service.code == wanted.upper()
    return db.session.scalar(select(Service).where(condition, Service.is_active))


def find_view(user: User, area_id: int) -> View | None:
    """The coverage view of ``area_id`` for ``user``; None when out of their coverage (a 404)."""
    area = db.session.get(Area, area_id)
    return view_of(user, area) if area is not None else None


def in_district(view: View, district: str | None) -> View:
    """Only the communes of a former district ("Huyện Kỳ Anh" or "Kỳ Anh"), when the view lists communes."""
    if not district or view.area.kind != AreaKind.PROVINCE:
        return view
    wanted = search_key(district)

    def holds(commune: Area) -> bool:
        parts = [search_key(part) for part in (commune.former_district or "").split(",")]
        return any(part == wanted or part.endswith(" " + wanted) for part in parts)

    children = [child for child in view.children if holds(child)]
    return View(view.user, view.area, children, {c.id: view.members[c.id] for c in children}, view.villages)


# Cells and files ------------------------------------------------------------------------------

def neutral(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, made plain text with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(RISKY_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([neutral(cell) for cell in row] for row in rows)
    return out.getvalue()


@dataclass
class Sheet:
    """A table to write: a title line (XLSX only), column headers, rows, and how to format each column."""

    title: str
    headers: list[str]
    rows: list[list[Any]]
    kinds: list[str]  # per column: "text", "int", "percent" or "date"
    total: list[Any] | None = None
    widths: list[int] = field(default_factory=list)


def _csv_cell(value, kind: str):
    if value is None:
        return "—"  # no data, as on the page: not 0
    if kind == "percent":
        return f"{100 * value:.1f}"
    if kind == "date":
        return value.strftime("%d/%m/%Y")
    return value


def csv_body(sheet: Sheet) -> bytes:
    lines = [[_csv_cell(value, kind) for value, kind in zip(row, sheet.kinds, strict=True)]
             for row in [*sheet.rows, *([sheet.total] if sheet.total else [])]]
    return (BOM + csv_text([sheet.headers, *lines])).encode("utf-8")


def xlsx_file(sheet: Sheet, name: str):
    """The workbook in an anonymous temporary file (gone when closed), read from the start.
    Constant-memory mode writes each row as it comes, in order."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115  send_file closes it once sent
    book = xlsxwriter.Workbook(handle, {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    formats = {"int": book.add_format({"num_format": "#,##0"}), "percent": book.add_format({"num_format": "0.0%"}),
               "date": book.add_format({"num_format": "dd/mm/yyyy"}), "text": None}
    sheet_ = book.add_worksheet(name[:31])
    for column, width in enumerate(sheet.widths or [14] * len(sheet.headers)):
        sheet_.set_column(column, column, width)
    sheet_.write_string(0, 0, sheet.title, book.add_format({"bold": True, "font_size": 13}))
    for column, header in enumerate(sheet.headers):
        sheet_.write_string(2, column, header, bold)
    sheet_.freeze_panes(3, 1)
    for number, row in enumerate([*sheet.rows, *([sheet.total] if sheet.total else [])], start=3):
        is_total = sheet.total is not None and number == 3 + len(sheet.rows)
        for column, (value, kind) in enumerate(zip(row, sheet.kinds, strict=True)):
            _write_cell(sheet_, number, column, value, kind, formats, bold if is_total and column == 0 else None)
    book.close()
    handle.seek(0)
    return handle


def _write_cell(sheet, row: int, column: int, value, kind: str, formats, emphasis) -> None:
    if value is None:
        sheet.write_string(row, column, "—")
    elif kind == "text" or isinstance(value, str):
        sheet.write_string(row, column, str(value), emphasis)
    elif kind == "date":
        sheet.write_datetime(row, column, value, formats["date"])
    else:
        sheet.write_number(row, column, value, formats[kind])


def slug(text: str) -> str:
    """'Xã Thạch Hà' -> 'xa-thach-ha': ASCII for a file name."""
    key = search_key(text)
    return "-".join("".join(ch if ch.isascii() and ch.isalnum() else " " for ch in key).split()) or "khu-vuc"


def filename(what: str, area: Area, period: Period, extension: str) -> str:
    return f"{what}_{slug(area.name)}_{period.start.isoformat()}_{period.end.isoformat()}.{extension}"


@dataclass
class Export:
    """A file to send: its name and type, how many rows it holds, and its body (bytes, an open
    file, or an iterator of byte chunks for a stream)."""

    filename: str
    mimetype: str
    rows: int
    body: bytes | Iterator[bytes] | Any


def _audited(actor: User, what: str, fmt: str, view: View, selection: Selection, rows: int) -> None:
    record(actor, f"export.{what}", view.area,
           {"file": f"{what}.{fmt}", "area_id": view.area.id, **selection.audit(), "rows": rows})
    db.session.commit()


def _file(sheet: Sheet, fmt: str, name: str) -> bytes | Any:
    return csv_body(sheet) if fmt == "csv" else xlsx_file(sheet, name)


# The table --------------------------------------------------------------------------------------

def table_sheet(view: View, selection: Selection) -> Sheet:
    if not view.children and view.area.kind != AreaKind.VILLAGE:
        raise empty_selection()
    rows, total = table(view, selection.period, selection.key)
    headers = [str(h) for h in (
        _l("Area"), _l("Households (N)"), _l("Households reached"), _l("Households reached (%)"),
        _l("Households covering all five skills"), _l("All five skills (%)"), _l("Newly reached in the period"),
        _l("Visits"), _l("People helped"), _l("Active volunteers"), _l("Target (households)"),
        _l("Target progress (%)"), _l("Behind schedule"), _l("Last visit"))]
    kinds = ["text", "int", "int", "percent", "int", "percent", "int", "int", "int", "int", "int", "percent",
             "text", "date"]

    def line(row) -> list[Any]:
        data = row.has_data
        behind = (str(_l("Yes")) if row.behind else str(_l("No"))) if row.target else None
        return [row.area.label, row.households, row.reached if data else None, row.share if data else None,
                row.five if data else None, row.five_share if data else None, row.newly if data else None,
                row.visits if data else None, row.people if data else None, row.volunteers if data else None,
                row.target, row.progress, behind, row.last_day]

    lines = [line(row) for row in ordered(rows, selection.sort, selection.descending)]
    return Sheet(_title(_l("Coverage"), view, selection), headers, lines, kinds,
                 total=[str(_l("Total")), *line(total)[1:]] if view.children else None,
                 widths=[28] + [13] * (len(headers) - 1))


def _title(what, view: View, selection: Selection) -> str:
    period = selection.period
    return f"{what} · {view.area.label} · {period.start:%d/%m/%Y} – {period.end:%d/%m/%Y}"


def table_export(actor: User, view: View, selection: Selection, fmt: str) -> Export:
    """The coverage table as the page shows it. Raises ExportError (404) when it has no rows. Commits
    the audit event."""
    view = in_district(view, selection.district)
    sheet = table_sheet(view, selection)
    _audited(actor, "table", fmt, view, selection, len(sheet.rows))
    return Export(filename("bao-phu", view.area, selection.period, fmt), CSV_TYPE if fmt == "csv" else XLSX_TYPE,
                  len(sheet.rows), _file(sheet, fmt, str(_l("Coverage"))))


# The service matrix -----------------------------------------------------------------------------

def matrix_sheet(view: View, selection: Selection) -> Sheet:
    if not view.children and view.area.kind != AreaKind.VILLAGE:
        raise empty_selection()
    found = matrix(view, selection.period)
    if not found.rows or not found.services:
        raise empty_selection()
    headers = [str(_l("Area")), str(_l("Households (N)")), *[s.name for s in found.services]]
    kinds = ["text", "int", *["int"] * len(found.services)]
    rows = [[area.label, n, *[reached.get(s.id, 0) for s in found.services]] for area, n, reached in found.rows]
    total = [str(_l("Total")), *[sum(row[c] for row in rows) for c in range(1, len(headers))]]
    return Sheet(_title(_l("Households reached per kind of help"), view, selection), headers, rows, kinds,
                 total=total if len(rows) > 1 else None, widths=[28, 13] + [16] * len(found.services))


def matrix_export(actor: User, view: View, selection: Selection, fmt: str) -> Export:
    """Households reached by the end of the period, per child area and kind of help. Raises
    ExportError (404) when it has no rows. Commits the audit event."""
    view = in_district(view, selection.district)
    sheet = matrix_sheet(view, selection)
    _audited(actor, "matrix", fmt, view, selection, len(sheet.rows))
    return Export(filename("noi-dung-ho-tro", view.area, selection.period, fmt),
                  CSV_TYPE if fmt == "csv" else XLSX_TYPE, len(sheet.rows),
                  _file(sheet, fmt, str(_l("Kinds of help"))))
