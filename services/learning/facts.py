"""When a fact happened, for rolling windows (the event's own clock, so replays agree)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from shared.events import (
    AnyFactEvent,
    AuditCompleted,
    ComplaintReceived,
    ComplaintResolved,
    FeedbackReceived,
    IncidentReported,
)


def fact_time(event: AnyFactEvent) -> datetime:
    """Incidents: when they occurred; complaints and feedback: when received; audits: done."""
    if isinstance(event, IncidentReported):
        return event.data.occurred_at
    if isinstance(event, AuditCompleted):
        return event.data.completed_at
    if isinstance(event, FeedbackReceived):
        return event.data.received_at
    if isinstance(event, ComplaintResolved):
        return event.data.responded_at
    if isinstance(event, ComplaintReceived):
        received = event.data.received_at
        if isinstance(received, datetime):
            return received
        return _midday(received)
    return event.time


def _midday(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def fact_detail(event: AnyFactEvent) -> str:
    """The fact's main classification: incident or complaint category, complaint outcome,
    audit type, feedback kind."""
    if isinstance(event, IncidentReported | ComplaintReceived):
        return event.data.category.value
    if isinstance(event, AuditCompleted):
        return event.data.audit_type.value
    if isinstance(event, ComplaintResolved):
        return event.data.outcome.value
    return event.data.kind.value


def fact_score(event: AnyFactEvent) -> float | None:
    """An audit's score (Yes / (Yes + No)); None for other facts."""
    return event.data.score if isinstance(event, AuditCompleted) else None
