"""The dashboard's filters as read from its GET form (empty fields mean "any")."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from services.reporting.api.deps import NUL
from services.reporting.api.errors import ApiError
from services.reporting.domain.periods import Granularity


def blank_to_none(value: str | None) -> str | None:
    """An empty or whitespace-only form field is no filter."""
    return value.strip() or None if value is not None else None


@dataclass(frozen=True)
class Filters:
    """Period granularity and range, and a region or site."""

    granularity: Granularity = Granularity.MONTH
    first: str | None = None  # YYYY-MM
    last: str | None = None
    region: str | None = None
    site: str | None = None

    @classmethod
    def parse(
        cls, granularity: str | None, first: str | None, last: str | None, region: str | None,
        site: str | None,
    ) -> Filters:  # fmt: skip
        """From the raw form fields; 422 for an unknown granularity or a NUL character (months
        are checked when the range is resolved, as the API does)."""
        if any(NUL in field for field in (granularity, first, last, region, site) if field):
            raise ApiError(422, "invalid_parameter", "the filters may not contain NUL characters")
        text = blank_to_none(granularity) or Granularity.MONTH.value
        try:
            chosen = Granularity(text)
        except ValueError as exc:
            raise ApiError(422, "invalid_granularity", "period must be month, quarter or year"
                           ) from exc  # fmt: skip
        return cls(chosen, blank_to_none(first), blank_to_none(last), blank_to_none(region),
                   blank_to_none(site))  # fmt: skip

    def query(self) -> str:
        """The filters as a query string (only those set)."""
        fields = {"granularity": self.granularity.value, "from": self.first, "to": self.last,
                  "region": self.region, "site": self.site}  # fmt: skip
        return urlencode({name: value for name, value in fields.items() if value})
