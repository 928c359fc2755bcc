"""The coverage page: its filters read from the URL, and everything it shows for an area.

Every figure comes from ``coverage.queries`` (the summaries); this module decides which of them a
level shows (province, commune, village) and how the page's links carry the filters along.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.access import TRAINERS
from app.areas.models import Area, AreaKind
from app.catalog.models import Service
from app.core.domain import RuleError
from app.core.forms import parse_id
from app.core.i18n import Numbers, numbers
from app.coverage import charts
from app.coverage.models import ANY
from app.coverage.periods import Period, period_from
from app.coverage.queries import (
    SORTS,
    View,
    breadcrumb,
    former_districts,
    gaps,
    in_district,
    matrix,
    ordered,
    table,
    task_teams,
    trend,
    without_parallel_workers,
    year_target,
)
from app.helplogs.queries import active_services
from app.training import figures as training_figures

TABS = ("table", "matrix")
LINK_MARK = 987_654_321  # an area id in a link template; no filter's value holds it
# Share of N reached, by class of the matrix's colour scale (lower bounds).
SHADES = (0.0, 0.1, 0.25, 0.5, 0.75)


@dataclass(frozen=True)
class Filters:
    """What the URL asks the page for; ``args`` names it again for the page's links."""

    period: Period
    service: Service | None = None
    district: str | None = None
    sort: str | None = None
    descending: bool = False
    tab: str = "table"

    @property
    def key(self) -> int:
        return self.service.id if self.service is not None else ANY

    def args(self, **changes) -> dict[str, str]:
        """The query arguments of these filters with ``changes`` (a change to None drops one)."""
        found = dict(self.period.args())
        if self.service is not None:
            found["service"] = str(self.service.id)
        if self.district:
            found["district"] = self.district
        if self.sort:
            found["sort"] = self.sort
            if self.descending:
                found["dir"] = "desc"
        if self.tab != "table":
            found["view"] = self.tab
        for name, value in changes.items():
            found.pop(name, None)
            if value is not None:
                found[name] = value
        if "sort" not in found:
            found.pop("dir", None)
        return found

    def drill(self) -> dict[str, str]:
        """For a link to another area: the former district belongs to the province's list only."""
        return self.args(district=None)

    def area_link(self):
        """The link to an area under these filters, as ``url_for`` writes it, built once: a
        province's page prints some 200 of them, and each ``url_for`` with the filters costs
        more than the rest of its row."""
        prefix, _, suffix = url_for("coverage.show", area_id=LINK_MARK, **self.drill()).partition(str(LINK_MARK))
        return lambda area_id: f"{prefix}{area_id}{suffix}"

    def sorted_by(self, column: str) -> dict[str, str]:
        """A column header's link: by that column, ascending; again, descending; then the default."""
        if self.sort != column:
            return self.args(sort=column, dir=None)
        if not self.descending:
            return self.args(sort=column, dir="desc")
        return self.args(sort=None, dir=None)

    def period_preset(self, name: str) -> dict[str, str]:
        if name == "custom":
            return self.args(period="custom", start=self.period.start.isoformat(), end=self.period.end.isoformat())
        return self.args(period=name, start=None, end=None)


@dataclass
class Choices:
    """What the filters may choose from at this level."""

    services: list[Service] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)


def choices(view: View) -> Choices:
    return Choices(active_services(), former_districts(view))


def read_filters(args, today: date, found: Choices) -> Filters:
    """The filters of the query ``args``. Raises RuleError (400, naming the field) for a bad
    period or dates, an unknown or inactive kind of help, or a former district not listed."""
    period = period_from(args, today)
    service, district = _service(args, found), _district(args, found)
    if service is None and (args.get("service") or "").strip():
        raise RuleError(_l("Choose a kind of help from the list."), "service")
    if district is None and found.districts and (args.get("district") or "").strip():
        raise RuleError(_l("Choose a former district from the list."), "district")
    return _filters(period, service, district, args)


def _service(args, found: Choices) -> Service | None:
    service_id = parse_id((args.get("service") or "").strip())
    return next((s for s in found.services if s.id == service_id), None)


def _district(args, found: Choices) -> str | None:
    """Only a province lists former districts; elsewhere the argument means nothing."""
    district = (args.get("district") or "").strip()
    return district if district in found.districts else None


def _filters(period: Period, service: Service | None, district: str | None, args) -> Filters:
    sort = args.get("sort") if args.get("sort") in SORTS else None
    return Filters(period, service, district, sort, sort is not None and args.get("dir") == "desc",
                   args.get("view") if args.get("view") in TABS else "table")


def shade(share: float | None) -> int | None:
    """The class (0–4) of a share on the matrix's colour scale; None without a denominator."""
    if share is None:
        return None
    return bisect_right(SHADES, share) - 1 if share >= 0 else 0


def share(reached: int, households: int) -> float | None:
    return reached / households if households else None


def _header(view: View, found: Choices) -> dict:
    return {"view": view, "area": view.area, "crumbs": breadcrumb(view), "services": found.services,
            "districts": found.districts}


def _trend(view: View, filters: Filters, today: date, total) -> dict:
    weeks = trend(view, today, filters.key)
    # The table's total has this year's target when its period ends this year.
    target = total.target if filters.period.year == today.year else year_target(view, today.year, filters.key)
    return {
        "weeks": weeks, "year": today.year, "year_target": target,
        "visits_chart": charts.weekly_bars(weeks, lambda w: w.visits),
        "newly_chart": charts.weekly_bars(weeks, lambda w: w.newly),
        "reach_chart": charts.cumulative(weeks, target),
        "visits_peak": charts.peak(weeks, lambda w: w.visits),
        "newly_peak": charts.peak(weeks, lambda w: w.newly),
        "total_visits": sum(w.visits for w in weeks), "total_newly": sum(w.newly for w in weeks),
    }


def coverage_page(view: View, filters: Filters, found: Choices, today: date) -> dict:
    """Everything the page shows for ``view`` under ``filters``, in a fixed number of queries."""
    without_parallel_workers()
    shown = in_district(view, filters.district) if filters.district else view
    rows, total = table(shown, filters.period, filters.key)
    context = {**_header(view, found), "filters": filters, "today": today, "rows": [], "total": total,
               "matrix": None, "matrix_total": None, "error": None, "form": form_values(filters),
               "area_link": filters.area_link()}
    if view.area.kind != AreaKind.VILLAGE:
        context["rows"] = ordered(rows, filters.sort, filters.descending)
    if view.area.kind == AreaKind.VILLAGE or filters.tab == "matrix":
        found_matrix = matrix(shown, filters.period, found.services, {row.area.id: row.households for row in rows})
        place = {row.area.id: n for n, row in enumerate(context["rows"])}
        found_matrix.rows.sort(key=lambda row: place.get(row[0].id, 0))  # in the table's order
        context["matrix"], context["matrix_total"] = matrix_rows(found_matrix, view.area.kind == AreaKind.VILLAGE)
        context["matrix_services"] = found_matrix.services
    found_gaps = gaps(shown, today, found.services)
    context["gaps"] = found_gaps
    villages = [view.area.id] if view.area.kind == AreaKind.VILLAGE else [v.id for v in found_gaps.never]
    context["task_teams"] = task_teams(view.user, villages if view.area.kind != AreaKind.PROVINCE else [])
    context.update(_trend(shown, filters, today, total))
    context.update(training(shown, filters.period))
    return context


def training(view: View, period: Period) -> dict:
    """For trainers (staff and administrators, who see their area whole): at a province, each
    commune's training; at a commune, its own and its teams'. Three statements at most."""
    if view.user.role not in TRAINERS or view.villages is not None or view.area.kind == AreaKind.VILLAGE:
        return {"training": None}
    if view.area.kind == AreaKind.PROVINCE:
        rows = training_figures.by_commune(view.user, [child.id for child in view.children], period.start, period.end)
        return {"training": [(child, rows[child.id]) for child in view.children], "training_teams": None}
    own = training_figures.by_commune(view.user, [view.area.id], period.start, period.end)[view.area.id]
    return {"training": [(view.area, own)], "training_teams": training_figures.by_team(view.area)}


FORM_FIELDS = ("period", "start", "end", "service", "district")
OWN_FIELDS = {"dates": ("period", "start", "end"), "selects": ("service", "district")}
KEPT = ("period", "start", "end", "service", "district", "sort", "dir", "view")


def form_values(filters: Filters) -> dict:
    """What the filter forms show (the period's dates even for a preset: a start for custom
    ones) and, per form, the other filters it carries along as hidden fields."""
    values = {"period": filters.period.name, "start": filters.period.start.isoformat(),
              "end": filters.period.end.isoformat(), "service": str(filters.service.id) if filters.service else "",
              "district": filters.district or ""}
    carried = {form: filters.args(**dict.fromkeys(own)) for form, own in OWN_FIELDS.items()}
    return {**values, "carry": carried}


def refused_page(view: View, found: Choices, args, error: RuleError, today: date) -> dict:
    """The page for filters it cannot read: the forms as sent, with the message beside the field,
    still carrying the other filters so that correcting one loses none."""
    fallback = _filters(Period("month", today.replace(day=1), today), _service(args, found), _district(args, found),
                        args)
    raw = {name: (args.get(name) or "").strip() for name in KEPT}
    carried = {form: {name: value for name, value in raw.items() if value and name not in own}
               for form, own in OWN_FIELDS.items()}
    values = {name: raw[name] for name in FORM_FIELDS}
    return {**_header(view, found), "filters": fallback, "today": today, "rows": [], "total": None,
            "matrix": None, "error": error, "form": {**values, "carry": carried}}


@dataclass(slots=True)
class Cell:
    """One cell of the matrix, its figures written as the page prints them. An object with
    attributes, not a dict: Jinja reads ``cell.reached_text`` as an attribute first, and a
    dict's miss costs an exception per figure, over a thousand per province."""

    service: Service
    reached: int
    share: float | None
    shade: int | None
    reached_text: str
    share_text: str


@dataclass(slots=True)
class MatrixRow:
    area: Area | None
    households: int
    households_text: str
    cells: list[Cell]
    has_data: bool
    cells_html: Markup


def matrix_rows(found_matrix, listed: bool = False) -> tuple[list[MatrixRow], MatrixRow | None]:
    """The matrix as rows in the order of its services, and the row of their sum (households
    throughout: one unit, so it adds up). A village's one row is ``listed``: its cells apart
    (reached, share, colour class, both figures as printed), one per line of the page. Above
    it a row is its cells as the table prints them, written here once: a province's matrix has
    some 760 cells, and Jinja's loop over them was a third of the page's rendering (a
    province's matrix tab renders in 7.6 ms of CPU instead of 10.1)."""
    rows = []
    sums: dict[int, int] = {}
    formats = numbers()
    for area, households, reached in found_matrix.rows:
        rows.append(_matrix_row(area, households, reached, found_matrix.services, formats, listed))
        for service_id, count in reached.items():
            sums[service_id] = sums.get(service_id, 0) + count
    if len(rows) < 2:
        return rows, None
    return rows, _matrix_row(None, sum(row.households for row in rows), sums, found_matrix.services, formats,
                             listed)


def _matrix_row(area: Area | None, households: int, reached: dict[int, int], services: list[Service],
                formats: Numbers, listed: bool) -> MatrixRow:
    households_text = formats.count(households)
    has_data = any(reached.values())
    if listed:
        cells = []
        for service in services:
            count = reached.get(service.id, 0)
            found = share(count, households)
            cells.append(Cell(service, count, found, shade(found), formats.count(count),
                              formats.share_of(count, households)))
        return MatrixRow(area, households, households_text, cells, has_data, Markup())
    if not has_data:
        return MatrixRow(area, households, households_text, [], False,
                         Markup('<td class="shade-none">—</td>' * len(services)))
    of = _content(households_text)
    printed = []
    for service in services:
        count = reached.get(service.id, 0)
        found = shade(share(count, households))
        printed.append(f'<td class="shade-{"none" if found is None else found}"><strong>'
                       f'{_content(formats.count(count))}</strong><span class="visually-hidden"> / {of}</span> '
                       f'<span class="sub">{_content(formats.share_of(count, households))}</span></td>')
    return MatrixRow(area, households, households_text, [], True, Markup("".join(printed)))


def _content(text: str) -> str:
    """A figure as an element's content: digits and the locale's separators need no escaping,
    and escaping each of the matrix's 1,500 figures cost a tenth of the page's CPU; one that
    holds &, < or > ("< 0,1%") is escaped."""
    return str(escape(text)) if "<" in text or "&" in text or ">" in text else text
