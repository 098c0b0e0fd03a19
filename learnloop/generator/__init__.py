"""A seedable, deterministic generator of a realistic multi-site care provider's fact events.

``generate(config)`` yields valid ``incident.reported``, ``complaint.received``,
``audit.completed`` and ``feedback.received`` events in time order; ``generate_with_truth``
also returns the ground truth that downstream services should find in them.
"""

from learnloop.generator.ground_truth import GroundTruth
from learnloop.generator.provider import Provider, Site, SiteKind, build_provider
from learnloop.generator.scenario import ScenarioConfig, Story, plan_story
from learnloop.generator.timeline import (
    expected_incidents_per_month,
    generate,
    generate_with_truth,
    provider_for,
)

__all__ = [
    "GroundTruth",
    "Provider",
    "ScenarioConfig",
    "Site",
    "SiteKind",
    "Story",
    "build_provider",
    "expected_incidents_per_month",
    "generate",
    "generate_with_truth",
    "plan_story",
    "provider_for",
]
