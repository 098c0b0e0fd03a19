"""A generated scenario bundled with its configuration, provider and ground truth."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from learnloop.generator import GroundTruth, Provider, ScenarioConfig, generate_with_truth
from learnloop.generator.timeline import provider_for
from shared.events import AnyFactEvent, IncidentCategory, IncidentReported


@dataclass(frozen=True)
class Run:
    """A generated scenario and what is needed to check it."""

    config: ScenarioConfig
    provider: Provider
    events: list[AnyFactEvent]
    truth: GroundTruth

    @property
    def incidents(self) -> list[IncidentReported]:
        """The incident events only."""
        return [event for event in self.events if isinstance(event, IncidentReported)]

    def monthly(self, category: IncidentCategory, site_ids: set[str]) -> list[int]:
        """Incidents of ``category`` at ``site_ids``, per month of the scenario."""
        first = self.config.month_bounds(0)[0]
        counts = Counter(
            (event.time.year - first.year) * 12 + event.time.month - first.month
            for event in self.incidents
            if event.data.category is category and event.siteid in site_ids
        )
        return [counts[month] for month in range(self.config.months)]


def run(config: ScenarioConfig) -> Run:
    """Generate ``config`` and bundle the result."""
    events, truth = generate_with_truth(config)
    return Run(config, provider_for(config), events, truth)
