"""What to generate (the scenario's configuration) and the story the data should tell.

The story is what an analyst (or LearnLoop) should be able to find in the output: falls
hotspots where actions worked and where they did not, a theme rising across one region, and
sites that notify CQC late. The story is recorded in the ground truth, never in the events.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

from learnloop.generator.calibration import COMPLAINTS_UPHELD
from learnloop.generator.chance import one_of, stream
from learnloop.generator.provider import Provider, Site, SiteKind
from shared.events import AuditType, IncidentCategory

HOTSPOT_FALLS = 1.4
"""Falls multiplier at the sites whose falls prompted improvement actions."""
IMPROVED_FALLS = 0.8
"""Falls multiplier once the actions at an improving site have taken effect."""
RISE_PER_MONTH, RISE_CAP = 0.2, 2.4


@dataclass(frozen=True)
class ScenarioConfig:
    """How big the provider is, which months to cover and how the story unfolds.

    Months are calendar months from the month of ``start`` (its day is ignored). Month numbers
    in the story (``improvement_from_month``, ``rising_theme_from_month``) count from 0.
    """

    seed: int = 42
    sites: int = 40
    regions: int = 5
    start: date = date(2025, 1, 1)
    months: int = 12
    scale: float = 1.0
    provider_id: str = "demo-care-group"
    improvement_from_month: int = 6
    improvement_site_share: float = 0.2
    rising_theme_category: IncidentCategory = IncidentCategory.MEDICATION
    rising_theme_from_month: int = 6
    late_notifier_share: float = 0.1
    late_notification_rate: float = 0.05
    late_notifier_rate: float = 0.5
    complaints_upheld_rate: float = COMPLAINTS_UPHELD
    redaction_probe_rate: float = 0.01

    def __post_init__(self) -> None:
        if self.sites < 1 or self.months < 1:
            raise ValueError("sites and months must be at least 1")
        if not 1 <= self.regions <= self.sites:
            raise ValueError("regions must be between 1 and the number of sites")
        if self.scale <= 0:
            raise ValueError("scale must be positive")

    def month_bounds(self, index: int) -> tuple[datetime, datetime]:
        """Start (inclusive) and end (exclusive) of month ``index`` as UTC datetimes."""
        months = self.start.year * 12 + self.start.month - 1 + index
        following = months + 1
        return (
            datetime(months // 12, months % 12 + 1, 1, tzinfo=UTC),
            datetime(following // 12, following % 12 + 1, 1, tzinfo=UTC),
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form of the configuration."""
        values = asdict(self)
        values["start"] = self.start.isoformat()
        values["rising_theme_category"] = self.rising_theme_category.value
        return values


@dataclass(frozen=True)
class Story:
    """Which sites and region carry the scenario's story, and the multipliers it implies."""

    improving_sites: tuple[str, ...]
    stalled_sites: tuple[str, ...]
    improvement_from_month: int
    rising_region: str
    rising_category: IncidentCategory
    rising_from_month: int
    late_notifier_sites: tuple[str, ...]

    def incident_multiplier(self, site: Site, category: IncidentCategory, month: int) -> float:
        """How much more (or less) often ``category`` happens at ``site`` in month ``month``."""
        factor = 1.0
        if category is IncidentCategory.FALL and site.site_id in self.stalled_sites:
            factor = HOTSPOT_FALLS
        elif category is IncidentCategory.FALL and site.site_id in self.improving_sites:
            months_of_effect = month - self.improvement_from_month + 1
            factor = max(IMPROVED_FALLS, HOTSPOT_FALLS - 0.2 * max(0, months_of_effect))
        if category is self.rising_category and site.region_id == self.rising_region:
            months_rising = month - self.rising_from_month + 1
            factor *= min(RISE_CAP, 1 + RISE_PER_MONTH * max(0, months_rising))
        return factor

    def audit_compliance_shift(self, site: Site, audit_type: AuditType, month: int) -> float:
        """Change to the chance of a 'yes' answer that the story implies for this audit."""
        if (
            audit_type is AuditType.MEDICATION
            and site.region_id == self.rising_region
            and month >= self.rising_from_month
        ):
            return -0.12
        if (
            audit_type is AuditType.FALLS_AND_INCIDENTS
            and site.site_id in self.improving_sites
            and month >= self.improvement_from_month
        ):
            return 0.08
        return 0.0

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form of the story."""
        values = asdict(self) | {"rising_category": self.rising_category.value}
        return {key: list(v) if isinstance(v, tuple) else v for key, v in values.items()}


def plan_story(config: ScenarioConfig, provider: Provider) -> Story:
    """Choose, deterministically from the seed, the sites and region that carry the story."""
    rng = stream(config.seed, "story")
    care_homes = [site.site_id for site in provider.sites if site.kind is SiteKind.CARE_HOME]
    hotspots = max(1, round(len(care_homes) * config.improvement_site_share)) if care_homes else 0
    chosen = rng.sample(care_homes, min(len(care_homes), 2 * hotspots))
    everyone = [site.site_id for site in provider.sites]
    late = rng.sample(everyone, max(1, round(len(everyone) * config.late_notifier_share)))
    return Story(
        improving_sites=tuple(sorted(chosen[:hotspots])),
        stalled_sites=tuple(sorted(chosen[hotspots:])),
        improvement_from_month=config.improvement_from_month,
        rising_region=one_of(rng, provider.region_ids),
        rising_category=config.rising_theme_category,
        rising_from_month=config.rising_theme_from_month,
        late_notifier_sites=tuple(sorted(late)),
    )
