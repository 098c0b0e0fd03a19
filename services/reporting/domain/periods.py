"""Reporting periods: calendar months, calendar quarters and calendar years.

Quarters are calendar quarters (Q1 = January-March), not UK financial quarters. Months are
calendar months on England's clock (Europe/London), so an incident at 00:30 BST on 1 June counts
in June, as the care manager who reported it would expect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
MAX_PERIODS = 60
MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class Granularity(StrEnum):
    """How months are grouped into reporting periods."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class PeriodError(ValueError):
    """A month or range that cannot be reported on."""


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """``YYYY-MM`` to a month; raises PeriodError otherwise."""
        found = MONTH_PATTERN.match(text)
        if found is None:
            raise PeriodError(f"expected a month as YYYY-MM, got {text!r}")
        return cls(int(found.group(1)), int(found.group(2)))

    @property
    def label(self) -> str:
        """``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def index(self) -> int:
        """Months since year 0, for arithmetic."""
        return self.year * 12 + self.month - 1

    def shift(self, months: int) -> Month:
        """The month ``months`` later (earlier when negative)."""
        year, month = divmod(self.index + months, 12)
        return Month(year, month + 1)

    def start(self) -> datetime:
        """Midnight on the 1st, London time, as UTC."""
        return datetime(self.year, self.month, 1, tzinfo=LONDON).astimezone(UTC)


def month_of(moment: datetime | date) -> str:
    """The ``YYYY-MM`` a moment (London clock) or a calendar day falls in."""
    if isinstance(moment, datetime):
        moment = london(moment)
    return f"{moment.year:04d}-{moment.month:02d}"


def london(moment: datetime) -> datetime:
    """A moment on the London clock, for its month and day (naive means UTC, as SQLite stores).

    London is UTC or UTC+1: unless the next hour starts another UTC day, the London date is
    the UTC date, and the time zone database (the costly part, called for every row the
    projection counts) is not consulted.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    elif moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    if moment.hour < 23:
        return moment
    return moment.astimezone(LONDON)


@dataclass(frozen=True)
class Period:
    """A reporting period: consecutive months with a label such as 2025-03, 2025-Q1 or 2025."""

    label: str
    first: Month
    last: Month

    @cached_property  # read per site and per metric by a summary: worked out once
    def months(self) -> tuple[str, ...]:
        """Every ``YYYY-MM`` in the period."""
        count = self.last.index - self.first.index + 1
        return tuple(self.first.shift(n).label for n in range(count))

    @property
    def start(self) -> datetime:
        """When the period starts (UTC)."""
        return self.first.start()

    @property
    def end(self) -> datetime:
        """When the next period starts (UTC, exclusive)."""
        return self.last.shift(1).start()

    @cached_property
    def days(self) -> int:
        """Calendar days in the period."""
        following = self.last.shift(1)
        first_day = date(self.first.year, self.first.month, 1)
        return (date(following.year, following.month, 1) - first_day).days

    def contains(self, moment: datetime | None) -> bool:
        """True when ``moment`` falls in the period (None never does)."""
        return moment is not None and self.first.label <= month_of(moment) <= self.last.label


def period_of(month: Month, granularity: Granularity) -> Period:
    """The period of ``granularity`` that ``month`` belongs to."""
    if granularity is Granularity.MONTH:
        return Period(month.label, month, month)
    if granularity is Granularity.QUARTER:
        quarter = (month.month - 1) // 3
        first = Month(month.year, quarter * 3 + 1)
        return Period(f"{month.year:04d}-Q{quarter + 1}", first, first.shift(2))
    return Period(f"{month.year:04d}", Month(month.year, 1), Month(month.year, 12))


def previous_period(period: Period, granularity: Granularity) -> Period:
    """The period just before ``period``."""
    return period_of(period.first.shift(-1), granularity)


def periods_between(first: str, last: str, granularity: Granularity) -> list[Period]:
    """The periods covering months ``first`` to ``last`` (widened to whole periods)."""
    start, end = Month.parse(first), Month.parse(last)
    if end < start:
        raise PeriodError(f"'to' ({last}) is before 'from' ({first})")
    periods = [period_of(start, granularity)]
    while periods[-1].last < end:
        periods.append(period_of(periods[-1].last.shift(1), granularity))
        if len(periods) > MAX_PERIODS:
            raise PeriodError(f"at most {MAX_PERIODS} periods per request")
    return periods


DEFAULT_PERIODS = {
    Granularity.MONTH: (12, 1),
    Granularity.QUARTER: (4, 3),
    Granularity.YEAR: (3, 12),
}


def resolve_range(
    first: str | None, last: str | None, granularity: Granularity, today: date
) -> list[Period]:
    """Periods for optional ``from``/``to`` months.

    ``to`` defaults to this month; ``from`` to 12 months, 4 quarters or 3 years ending with it.
    """
    last = last or Month(today.year, today.month).label
    if first is None:
        count, size = DEFAULT_PERIODS[granularity]
        final = period_of(Month.parse(last), granularity)
        first = final.first.shift(-(count - 1) * size).label
    return periods_between(first, last, granularity)
