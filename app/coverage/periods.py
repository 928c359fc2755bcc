"""Periods a coverage page is read for, and how a period is read from the day and month buckets."""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, bindparam, false, literal_column, select, union_all

from app.core.db import local_today
from app.core.domain import RuleError
from app.coverage.models import ALL, ALL_START, DAY, MONTH

MAX_YEARS = 5
PRESETS = ("month", "quarter", "year", "custom")
FIRST_DAY = ALL_START  # before any help logged with Gõ Cửa: "from the beginning"


class PeriodError(RuleError):
    pass


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both included."""

    name: str
    start: date
    end: date

    @property
    def year(self) -> int:
        return self.end.year

    def args(self) -> dict[str, str]:
        """The query arguments that name this period again."""
        if self.name == "custom":
            return {"period": "custom", "start": self.start.isoformat(), "end": self.end.isoformat()}
        return {"period": self.name}

    def year_elapsed(self) -> float:
        """The share of the period's year gone by at its end: where a target should be by then."""
        first, last = date(self.year, 1, 1), date(self.year, 12, 31)
        return ((self.end - first).days + 1) / ((last - first).days + 1)


def _parse_day(value: str | None, field: str) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise PeriodError(_l("Give the dates as dd/mm/yyyy, from the calendar."), field) from None


def period_from(args, today: date) -> Period:
    """The period the query asks for: this month by default; 400 (PeriodError) for a bad one."""
    name = args.get("period") or "month"
    if name == "month":
        return Period(name, today.replace(day=1), today)
    if name == "quarter":
        return Period(name, date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today)
    if name == "year":
        return Period(name, date(today.year, 1, 1), today)
    if name != "custom":
        raise PeriodError(_l("Choose a period from the list."), "period")
    start, end = _parse_day(args.get("start"), "start"), _parse_day(args.get("end"), "end")
    if end < start:
        raise PeriodError(_l("The period ends before it starts."), "end")
    if start < FIRST_DAY or end > today + timedelta(days=366):
        raise PeriodError(_l("Choose dates between %(first)s and next year.", first="01/01/2000"), "start")
    if (end - start).days > 366 * MAX_YEARS:
        raise PeriodError(_l("A period can be at most %(years)d years long.", years=MAX_YEARS), "end")
    return Period("custom", start, end)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def spans(start: date, end: date) -> list[tuple[str, date, date]]:
    """[start, end] as whole months (month buckets) and the days at either edge (day buckets):
    each day falls in exactly one span, so sums over the spans count everything once."""
    if end < start:
        return []
    first_full = start if start.day == 1 else _next_month(start)
    last_full = end.replace(day=1) if end == month_end(end) else end.replace(day=1) - timedelta(days=1)
    if first_full > last_full:
        return [(DAY, start, end)]
    found = []
    if start < first_full:
        found.append((DAY, start, first_full - timedelta(days=1)))
    found.append((MONTH, first_full, last_full.replace(day=1)))
    if end > month_end(last_full):
        found.append((DAY, month_end(last_full) + timedelta(days=1), end))
    return found


def read_spans(start: date, end: date) -> list[tuple[str, date, date]]:
    """The spans a read of [start, end] takes: from the beginning to today or later, the
    all-time bucket alone; else the whole months and the edge days of ``spans``."""
    return [(ALL, FIRST_DAY, FIRST_DAY)] if start <= FIRST_DAY and end >= local_today() else spans(start, end)


def spanned(model, columns, start: date, end: date, *conditions):
    """The rows of a bucket ``model`` (``columns`` of them) in [start, end] that meet
    ``conditions``, as a subquery: one SELECT per span joined by UNION ALL, each a range of the
    index on (area, key, grain, start); from the beginning to today or later, the all-time
    bucket alone. One OR of the spans would stay a filter beside the index
    on PostgreSQL, which then reads every bucket of the areas and keys: hundreds of thousands
    at a province."""
    parts = [select(*columns).where(*conditions, *span(model, grain, first, last))
             for grain, first, last in read_spans(start, end)]
    if not parts:
        return select(*columns).where(false()).subquery()
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()


def span(model, grain: str, first=None, last=None) -> tuple:
    """The conditions of one span: its grain and days. The all-time bucket is named by its
    grain alone, written into the statement (not a parameter), so that the planner reads it
    from the index of all-time rows (``ix_coverage_buckets_all_time``): a province's matrix
    reads its 759 rows there in 0.4 ms, against 1.8 ms from the index of every bucket."""
    if grain == ALL:
        return (model.grain == literal_column(f"'{ALL}'"),)
    return (model.grain == grain, model.start.between(first, last))


def shape(found: list[tuple[str, date, date]]) -> tuple[str, ...]:
    """The grains of some spans: what a statement built once for them depends on."""
    return tuple(grain for grain, _, _ in found)


def spanned_once(model, columns, grains: tuple[str, ...], name: str, *conditions):
    """``spanned`` for a statement built once per shape and run many times: each span's days
    are parameters (``<name><n>a``, ``<name><n>b``, given by ``span_values``)."""
    parts = [select(*columns).where(*conditions, *span(model, grain, bindparam(f"{name}{n}a", type_=Date),
                                                        bindparam(f"{name}{n}b", type_=Date)))
             for n, grain in enumerate(grains)]
    if not parts:
        return select(*columns).where(false()).subquery()
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()


def span_values(name: str, found: list[tuple[str, date, date]]) -> dict[str, date]:
    """The parameters of ``spanned_once(..., shape(found), name, ...)``."""
    values = {}
    for n, (_grain, first, last) in enumerate(found):
        values[f"{name}{n}a"], values[f"{name}{n}b"] = first, last
    return values
