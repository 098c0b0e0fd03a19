"""Site sizes, and incident rates per 1,000 occupied bed days or per 1,000 care hours.

Care homes are measured in occupied bed days (occupied beds x days in the period); homecare and
supported living in care hours delivered (hours per month x months). A site whose size is not
known has no rate (null), never a guessed one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

from services.reporting.domain.periods import Period
from shared.events.types import Slug

RateUnit = Literal["occupied_bed_days", "care_hours"]


class SiteSize(BaseModel):
    """One entry of the sites file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    site_id: Slug
    region: Slug
    kind: str = Field(min_length=1, max_length=63, description="care_home, homecare, ...")
    provider_id: Slug | None = Field(None, description="Set when several providers share a file.")
    beds: int | None = Field(None, ge=0)
    occupied_beds: float | None = Field(None, ge=0, description="Average occupied beds.")
    care_hours_per_month: float | None = Field(None, ge=0)


class SitesFile(RootModel[list[SiteSize]]):
    """The sites file: a JSON list of site sizes, each site once."""

    @model_validator(mode="after")
    def _each_site_once(self) -> SitesFile:
        seen: set[str] = set()
        for site in self.root:
            if site.site_id in seen:
                raise ValueError(f"site {site.site_id!r} is listed twice")
            seen.add(site.site_id)
        return self


@dataclass(frozen=True)
class IncidentRate:
    """Incidents at one site in a period, and the rate when the site's size is known."""

    site_id: str
    incidents: int
    exposure: float | None
    unit: RateUnit | None
    rate_per_1000: float | None


def incident_rate(
    site_id: str, incidents: int, size: SiteSize | None, period: Period
) -> IncidentRate:
    """The rate per 1,000 occupied bed days (beds known) or care hours (hours known)."""
    exposure: float | None = None
    unit: RateUnit | None = None
    if size is not None and size.occupied_beds:
        exposure, unit = size.occupied_beds * period.days, "occupied_bed_days"
    elif size is not None and size.care_hours_per_month:
        exposure, unit = size.care_hours_per_month * len(period.months), "care_hours"
    rate = round(incidents * 1000 / exposure, 3) if exposure else None
    return IncidentRate(site_id, incidents, exposure, unit, rate)
