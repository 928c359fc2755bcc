"""Periods: what the page accepts, and the spans of buckets that read a period exactly."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.coverage.models import ALL, DAY, MONTH, Bucket
from app.coverage.periods import PeriodError, period_from, span, spans

TODAY = date(2026, 11, 30)


def days_of(found):
    covered = []
    for grain, lo, hi in found:
        if grain == DAY:
            covered += [lo + timedelta(days=n) for n in range((hi - lo).days + 1)]
        else:
            assert lo.day == 1
            month = lo
            while month <= hi:
                nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
                covered += [month + timedelta(days=n) for n in range((nxt - month).days)]
                month = nxt
    return covered


@settings(max_examples=300)
@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.integers(0, 900))
def test_spans_cover_every_day_of_the_period_once(start, length):
    end = start + timedelta(days=length)
    covered = days_of(spans(start, end))
    assert sorted(covered) == [start + timedelta(days=n) for n in range(length + 1)]


def test_whole_months_are_read_from_month_buckets():
    assert spans(date(2026, 1, 15), date(2026, 4, 3)) == [
        (DAY, date(2026, 1, 15), date(2026, 1, 31)), (MONTH, date(2026, 2, 1), date(2026, 3, 1)),
        (DAY, date(2026, 4, 1), date(2026, 4, 3))]
    assert spans(date(2026, 1, 1), date(2026, 12, 31)) == [(MONTH, date(2026, 1, 1), date(2026, 12, 1))]
    assert spans(date(2026, 11, 3), date(2026, 11, 20)) == [(DAY, date(2026, 11, 3), date(2026, 11, 20))]


@pytest.mark.parametrize("args,start,end", [
    ({}, date(2026, 11, 1), TODAY),
    ({"period": "quarter"}, date(2026, 10, 1), TODAY),
    ({"period": "year"}, date(2026, 1, 1), TODAY),
    ({"period": "custom", "start": "2026-02-03", "end": "2026-05-06"}, date(2026, 2, 3), date(2026, 5, 6)),
])
def test_periods(args, start, end):
    period = period_from(args, TODAY)
    assert (period.start, period.end) == (start, end)
    assert period_from(period.args(), TODAY) == period


@pytest.mark.parametrize("args,field", [
    ({"period": "week"}, "period"),
    ({"period": "custom", "start": "2026-05-06", "end": "2026-02-03"}, "end"),
    ({"period": "custom", "start": "06/05/2026", "end": "2026-02-03"}, "start"),
    ({"period": "custom", "start": "2026-02-30", "end": "2026-03-03"}, "start"),
    ({"period": "custom", "start": "2015-01-01", "end": "2026-03-03"}, "end"),
    ({"period": "custom", "start": "1999-12-31", "end": "2000-03-03"}, "start"),
    ({"period": "custom", "start": "2026-01-01"}, "end"),
])
def test_bad_periods_are_refused_with_the_field_named(args, field):
    with pytest.raises(PeriodError) as refused:
        period_from(args, TODAY)
    assert refused.value.field == field


def test_the_all_time_span_names_its_grain_in_the_statement_for_its_partial_index():
    """The index of all-time rows (grain 'a') is partial: the planner uses it only when the
    statement itself says grain = 'a', not a parameter whose value it cannot see."""
    assert [str(condition) for condition in span(Bucket, ALL)] == ["coverage_buckets.grain = 'a'"]
    day = span(Bucket, DAY, date(2026, 1, 1), date(2026, 1, 2))
    assert str(day[0]) == "coverage_buckets.grain = :grain_1" and "BETWEEN" in str(day[1])
