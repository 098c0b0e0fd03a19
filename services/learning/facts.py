"""A fact's classification and score as the learning service stores them."""

from __future__ import annotations

from shared.events import (
    AnyFactEvent,
    AuditCompleted,
    ComplaintReceived,
    ComplaintResolved,
    IncidentReported,
)


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
