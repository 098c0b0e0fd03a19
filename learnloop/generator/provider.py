"""A synthetic multi-site care provider: regions of care homes, homecare branches and services.

Sites carry their size (beds and occupancy, or care hours per week, or tenancies) so that
incident rates per occupied bed or per 1,000 care hours can be worked out from the output.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from enum import StrEnum

REGION_NAMES = ("north", "south", "east", "west", "midlands", "london", "south-west", "north-east")
SITE_NAME_WORDS = (
    "Rosewood", "Ashgrove", "Willow", "Beacon", "Heather", "Elm", "Kingfisher", "Orchard",
    "Maple", "Hawthorn", "Riverside", "Linden", "Meadow", "Oakleigh", "Birch", "Lavender",
)  # fmt: skip
KIND_SUFFIXES = {"care_home": "House", "homecare": "Homecare", "supported_living": "Court"}
KIND_SHARES = (("care_home", 0.6), ("homecare", 0.25))
"""Share of sites per kind; supported living takes the rest."""


class SiteKind(StrEnum):
    """What kind of service a site runs."""

    CARE_HOME = "care_home"
    HOMECARE = "homecare"
    SUPPORTED_LIVING = "supported_living"


@dataclass(frozen=True)
class Site:
    """One registered location of the provider and how big it is."""

    site_id: str
    number: int
    name: str
    kind: SiteKind
    region_id: str
    beds: int = 0
    occupancy: float = 0.0
    nursing: bool = False
    care_hours_per_week: int = 0
    tenancies: int = 0
    incident_propensity: float = 1.0
    audit_compliance: float = 0.9

    @property
    def occupied_beds(self) -> float:
        """Average occupied beds (care homes only; 0 otherwise)."""
        return self.beds * self.occupancy

    @property
    def care_hours_per_month(self) -> float:
        """Average care hours delivered per month (homecare and supported living)."""
        return self.care_hours_per_week * 52 / 12

    @property
    def people_supported(self) -> int:
        """How many people the site supports on an average day."""
        if self.kind is SiteKind.CARE_HOME:
            return max(1, round(self.occupied_beds))
        if self.kind is SiteKind.HOMECARE:
            return max(1, self.care_hours_per_week // 12)
        return self.tenancies

    def to_dict(self) -> dict[str, object]:
        """JSON-ready description of the site."""
        return {key: value for key, value in asdict(self).items() if key != "number"}


@dataclass(frozen=True)
class Provider:
    """The provider: its regions and sites."""

    provider_id: str
    region_ids: tuple[str, ...]
    sites: tuple[Site, ...]

    def sites_in(self, region_id: str) -> list[Site]:
        """The sites of one region, in site-id order."""
        return [site for site in self.sites if site.region_id == region_id]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready description of the provider."""
        return {
            "provider_id": self.provider_id,
            "region_ids": list(self.region_ids),
            "sites": [site.to_dict() for site in self.sites],
        }


def region_ids(count: int) -> tuple[str, ...]:
    """Region slugs such as ``region-north``; numbered beyond the named regions."""
    named = [f"region-{name}" for name in REGION_NAMES]
    return tuple(named[i] if i < len(named) else f"region-{i + 1:02d}" for i in range(count))


def build_provider(*, seed: int, sites: int, regions: int, provider_id: str) -> Provider:
    """Build a deterministic provider of ``sites`` sites spread evenly over ``regions`` regions."""
    rng = random.Random(f"{seed}/provider")
    kinds = _site_kinds(sites, rng)
    regions_ = region_ids(regions)
    built = tuple(
        _site(number, kind, regions_[(number - 1) % regions], rng)
        for number, kind in enumerate(kinds, start=1)
    )
    return Provider(provider_id=provider_id, region_ids=regions_, sites=built)


def _site_kinds(count: int, rng: random.Random) -> list[SiteKind]:
    kinds: list[SiteKind] = []
    for kind, share in KIND_SHARES:
        kinds += [SiteKind(kind)] * max(1 if count >= 3 else 0, round(count * share))
    kinds = kinds[:count]
    kinds += [SiteKind.SUPPORTED_LIVING] * (count - len(kinds))
    rng.shuffle(kinds)
    return kinds


def _site(number: int, kind: SiteKind, region_id: str, rng: random.Random) -> Site:
    word = SITE_NAME_WORDS[(number - 1) % len(SITE_NAME_WORDS)]
    name = f"{word} {KIND_SUFFIXES[kind]}"
    if number > len(SITE_NAME_WORDS):
        name += f" {(number - 1) // len(SITE_NAME_WORDS) + 1}"
    beds, occupancy, nursing, hours, tenancies = 0, 0.0, False, 0, 0
    if kind is SiteKind.CARE_HOME:
        beds, occupancy = rng.randrange(30, 91), round(rng.uniform(0.85, 0.95), 3)
        nursing = rng.random() < 0.4
    elif kind is SiteKind.HOMECARE:
        hours = rng.randrange(1500, 4001, 50)
    else:
        tenancies = rng.randrange(6, 25)
        hours = tenancies * rng.randrange(20, 41)
    return Site(
        site_id=f"site-{number:03d}",
        number=number,
        name=name,
        kind=kind,
        region_id=region_id,
        beds=beds,
        occupancy=occupancy,
        nursing=nursing,
        care_hours_per_week=hours,
        tenancies=tenancies,
        incident_propensity=round(rng.uniform(0.7, 1.3), 3),
        audit_compliance=round(rng.uniform(0.82, 0.97), 3),
    )
