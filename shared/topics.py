"""The topic registry: one topic per fact type, derived topics, and their dead-letter topics.

Every record is keyed by site id, so one site's events stay in order on one partition.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

DEAD_LETTER_SUFFIX = ".dlq"
DAY_MS = 24 * 60 * 60 * 1000


class TopicKind(StrEnum):
    """What a topic carries."""

    FACT = "fact"
    DERIVED = "derived"
    DEAD_LETTER = "dead_letter"


@dataclass(frozen=True)
class Topic:
    """A topic's name (without the deployment prefix) and how it is provisioned."""

    name: str
    kind: TopicKind
    event_types: tuple[str, ...]
    partitions: int = 6
    retention_ms: int = -1  # facts are the system of record: kept for replay and rebuilds
    description: str = ""

    def full_name(self, prefix: str = "learnloop") -> str:
        """The topic name on the broker, e.g. ``learnloop.incidents.v1``."""
        return f"{prefix}.{self.name}"

    def dead_letter(self) -> Topic:
        """The topic where messages from this one that cannot be processed are parked."""
        return Topic(
            name=self.name + DEAD_LETTER_SUFFIX,
            kind=TopicKind.DEAD_LETTER,
            event_types=(),
            partitions=self.partitions,
            retention_ms=30 * DAY_MS,
            description=f"Messages from {self.name} that could not be processed, with the reason.",
        )


INCIDENTS = Topic("incidents.v1", TopicKind.FACT, ("incident.reported",),
                  description="Incidents reported by staff apps and other systems.")  # fmt: skip
COMPLAINTS = Topic("complaints.v1", TopicKind.FACT, ("complaint.received", "complaint.resolved"),
                   description="Complaints received, and their outcomes.")  # fmt: skip
AUDITS = Topic("audits.v1", TopicKind.FACT, ("audit.completed",),
               description="Completed audits with scored items.")  # fmt: skip
FEEDBACK = Topic("feedback.v1", TopicKind.FACT, ("feedback.received",),
                 description="Compliments, concerns, suggestions and good practice.")  # fmt: skip

FACT_TOPICS: tuple[Topic, ...] = (INCIDENTS, COMPLAINTS, AUDITS, FEEDBACK)
DERIVED_TOPICS: tuple[Topic, ...] = (
    Topic("themes.v1", TopicKind.DERIVED, ("theme.linked",),
          description="Themes linked to events by the learning service."),
    Topic("obligations.v1", TopicKind.DERIVED,
          ("obligation.flagged", "obligation.met", "obligation.overdue"),
          description="Statutory and policy obligations with deadlines."),
    Topic("actions.v1", TopicKind.DERIVED,
          ("action.opened", "action.linked", "action.updated", "action.reviewed",
           "action.escalated"),
          description="Improvement actions opened, extended, escalated and reviewed."),
    Topic("alerts.v1", TopicKind.DERIVED, ("alert.raised",),
          description="Cross-site learning alerts."),
    Topic("lessons.v1", TopicKind.DERIVED, ("lesson.shared",),
          description="Lessons learned: completed actions judged effective, shared provider-wide."),
    Topic("outcomes.v1", TopicKind.DERIVED, ("outcome.published",),
          description="'You said, we did': outcomes for the people who reported events."),
)  # fmt: skip


def all_topics() -> tuple[Topic, ...]:
    """Every topic LearnLoop uses, dead-letter topics included."""
    primary = FACT_TOPICS + DERIVED_TOPICS
    return primary + tuple(topic.dead_letter() for topic in primary)


def topic_for_event_type(event_type: str) -> Topic:
    """The topic an event of ``event_type`` is published to."""
    for topic in FACT_TOPICS + DERIVED_TOPICS:
        if event_type in topic.event_types:
            return topic
    raise KeyError(f"no topic carries events of type {event_type!r}")
