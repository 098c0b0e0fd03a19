"""Deadlines in hours, calendar days and working days on the England and Wales calendar."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from services.learning.domain.working_days import (
    ENGLAND,
    DeadlineUnit,
    WorkingCalendar,
    add_calendar_days,
    add_hours,
    add_working_days,
    check_calendar,
    due_at,
)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 12, 24), True),  # Wednesday
        (date(2025, 12, 25), False),  # Christmas Day
        (date(2025, 12, 26), False),  # Boxing Day
        (date(2025, 12, 27), False),  # Saturday
        (date(2026, 1, 1), False),  # New Year's Day
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 4, 7), True),
        (date(2026, 12, 28), False),  # Boxing Day falls on a Saturday: substitute Monday
    ],
)
def test_working_days_exclude_weekends_and_england_bank_holidays(day: date, working: bool) -> None:
    assert ENGLAND.is_working_day(day) is working


def test_complaint_on_christmas_eve_is_acknowledged_after_christmas_and_boxing_day() -> None:
    # Wed 24 Dec 2025: 25 and 26 are bank holidays, 27-28 the weekend; 29, 30, 31 count.
    assert add_working_days(utc(2025, 12, 24, 15, 0), 3) == utc(2025, 12, 31, 23, 59, 59)


def test_twenty_working_days_skip_christmas_and_new_year() -> None:
    assert add_working_days(utc(2025, 12, 24, 15, 0), 20) == utc(2026, 1, 26, 23, 59, 59)


def test_next_working_day_skips_good_friday_and_easter_monday() -> None:
    # Thu 2 April 2026 -> Tue 7 April, end of day in BST (UTC+1).
    assert add_working_days(utc(2026, 4, 2, 9, 0), 1) == utc(2026, 4, 7, 22, 59, 59)


def test_the_start_day_never_counts_even_on_a_bank_holiday() -> None:
    assert add_working_days(date(2026, 4, 3), 1) == utc(2026, 4, 7, 22, 59, 59)


def test_a_start_at_the_weekend_counts_from_monday() -> None:
    # Received Saturday 10 January 2026: Mon 12, Tue 13, Wed 14.
    assert add_working_days(utc(2026, 1, 10, 11, 0), 3) == utc(2026, 1, 14, 23, 59, 59)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (date(2026, 4, 2), utc(2026, 4, 2, 22, 59, 59)),  # a working day: its own end
        (date(2026, 4, 4), utc(2026, 4, 7, 22, 59, 59)),  # Saturday before Easter Monday
        (date(2026, 4, 6), utc(2026, 4, 7, 22, 59, 59)),  # Easter Monday itself
    ],
)
def test_zero_working_days_is_the_end_of_the_start_day_or_the_next_working_day(
    start: date, due: datetime
) -> None:
    assert add_working_days(start, 0) == due


def test_the_start_day_is_the_local_day_in_summer_time() -> None:
    # 23:30 UTC on 30 June is 00:30 BST on Wednesday 1 July, so day 1 is Thursday 2 July.
    assert add_working_days(utc(2026, 6, 30, 23, 30), 1) == utc(2026, 7, 2, 22, 59, 59)


def test_the_start_day_is_the_local_day_in_winter_time() -> None:
    # 23:30 UTC on 31 December is still 31 December in GMT; 1 January is a bank holiday.
    assert add_working_days(utc(2025, 12, 31, 23, 30), 1) == utc(2026, 1, 2, 23, 59, 59)


def test_the_offset_of_the_due_day_is_used_across_the_clock_change() -> None:
    # Start in GMT (Fri 27 March 2026), due after the clocks go forward on Sunday 29 March.
    assert add_working_days(utc(2026, 3, 27, 12, 0), 1) == utc(2026, 3, 30, 22, 59, 59)
    # Start in BST (Fri 23 October 2026), due after the clocks go back on Sunday 25 October.
    assert add_working_days(utc(2026, 10, 23, 12, 0), 1) == utc(2026, 10, 26, 23, 59, 59)


def test_hours_are_elapsed_time_across_the_clock_change() -> None:
    start = utc(2026, 3, 28, 12, 0)  # 12:00 GMT on Saturday
    due = add_hours(start, 24)
    assert due == utc(2026, 3, 29, 12, 0)
    assert due.astimezone(ENGLAND.zone).hour == 13  # 13:00 BST on the wall clock


def test_hours_from_a_plain_date_count_from_local_midnight() -> None:
    assert add_hours(date(2026, 7, 1), 24) == utc(2026, 7, 1, 23, 0)


def test_calendar_days_end_at_local_midnight_of_the_due_day() -> None:
    assert add_calendar_days(utc(2026, 3, 20, 10, 0), 10) == utc(2026, 3, 30, 22, 59, 59)
    assert add_calendar_days(utc(2025, 10, 20, 10, 0), 10) == utc(2025, 10, 30, 23, 59, 59)
    assert add_calendar_days(utc(2025, 12, 24, 10, 0), 0) == utc(2025, 12, 24, 23, 59, 59)


def test_calendar_days_include_bank_holidays_and_weekends() -> None:
    assert add_calendar_days(date(2025, 12, 24), 3) == utc(2025, 12, 27, 23, 59, 59)


@pytest.mark.parametrize(
    ("amount", "unit", "due"),
    [
        (72, DeadlineUnit.HOURS, utc(2025, 12, 27, 15, 0)),
        (3, DeadlineUnit.CALENDAR_DAYS, utc(2025, 12, 27, 23, 59, 59)),
        (3, DeadlineUnit.WORKING_DAYS, utc(2025, 12, 31, 23, 59, 59)),
    ],
)
def test_due_at_counts_in_the_deadline_unit(amount: int, unit: DeadlineUnit, due: datetime) -> None:
    assert due_at(utc(2025, 12, 24, 15, 0), amount, unit) == due


def test_results_are_aware_utc_whatever_the_offset_of_the_start() -> None:
    start = datetime(2026, 4, 2, 10, 0, tzinfo=timezone(timedelta(hours=5)))
    due = add_working_days(start, 1)
    assert due.tzinfo is UTC
    assert due == utc(2026, 4, 7, 22, 59, 59)


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_days(datetime(2026, 4, 2, 10, 0), 1)


def test_negative_amounts_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_calendar_days(date(2026, 4, 2), -1)


def test_another_calendar_uses_its_own_bank_holidays() -> None:
    scotland = WorkingCalendar("GB", "SCT", "Europe/London")
    assert ENGLAND.is_working_day(date(2026, 1, 2))
    assert not scotland.is_working_day(date(2026, 1, 2))


@pytest.mark.parametrize(
    "calendar",
    [
        WorkingCalendar("GB", "XXX", "Europe/London"),
        WorkingCalendar("ZZ", None, "Europe/London"),
        WorkingCalendar("GB", "ENG", "Europe/Nowhere"),
    ],
)
def test_unknown_calendars_are_rejected(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError):
        check_calendar(calendar)
