"""The period a board pack covers: a month (2025-11), a quarter (2025-Q4) or a year (2025)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.reporting.api.deps import EARLIEST_MONTH, LATEST_MONTH
from services.reporting.domain.periods import (
    DEFAULT_PERIODS,
    Granularity,
    Month,
    Period,
    PeriodError,
    period_of,
)

PACK_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$")


@dataclass(frozen=True)
class PackPeriod:
    """The pack's period and the earlier periods its trend charts show."""

    granularity: Granularity
    period: Period

    @property
    def trend_from(self) -> str:
        """The first month of the trend: 12 months, 4 quarters or 3 years ending with it."""
        count, size = DEFAULT_PERIODS[self.granularity]
        return self.period.first.shift(-(count - 1) * size).label

    @property
    def trend_to(self) -> str:
        """The pack period's last month."""
        return self.period.last.label


def parse_pack_period(text: str) -> PackPeriod:
    """``2025-11``, ``2025-Q4`` or ``2025``; raises PeriodError otherwise."""
    found = PACK_PERIOD.match(text.strip())
    if found is None:
        raise PeriodError(f"expected a period as YYYY-MM, YYYY-Qn or YYYY, got {text!r}")
    year, month, quarter = found.groups()
    if not EARLIEST_MONTH.year <= int(year) <= LATEST_MONTH.year:
        raise PeriodError(
            f"the year must lie between {EARLIEST_MONTH.year} and {LATEST_MONTH.year}"
        )
    if month is not None:
        granularity, first = Granularity.MONTH, Month(int(year), int(month))
    elif quarter is not None:
        granularity, first = Granularity.QUARTER, Month(int(year), 3 * int(quarter) - 2)
    else:
        granularity, first = Granularity.YEAR, Month(int(year), 1)
    return PackPeriod(granularity, period_of(first, granularity))
