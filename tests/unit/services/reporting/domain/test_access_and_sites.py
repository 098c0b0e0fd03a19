"""Key scopes narrow reads; site sizes give incident rates only when known."""

from __future__ import annotations

import pytest

from services.reporting.domain.access import AccessDenied, ReadFilter, Scope
from services.reporting.domain.periods import Granularity, Month, period_of
from services.reporting.domain.sites import SitesFile, SiteSize, incident_rate

QUARTER = period_of(Month(2025, 1), Granularity.QUARTER)  # 90 days


def test_a_site_key_reads_only_its_sites() -> None:
    scope = Scope("harbour-care", frozenset({"rosewood-house"}))
    assert scope.narrow() == ReadFilter("harbour-care", frozenset({"rosewood-house"}))
    assert scope.narrow(region="north-west").region == "north-west"
    with pytest.raises(AccessDenied):
        scope.narrow(site="elm-court")


def test_a_provider_key_reads_every_site_or_one() -> None:
    scope = Scope("harbour-care", None)
    assert scope.narrow().sites is None
    assert scope.narrow(site="elm-court").sites == frozenset({"elm-court"})


def test_rates_per_occupied_bed_days_or_care_hours() -> None:
    home = SiteSize(site_id="rosewood-house", region="north-west", kind="care_home",
                    occupied_beds=40)  # fmt: skip
    branch = SiteSize(site_id="oak-lodge", region="north-east", kind="homecare",
                      care_hours_per_month=2000)  # fmt: skip
    assert incident_rate("rosewood-house", 4, home, QUARTER).rate_per_1000 == 1.111
    assert incident_rate("oak-lodge", 3, branch, QUARTER).rate_per_1000 == 0.5
    unknown = incident_rate("elm-court", 2, None, QUARTER)
    assert (unknown.rate_per_1000, unknown.unit) == (None, None)


def test_sites_file_lists_each_site_once() -> None:
    entry = {"site_id": "a", "region": "r", "kind": "care_home"}
    with pytest.raises(ValueError, match="twice"):
        SitesFile.model_validate([entry, entry])
