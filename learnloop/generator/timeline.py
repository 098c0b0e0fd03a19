"""Running the scenario month by month and emitting fact events in time order.

Only one month of drafts is held at a time, so memory stays small however long the scenario.
Every site-month draws from its own seeded stream, so output is reproducible byte for byte.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import datetime

from learnloop.generator.audit_programme import is_due, programme
from learnloop.generator.audits import draft_audit
from learnloop.generator.calibration import (
    COMPLAINTS_PER_MONTH,
    FEEDBACK_PER_MONTH,
    INCIDENT_MIX,
    INCIDENTS_PER_1000_CARE_HOURS,
    INCIDENTS_PER_OCCUPIED_BED_MONTH,
    INCIDENTS_PER_TENANCY_MONTH,
    SEASON,
)
from learnloop.generator.chance import poisson, stream
from learnloop.generator.complaints import draft_complaint
from learnloop.generator.events import Draft, EventNumbering, TruthNote
from learnloop.generator.feedback import draft_feedback
from learnloop.generator.ground_truth import GroundTruth
from learnloop.generator.incidents import draft_incident
from learnloop.generator.provider import Provider, Site, SiteKind, build_provider
from learnloop.generator.resolutions import resolution_for
from learnloop.generator.scenario import ScenarioConfig, Story, plan_story
from shared.events import AnyFactEvent, ComplaintReceived, ComplaintResolved, IncidentCategory


def provider_for(config: ScenarioConfig) -> Provider:
    """The provider that ``config`` describes (the same one :func:`generate` uses)."""
    return build_provider(
        seed=config.seed, sites=config.sites, regions=config.regions, provider_id=config.provider_id
    )


def generate(config: ScenarioConfig, truth: GroundTruth | None = None) -> Iterator[AnyFactEvent]:
    """Yield the scenario's fact events lazily, ordered by event time.

    When ``truth`` is given, every yielded event is also counted in it, so a caller can stream
    events to a file and still get the ground truth at the end.
    """
    provider = provider_for(config)
    story = plan_story(config, provider)
    if truth is not None:
        truth.scenario = {
            "config": config.to_dict(),
            "provider": provider.to_dict(),
            "story": story.to_dict(),
        }
    numbering = EventNumbering(config.seed)
    # Complaint outcomes fall due days after their complaint, often in a later month.
    pending: list[tuple[datetime, int, ComplaintResolved]] = []
    for month in range(config.months):
        month_end = config.month_bounds(month)[1]
        drafts = [
            draft for site in provider.sites for draft in _site_month(config, story, site, month)
        ]
        drafts.sort(key=lambda draft: (draft.time, draft.site.number))  # stable: ties keep order
        emitted: list[tuple[datetime, int, AnyFactEvent, TruthNote]] = []
        for draft in drafts:
            event = numbering.envelope(draft, provider)
            emitted.append((event.time, len(emitted), event, draft.note))
            if isinstance(event, ComplaintReceived):
                answer = resolution_for(event, bool(draft.note.complaint_upheld))
                heapq.heappush(pending, (answer.time, numbering.emitted, answer))
        while pending and pending[0][0] < month_end:
            at, _, answer = heapq.heappop(pending)
            emitted.append((at, len(emitted), answer, TruthNote()))
        emitted.sort(key=lambda item: (item[0], item[1]))
        for _, _, event, note in emitted:
            if truth is not None:
                truth.record(event, note)
            yield event


def generate_with_truth(config: ScenarioConfig) -> tuple[list[AnyFactEvent], GroundTruth]:
    """All of the scenario's events, in time order, with their ground truth."""
    truth = GroundTruth()
    events = list(generate(config, truth))
    return events, truth


def expected_incidents_per_month(site: Site) -> float:
    """A site's baseline incident volume, before scale, season and story."""
    if site.kind is SiteKind.CARE_HOME:
        volume = site.occupied_beds * INCIDENTS_PER_OCCUPIED_BED_MONTH
    elif site.kind is SiteKind.HOMECARE:
        volume = site.care_hours_per_month / 1000 * INCIDENTS_PER_1000_CARE_HOURS
    else:
        volume = site.tenancies * INCIDENTS_PER_TENANCY_MONTH
    return volume * site.incident_propensity


def _site_month(config: ScenarioConfig, story: Story, site: Site, month: int) -> Iterator[Draft]:
    rng = stream(config.seed, site.site_id, month)
    bounds = config.month_bounds(month)
    calendar_month = bounds[0].month
    baseline = expected_incidents_per_month(site) * config.scale
    for name, share in INCIDENT_MIX[site.kind].items():
        category = IncidentCategory(name)
        season = SEASON[category][calendar_month - 1] if category in SEASON else 1.0
        mean = baseline * share * season * story.incident_multiplier(site, category, month)
        for _ in range(poisson(rng, mean)):
            yield draft_incident(rng, site, category, bounds, config, story)
    for _ in range(poisson(rng, COMPLAINTS_PER_MONTH[site.kind] * config.scale)):
        yield draft_complaint(rng, site, bounds, config)
    for _ in range(poisson(rng, FEEDBACK_PER_MONTH[site.kind] * config.scale)):
        yield draft_feedback(rng, site, bounds, config)
    for tool in programme(site):
        if is_due(tool, month, site):
            yield draft_audit(rng, site, tool, month, config, story)
