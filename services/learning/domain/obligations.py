"""Statutory and policy obligations that an event makes due, with their deadlines.

An obligation is due when one of its kind's triggers matches the event's type and condition.
Its clock starts at the trigger's ``clock_starts`` field (for example when the incident was
reported, or when the complaint was received) and its deadline is counted on the rulebook's
working calendar (see :mod:`services.learning.domain.working_days` for the exact semantics).
"""

from dataclasses import dataclass
from datetime import date, datetime

from services.learning.domain.event_paths import Fact, values_at
from services.learning.domain.obligation_rules import ObligationKind, StatutoryStatus, Trigger
from services.learning.domain.rulebook import Rulebook
from services.learning.domain.working_days import due_at
from shared.events import AnyFactEvent


@dataclass(frozen=True)
class Obligation:
    """Something the provider must do about an event, by when, and why."""

    kind: str
    """The obligation kind's id, e.g. ``duty_of_candour``."""
    title: str
    statutory: StatutoryStatus
    due_at: datetime
    """When it falls due: an aware UTC datetime."""
    clock_started_at: datetime | date
    reasons: tuple[Fact, ...]
    """The event facts that made it due; empty when every event of the type makes it due."""
    event_id: str
    event_type: str
    provider_id: str
    site_id: str
    region: str


def obligations_for(event: AnyFactEvent, rulebook: Rulebook) -> list[Obligation]:
    """The obligations ``event`` makes due, in rulebook order, at most one of each kind."""
    found = []
    for kind, trigger in rulebook.triggers_for(event.type):
        obligation = _obligation(event, rulebook, kind, trigger)
        if obligation is not None:
            found.append(obligation)
    return found


def _obligation(
    event: AnyFactEvent, rulebook: Rulebook, kind: ObligationKind, trigger: Trigger
) -> Obligation | None:
    reasons = () if trigger.when is None else trigger.when.facts_for(event.data)
    if reasons is None:
        return None
    statutory = kind.statutory
    if trigger.statutory_when is not None:
        statutory_reasons = trigger.statutory_when.facts_for(event.data)
        if statutory_reasons is not None:
            statutory = StatutoryStatus.STATUTORY
            reasons = (*reasons, *statutory_reasons)
    start = _clock_start(event, trigger.clock_starts)
    deadline = kind.deadline
    return Obligation(
        kind=kind.id,
        title=kind.title,
        statutory=statutory,
        due_at=due_at(start, deadline.amount, deadline.unit, calendar=rulebook.calendar),
        clock_started_at=start,
        reasons=reasons,
        event_id=event.id,
        event_type=event.type,
        provider_id=event.providerid,
        site_id=event.siteid,
        region=event.region,
    )


def _clock_start(event: AnyFactEvent, path: str) -> datetime | date:
    for _, value in values_at(event.data, path):
        if isinstance(value, date):  # a datetime is a date too
            return value
    # The rulebook checked at load time that the field is a required date or datetime.
    raise ValueError(f"{event.type} {event.id}: no date at {path!r}")  # pragma: no cover
