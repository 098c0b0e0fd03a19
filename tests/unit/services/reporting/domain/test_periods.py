"""Reporting periods: months on the London clock, calendar quarters and years."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.reporting.domain.periods import (
    LONDON,
    MAX_PERIODS,
    Granularity,
    Month,
    PeriodError,
    london,
    month_of,
    period_of,
    periods_between,
    previous_period,
    resolve_range,
)


def test_months_follow_the_london_clock() -> None:
    assert month_of(datetime(2025, 5, 31, 23, 30, tzinfo=UTC)) == "2025-06"  # 00:30 BST
    assert month_of(datetime(2025, 1, 31, 23, 30, tzinfo=UTC)) == "2025-01"  # GMT
    assert month_of(datetime(2025, 3, 1, 0, 0)) == "2025-03"  # naive means UTC
    assert month_of(date(2025, 12, 31)) == "2025-12"


def test_quarters_are_calendar_quarters() -> None:
    quarter = period_of(Month(2025, 5), Granularity.QUARTER)
    assert (quarter.label, quarter.months) == ("2025-Q2", ("2025-04", "2025-05", "2025-06"))
    assert quarter.days == 91
    assert quarter.start == datetime(2025, 3, 31, 23, 0, tzinfo=UTC)  # 1 April, BST
    assert quarter.end == datetime(2025, 6, 30, 23, 0, tzinfo=UTC)
    assert period_of(Month(2024, 2), Granularity.YEAR).days == 366


def test_previous_period_crosses_year_boundaries() -> None:
    assert previous_period(
        period_of(Month(2025, 1), Granularity.MONTH), Granularity.MONTH
    ).label == ("2024-12")
    first_quarter = period_of(Month(2025, 2), Granularity.QUARTER)
    assert previous_period(first_quarter, Granularity.QUARTER).label == "2024-Q4"
    assert previous_period(period_of(Month(2025, 7), Granularity.YEAR), Granularity.YEAR).label == (
        "2024"
    )


def test_ranges_widen_to_whole_periods() -> None:
    quarters = periods_between("2025-02", "2025-04", Granularity.QUARTER)
    assert [p.label for p in quarters] == ["2025-Q1", "2025-Q2"]
    assert [p.label for p in periods_between("2024-11", "2025-01", Granularity.MONTH)] == [
        "2024-11", "2024-12", "2025-01"
    ]  # fmt: skip
    assert [p.label for p in periods_between("2023-06", "2025-01", Granularity.YEAR)] == [
        "2023", "2024", "2025"
    ]  # fmt: skip


def test_contains_uses_the_london_month() -> None:
    june = period_of(Month(2025, 6), Granularity.MONTH)
    assert june.contains(datetime(2025, 5, 31, 23, 30, tzinfo=UTC))
    assert not june.contains(datetime(2025, 6, 30, 23, 30, tzinfo=UTC))
    assert not june.contains(None)


@pytest.mark.parametrize(
    ("first", "last"), [("2025-13", "2025-12"), ("25-01", "2025-02"), ("2025-03", "2025-01")]
)
def test_bad_ranges_are_refused(first: str, last: str) -> None:
    with pytest.raises(PeriodError):
        periods_between(first, last, Granularity.MONTH)


def test_too_many_periods_are_refused() -> None:
    with pytest.raises(PeriodError, match=str(MAX_PERIODS)):
        periods_between("2000-01", "2025-12", Granularity.MONTH)


def test_default_range_is_the_last_twelve_months() -> None:
    today = date(2025, 7, 15)
    months = resolve_range(None, None, Granularity.MONTH, today)
    assert (months[0].label, months[-1].label, len(months)) == ("2024-08", "2025-07", 12)
    quarters = resolve_range(None, "2025-06", Granularity.QUARTER, today)
    assert [q.label for q in quarters] == ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
    years = resolve_range(None, None, Granularity.YEAR, today)
    assert [y.label for y in years] == ["2023", "2024", "2025"]


def test_the_london_date_shortcut_agrees_with_the_time_zone_database() -> None:
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    while moment < datetime(2026, 1, 1, tzinfo=UTC):  # every 30 minutes, DST changes included
        local = moment.astimezone(LONDON)
        assert london(moment).date() == local.date(), moment
        assert london(moment.replace(tzinfo=None)).date() == local.date(), moment
        moment += timedelta(minutes=30)
