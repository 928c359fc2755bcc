"""The trend charts' geometry: axis tops, bars in proportion, the target line."""

from datetime import date, timedelta

import pytest

from app.coverage import charts
from app.coverage.queries import Week

MONDAY = date(2025, 1, 6)


def weeks(visits, newly=None):
    newly = newly or [0] * len(visits)
    running, found = 0, []
    for n, (v, k) in enumerate(zip(visits, newly, strict=True)):
        running += k
        found.append(Week(MONDAY + timedelta(weeks=n), v, k, running))
    return found


@pytest.mark.parametrize("value,top", [(0, 1), (1, 1), (3, 5), (7, 10), (10, 10), (11, 20), (180, 200), (260, 500)])
def test_axis_tops(value, top):
    assert charts.nice_ceiling(value) == top


def test_bars_are_in_proportion_and_fit_the_box():
    chart = charts.weekly_bars(weeks([0, 5, 10, 2]), lambda w: w.visits)
    assert chart.top_value == 10 and [value for _, value in chart.ticks] == [0, 5, 10]
    heights = [bar.height for bar in chart.bars]
    assert heights[0] == 0 and heights[2] == chart.bottom - chart.top
    assert heights[1] == pytest.approx(heights[2] / 2, 0.02)
    assert all(chart.left <= bar.x and bar.x + bar.width <= chart.right for bar in chart.bars)
    assert [label for _, label in chart.labels] == [MONDAY + timedelta(weeks=3)]  # the latest week is labelled


def test_an_empty_chart_has_an_axis_and_no_peak():
    found = weeks([0] * 26)
    chart = charts.weekly_bars(found, lambda w: w.visits)
    assert chart.top_value == 1 and all(bar.height == 0 for bar in chart.bars)
    assert charts.peak(found, lambda w: w.visits) is None
    assert len(chart.labels) == 5  # every sixth week, counted back from the latest


def test_cumulative_line_against_the_target():
    found = weeks([1, 1, 1], newly=[2, 0, 3])
    chart = charts.cumulative(found, target=40)
    assert chart.top_value == 50 and chart.target_y == chart.y_of(40)
    points = [tuple(map(float, p.split(","))) for p in chart.line.split()]
    assert [y for _, y in points] == [chart.y_of(2), chart.y_of(2), chart.y_of(5)]
    assert chart.dots == [points[-1]]
    assert charts.cumulative(found, None).target_y is None


def test_the_busiest_week_is_the_latest_of_equals():
    found = weeks([3, 5, 5, 1])
    assert charts.peak(found, lambda w: w.visits).start == MONDAY + timedelta(weeks=2)
