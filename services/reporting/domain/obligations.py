"""Statutory and policy obligations: their state, and met on time vs late per kind.

An obligation is placed in the period of its due date. Its state is decided at read time: met
(with on time or late), overdue (flagged overdue, or past due with no record of it being met) or
open (not yet due).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.reporting.domain.actions import share
from services.reporting.domain.periods import Period
from shared.events.derived import ObligationFlag, ObligationOutcome

COMPLAINT_ACKNOWLEDGEMENT = "complaint_acknowledgement"
COMPLAINT_RESPONSE = "complaint_response"


class ObligationState(StrEnum):
    """Where an obligation stands."""

    OPEN = "open"
    OVERDUE = "overdue"
    MET = "met"


@dataclass
class ObligationRecord:
    """One obligation's row, folded from flagged, met and overdue events in any order."""

    obligation_id: str
    provider_id: str
    region: str
    site_id: str
    kind: str
    due_at: datetime
    statutory: str | None = None
    source_event_id: str | None = None
    met_at: datetime | None = None
    on_time: bool | None = None
    flagged_overdue: bool = False

    def flagged(self, flag: ObligationFlag) -> None:
        """``obligation.flagged``."""
        self.statutory, self.due_at = flag.status, flag.due_at
        self.source_event_id = flag.source_event_id

    def met(self, outcome: ObligationOutcome, at: datetime) -> None:
        """``obligation.met``: when (default: the event's time) and whether on time."""
        self.met_at = outcome.met_at or at
        on_time = outcome.on_time
        self.on_time = self.met_at <= outcome.due_at if on_time is None else on_time

    def overdue(self) -> None:
        """``obligation.overdue``: stays true even when met later (it was met late)."""
        self.flagged_overdue = True

    def state(self, now: datetime) -> ObligationState:
        """Met, overdue or open as of ``now``."""
        if self.met_at is not None:
            return ObligationState.MET
        if self.flagged_overdue or self.due_at < now:
            return ObligationState.OVERDUE
        return ObligationState.OPEN


@dataclass(frozen=True)
class ObligationTally:
    """Obligations of one kind due in a period."""

    kind: str
    statutory: str | None
    due: int
    met_on_time: int
    met_late: int
    overdue: int
    open: int
    on_time_share: float | None  # met on time / (met + overdue); open ones not yet decided


def tally(
    records: Iterable[ObligationRecord], period: Period, now: datetime
) -> dict[str, ObligationTally]:
    """Per kind, the obligations due in ``period``."""
    groups: dict[str, list[ObligationRecord]] = defaultdict(list)
    for record in records:
        if period.contains(record.due_at):
            groups[record.kind].append(record)
    return {kind: _tally(kind, rows, now) for kind, rows in sorted(groups.items())}


def _tally(kind: str, rows: list[ObligationRecord], now: datetime) -> ObligationTally:
    states = [row.state(now) for row in rows]
    on_time = sum(
        1 for r, s in zip(rows, states, strict=True) if s is ObligationState.MET and r.on_time
    )
    met = states.count(ObligationState.MET)
    overdue = states.count(ObligationState.OVERDUE)
    return ObligationTally(
        kind=kind,
        statutory=next((row.statutory for row in rows if row.statutory), None),
        due=len(rows),
        met_on_time=on_time,
        met_late=met - on_time,
        overdue=overdue,
        open=states.count(ObligationState.OPEN),
        on_time_share=share(on_time, met + overdue),
    )


def empty_tally(kind: str) -> ObligationTally:
    """A kind with nothing due."""
    return ObligationTally(kind, None, 0, 0, 0, 0, 0, None)
