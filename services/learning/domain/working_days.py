"""Deadlines in hours, calendar days and working days, on the England and Wales calendar.

Deadline semantics (the same for every unit counted in days):

* The clock starts at an instant (an aware ``datetime``) or on a day (a plain ``date``). The
  *start day* is that instant's calendar date in the calendar's local time zone
  (Europe/London), so a complaint emailed at 23:30 UTC on 30 June is received on 1 July.
* "Within N working days" means **by the end of the Nth working day after the start day**. The
  start day itself never counts, whether or not it is a working day, which is how the complaints
  regulations read ("not later than 3 working days after the day on which it receives the
  complaint"). Working days are Monday to Friday except bank holidays of the calendar's
  subdivision (England: the England and Wales bank holidays, substitute days included).
* "Within N calendar days" means by the end of the Nth day after the start day.
* "End of the day" is 23:59:59 local time, returned as an aware UTC ``datetime``; the UTC offset
  is that of the due day (GMT or BST), not of the start.
* "Within N hours" is elapsed time: N x 3600 seconds after the start instant, whatever the
  clocks do. A plain ``date`` start counts from local midnight at the beginning of that day.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

END_OF_DAY = time(23, 59, 59)
"""The last second of a local day: when a deadline counted in days falls due."""


class DeadlineUnit(StrEnum):
    """How a deadline's amount is counted."""

    HOURS = "hours"
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True)
class WorkingCalendar:
    """A bank-holiday calendar (from the ``holidays`` library) and the local time zone."""

    country: str = "GB"
    subdivision: str | None = "ENG"
    time_zone: str = "Europe/London"

    @property
    def zone(self) -> ZoneInfo:
        """The local time zone in which days start and end."""
        return ZoneInfo(self.time_zone)

    def is_working_day(self, day: date) -> bool:
        """True unless ``day`` is a weekend day or a bank holiday."""
        return bool(_bank_holidays(self.country, self.subdivision).is_working_day(day))

    def nth_working_day(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (``n`` = 0: ``day`` or the next working day)."""
        return _nth_working_day(self.country, self.subdivision, day, n)

    def local_day(self, start: datetime | date) -> date:
        """The local calendar day of ``start`` (a plain date is taken as it is)."""
        if isinstance(start, datetime):
            return _aware(start).astimezone(self.zone).date()
        return start

    def end_of(self, day: date) -> datetime:
        """The end of local ``day`` as an aware UTC datetime."""
        return _end_of(self.time_zone, day)


ENGLAND = WorkingCalendar()
"""England: England and Wales bank holidays, Europe/London time."""


@lru_cache(maxsize=8)
def _bank_holidays(country: str, subdivision: str | None) -> holidays.HolidayBase:
    # The holiday object fills in years lazily as dates are asked about; one per calendar.
    return holidays.country_holidays(country, subdiv=subdivision)


# Many facts fall on the same few days: their deadlines are worked out once.
@lru_cache(maxsize=4096)
def _nth_working_day(country: str, subdivision: str | None, day: date, n: int) -> date:
    found: date = _bank_holidays(country, subdivision).get_nth_working_day(day, n)
    return found


@lru_cache(maxsize=4096)
def _end_of(time_zone: str, day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


def check_calendar(calendar: WorkingCalendar) -> None:
    """Raise ``ValueError`` if the country, subdivision or time zone is unknown."""
    try:
        _bank_holidays(calendar.country, calendar.subdivision)
    except NotImplementedError as error:
        raise ValueError(str(error)) from None
    try:
        calendar.zone  # noqa: B018 - constructing the zone is the check
    except (ValueError, KeyError) as error:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"unknown time zone {calendar.time_zone!r}") from error


def add_hours(
    start: datetime | date, hours: int, *, calendar: WorkingCalendar = ENGLAND
) -> datetime:
    """``hours`` of elapsed time after ``start`` (a date counts from its local midnight)."""
    _check_amount(hours)
    if isinstance(start, datetime):
        instant = _aware(start)
    else:
        instant = datetime.combine(start, time.min, tzinfo=calendar.zone)
    return instant.astimezone(UTC) + timedelta(hours=hours)


def add_calendar_days(
    start: datetime | date, days: int, *, calendar: WorkingCalendar = ENGLAND
) -> datetime:
    """The end of the ``days``-th calendar day after the start day (0: end of the start day)."""
    _check_amount(days)
    return calendar.end_of(calendar.local_day(start) + timedelta(days=days))


def add_working_days(
    start: datetime | date, days: int, *, calendar: WorkingCalendar = ENGLAND
) -> datetime:
    """The end of the ``days``-th working day after the start day.

    The start day never counts. With ``days`` = 0 the deadline is the end of the start day if
    it is a working day, otherwise the end of the next working day.
    """
    _check_amount(days)
    return calendar.end_of(calendar.nth_working_day(calendar.local_day(start), days))


def due_at(
    start: datetime | date,
    amount: int,
    unit: DeadlineUnit,
    *,
    calendar: WorkingCalendar = ENGLAND,
) -> datetime:
    """When a deadline of ``amount`` ``unit`` starting at ``start`` falls due (aware UTC)."""
    if unit is DeadlineUnit.HOURS:
        return add_hours(start, amount, calendar=calendar)
    if unit is DeadlineUnit.CALENDAR_DAYS:
        return add_calendar_days(start, amount, calendar=calendar)
    return add_working_days(start, amount, calendar=calendar)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("deadlines need a timezone-aware datetime, not a naive one")
    return value


def _check_amount(amount: int) -> None:
    if amount < 0:
        raise ValueError(f"a deadline cannot be negative: {amount}")
