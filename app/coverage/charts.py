"""The trend charts' geometry, drawn as SVG by ``templates/coverage/_chart.html``.

No chart library and no JavaScript: a chart is a few dozen shapes sized by ``viewBox``, so it
scales to a 390 px phone; its colours come from CSS classes (the security policy refuses
inline styles) and its figures are repeated in a table for screen readers.
"""

from dataclasses import dataclass, field
from datetime import date
from math import floor, log10

from app.coverage.queries import Week

WIDTH, HEIGHT = 360, 170
LEFT, RIGHT, TOP, BOTTOM = 44, 18, 14, 24
LABEL_EVERY = 6  # weeks between the dates under the axis


def nice_ceiling(value: float) -> int:
    """The axis top: 1, 2 or 5 times a power of ten, at least ``value`` (1 for an empty chart)."""
    if value <= 1:
        return 1
    power = 10 ** floor(log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return int(step * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    week: date


@dataclass
class Chart:
    """A plot area from (``left``, ``top``) to (``right``, ``bottom``) inside a WIDTH × HEIGHT box."""

    top_value: int
    bars: list[Bar] = field(default_factory=list)
    line: str = ""  # polyline points of a cumulative series
    dots: list[tuple[float, float]] = field(default_factory=list)
    target_y: float | None = None
    ticks: list[tuple[float, int]] = field(default_factory=list)  # (y, value) of the axis labels
    labels: list[tuple[float, date]] = field(default_factory=list)  # (x, week) under the axis
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM

    def y_of(self, value: float) -> float:
        return round(self.bottom - (self.bottom - self.top) * value / self.top_value, 1)


def _frame(weeks: list[Week], top_value: int) -> tuple[Chart, float]:
    chart = Chart(top_value=top_value)
    step = (chart.right - chart.left) / max(len(weeks), 1)
    values = [0, top_value // 2, top_value] if top_value % 2 == 0 else [0, top_value]  # whole numbers only
    chart.ticks = [(chart.y_of(value), value) for value in values]
    last = len(weeks) - 1
    chart.labels = [(round(chart.left + step * (n + 0.5), 1), week.start) for n, week in enumerate(weeks)
                    if (last - n) % LABEL_EVERY == 0]
    return chart, step


def weekly_bars(weeks: list[Week], value_of) -> Chart:
    """One bar per week of ``value_of(week)``."""
    values = [value_of(week) for week in weeks]
    chart, step = _frame(weeks, nice_ceiling(max(values, default=0)))
    gap = max(1.0, step * 0.2)
    for n, (week, value) in enumerate(zip(weeks, values, strict=True)):
        y = chart.y_of(value)
        chart.bars.append(Bar(round(chart.left + step * n + gap / 2, 1), y, round(step - gap, 1),
                              round(chart.bottom - y, 1), value, week.start))
    return chart


def cumulative(weeks: list[Week], target: int | None) -> Chart:
    """Households reached so far at each week's end, against the year's target when there is one."""
    values = [week.reached for week in weeks]
    chart, step = _frame(weeks, nice_ceiling(max([*values, target or 0], default=0)))
    points = [(round(chart.left + step * (n + 0.5), 1), chart.y_of(value)) for n, value in enumerate(values)]
    chart.line = " ".join(f"{x},{y}" for x, y in points)
    chart.dots = points[-1:]
    if target:
        chart.target_y = chart.y_of(target)
    return chart


def peak(weeks: list[Week], value_of) -> Week | None:
    """The busiest week (the latest of equals), for the chart's description; None when all are 0."""
    best = max(reversed(weeks), key=value_of, default=None)
    return best if best is not None and value_of(best) > 0 else None
