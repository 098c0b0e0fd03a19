"""What a fact adds to the read models: when it happened, where, and which counts it moves.

Every count is an integer (audit scores in millionths, ratings as whole stars), so totals are
exact and identical whatever the order or batching in which events are projected - a rebuild
yields the same numbers to the last digit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.reporting.domain.periods import month_of
from shared.events import (
    AnyFactEvent,
    AuditCompleted,
    ComplaintReceived,
    ComplaintResolved,
    FeedbackKind,
    IncidentReported,
)
from shared.events.fact_time import fact_time

INCIDENTS = "incidents"
INCIDENT_CATEGORY = "incidents.category"
INCIDENT_PHYSICAL_HARM = "incidents.physical_harm"
INCIDENT_PSYCHOLOGICAL_HARM = "incidents.psychological_harm"
COMPLAINTS = "complaints"
COMPLAINT_CATEGORY = "complaints.category"
COMPLAINT_SEVERITY = "complaints.severity"
COMPLAINT_OUTCOME = "complaints.outcome"  # dimension: upheld, partly_upheld, not_upheld...
AUDITS = "audits"
AUDIT_TYPE = "audits.type"
AUDIT_SCORED = "audits.scored"  # count: scored audits, total: sum of scores in millionths
AUDIT_FAILED_ITEMS = "audits.failed_items"
FEEDBACK = "feedback"
FEEDBACK_KIND = "feedback.kind"
FEEDBACK_RATING = "feedback.rating"  # count: rated, total: sum of stars
FEEDBACK_COMPLIMENTS = "feedback.compliments"
OUTCOMES = "outcomes"
SCORE_SCALE = 1_000_000
COMPLIMENT_KINDS = frozenset({FeedbackKind.COMPLIMENT, FeedbackKind.GOOD_PRACTICE})
FACT_KINDS = {
    "incident.reported": "incident",
    "complaint.received": "complaint",
    "audit.completed": "audit",
    "feedback.received": "feedback",
}


def theme_metric(source_event_type: str) -> str:
    """The cube metric counting theme links of facts of ``source_event_type``."""
    return f"themes.{FACT_KINDS.get(source_event_type, 'other')}"


THEME_METRICS = tuple(theme_metric(event_type) for event_type in FACT_KINDS)


@dataclass(frozen=True)
class Delta:
    """An increment of one cube cell: ``count`` things, adding up to ``total``."""

    metric: str
    dimension: str = ""
    count: int = 1
    total: int = 0


@dataclass(frozen=True)
class FactEntry:
    """A fact as the reporting service keeps it: placement, a few details, its deltas."""

    event_id: str
    event_type: str
    provider_id: str
    region: str
    site_id: str
    occurred_at: datetime
    month: str
    detail: str  # incident/complaint category, audit type, feedback kind
    physical_harm: str | None
    score_ppm: int | None
    deltas: tuple[Delta, ...]


def fact_entry(event: AnyFactEvent) -> FactEntry:
    """The facts-index row and the cube deltas of one fact."""
    harm: str | None = None
    score: int | None = None
    if isinstance(event, IncidentReported):
        detail, harm = event.data.category.value, event.data.physical_harm.value
        deltas = [
            Delta(INCIDENTS),
            Delta(INCIDENT_CATEGORY, detail),
            Delta(INCIDENT_PHYSICAL_HARM, harm),
            Delta(INCIDENT_PSYCHOLOGICAL_HARM, event.data.psychological_harm.value),
        ]
    elif isinstance(event, ComplaintReceived):
        detail = event.data.category.value
        deltas = [
            Delta(COMPLAINTS),
            Delta(COMPLAINT_CATEGORY, detail),
            Delta(COMPLAINT_SEVERITY, event.data.severity.value),
        ]
    elif isinstance(event, ComplaintResolved):
        detail = event.data.outcome.value
        deltas = [Delta(COMPLAINT_OUTCOME, detail)]
    elif isinstance(event, AuditCompleted):
        detail = event.data.audit_type.value
        deltas = [Delta(AUDITS), Delta(AUDIT_TYPE, detail)]
        if event.data.score is not None:
            score = round(event.data.score * SCORE_SCALE)
            deltas.append(Delta(AUDIT_SCORED, detail, 1, score))
        failed = len(event.data.failed_items)
        if failed:
            deltas.append(Delta(AUDIT_FAILED_ITEMS, detail, failed))
    else:
        detail = event.data.kind.value
        deltas = [Delta(FEEDBACK), Delta(FEEDBACK_KIND, detail)]
        if event.data.rating is not None:
            deltas.append(Delta(FEEDBACK_RATING, "", 1, event.data.rating))
        if event.data.kind in COMPLIMENT_KINDS:
            deltas.append(Delta(FEEDBACK_COMPLIMENTS))
    at = fact_time(event)
    return FactEntry(
        event_id=event.id, event_type=event.type, provider_id=event.providerid,
        region=event.region, site_id=event.siteid, occurred_at=at, month=month_of(at),
        detail=detail, physical_harm=harm, score_ppm=score, deltas=tuple(deltas),
    )  # fmt: skip
