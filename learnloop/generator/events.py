"""Wrapping drafted payloads into valid fact events: ids, subjects, sources and people refs.

Event ids are ``gen-<seed>-<n>``, numbered in the order events are emitted; subjects follow a
register's numbering, e.g. ``incidents/INC-2025-000318``, restarting each year.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from learnloop.generator.chance import chance
from learnloop.generator.provider import Provider, Site
from shared.events import (
    AnyFactEvent,
    Audit,
    AuditCompleted,
    Complaint,
    ComplaintReceived,
    Feedback,
    FeedbackReceived,
    Incident,
    IncidentReported,
)

Payload = Incident | Complaint | Audit | Feedback
REGISTERS: dict[type[Payload], tuple[str, str, str]] = {
    # payload -> (subject collection, register prefix, source application)
    Incident: ("incidents", "INC", "staff-app"),
    Complaint: ("complaints", "CMP", "complaints-inbox"),
    Audit: ("audits", "AUD", "audit-tool"),
    Feedback: ("feedback", "FB", "feedback-form"),
}
REPEAT_FALLER_SHARE = 0.1
"""A tenth of the people at a site account for a large part of its incidents."""


@dataclass(frozen=True)
class TruthNote:
    """What the generator knows about an event that the event itself does not say."""

    notification_delay_hours: float | None = None
    complaint_upheld: bool | None = None
    redaction_probe: tuple[str, str] | None = None
    """(field, kind) when a free-text field carries a fictional phone number or email."""


@dataclass(frozen=True)
class Draft:
    """A payload waiting for its envelope: emitted in ``time`` order, then numbered."""

    time: datetime
    site: Site
    payload: Payload
    note: TruthNote = field(default_factory=TruthNote)


@dataclass
class EventNumbering:
    """Hands out event ids and register numbers in emission order."""

    seed: int
    emitted: int = 0
    per_register: Counter[tuple[str, int]] = field(default_factory=Counter)

    def envelope(self, draft: Draft, provider: Provider) -> AnyFactEvent:
        """The fact event for ``draft``, with the next id and register number."""
        collection, prefix, application = REGISTERS[type(draft.payload)]
        self.emitted += 1
        year = draft.time.year
        self.per_register[prefix, year] += 1
        site = draft.site
        attributes = {
            "id": f"gen-{self.seed}-{self.emitted:07d}",
            "source": f"/providers/{provider.provider_id}/sites/{site.site_id}/{application}",
            "time": draft.time,
            "subject": f"{collection}/{prefix}-{year}-{self.per_register[prefix, year]:06d}",
            "providerid": provider.provider_id,
            "siteid": site.site_id,
            "region": site.region_id,
        }
        payload = draft.payload
        if isinstance(payload, Incident):
            return IncidentReported.model_validate(attributes | {"data": payload})
        if isinstance(payload, Complaint):
            return ComplaintReceived.model_validate(attributes | {"data": payload})
        if isinstance(payload, Audit):
            return AuditCompleted.model_validate(attributes | {"data": payload})
        return FeedbackReceived.model_validate(attributes | {"data": payload})


def person_ref(prefix: str, site: Site, number: int) -> str:
    """A pseudonymous reference such as ``SU-007-041``: unique per site, never a name."""
    return f"{prefix}-{site.number:03d}-{number:03d}"


def service_user(rng: random.Random, site: Site) -> str:
    """A person the site supports; a few 'repeat' people come up much more often."""
    people = site.people_supported
    frequent = max(1, round(people * REPEAT_FALLER_SHARE))
    number = rng.randrange(frequent) if chance(rng, 0.4) else rng.randrange(people)
    return person_ref("SU", site, number + 1)


def staff_member(rng: random.Random, site: Site) -> str:
    """A member of staff at the site."""
    return person_ref("ST", site, rng.randrange(site.people_supported + 10) + 1)


def moment(
    rng: random.Random, start: datetime, days: int, hour_weights: tuple[int, ...]
) -> datetime:
    """A time ``days`` days from ``start`` at most, in whole seconds, at a weighted hour."""
    hour = rng.choices(range(len(hour_weights)), weights=hour_weights)[0]
    return start + timedelta(
        days=rng.randrange(days), hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60)
    )
