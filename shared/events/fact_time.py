"""When a fact happened: the one clock every service places facts by (windows, periods).

Incidents: when they occurred; complaints and feedback: when received; complaint outcomes: when
the response was sent; audits: when completed. A complaint received on a plain date is placed at
midday UTC that day, so it stays on that calendar day in Europe/London.
"""

from datetime import UTC, date, datetime, time

from shared.events.audit import AuditCompleted
from shared.events.complaint_outcome import ComplaintResolved
from shared.events.feedback import FeedbackReceived
from shared.events.incident import IncidentReported
from shared.events.registry import AnyFactEvent


def fact_time(event: AnyFactEvent) -> datetime:
    """The moment ``event``'s fact happened (aware, UTC)."""
    if isinstance(event, IncidentReported):
        return event.data.occurred_at
    if isinstance(event, AuditCompleted):
        return event.data.completed_at
    if isinstance(event, FeedbackReceived):
        return event.data.received_at
    if isinstance(event, ComplaintResolved):
        return event.data.responded_at
    received = event.data.received_at
    if isinstance(received, datetime):
        return received
    return midday(received)


def midday(day: date) -> datetime:
    """Noon UTC on ``day``."""
    return datetime.combine(day, time(12, 0), tzinfo=UTC)
