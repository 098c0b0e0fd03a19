"""Improvement actions as the reporting service sees them, and their governance metrics.

Each action's row is folded from its events (opened, linked, updated, reviewed, escalated). The
fold is order-independent where it matters: the change recorded last (the envelope's ``time``)
wins for status and owner, since a change may be recorded with an earlier effective ``at`` than
one recorded before it (a completion entered after the fact); times and counts only ever grow -
so replays and rebuilds land on the same row.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from services.reporting.domain.periods import Period
from shared.events.derived import (
    ActionChangeKind,
    ActionEscalation,
    ActionStatus,
    ActionUpdate,
    EffectivenessReview,
    ImprovementActionChange,
)

DONE = frozenset({ActionStatus.COMPLETED, ActionStatus.VERIFIED_EFFECTIVE, ActionStatus.CLOSED})
UNASSIGNED = "unassigned"
SECONDS_PER_DAY = 86_400


@dataclass
class ActionRecord:
    """One improvement action's row."""

    action_id: str
    provider_id: str
    region: str
    site_id: str
    title: str | None = None
    rule_id: str | None = None
    theme_id: str | None = None
    status: str = ActionStatus.OPEN.value
    status_at: datetime | None = None  # when the change that set the status was recorded
    opened_at: datetime | None = None
    opened_settled: bool = False
    source_event_id: str | None = None
    due_at: datetime | None = None
    completed_at: datetime | None = None
    verdict: str | None = None
    reviewed_at: datetime | None = None
    owner_role: str | None = None
    owner_at: datetime | None = None
    linked_events: int = 0
    escalations: int = 0
    escalated_at: datetime | None = None

    def describe(self, change: ImprovementActionChange) -> None:
        """Fill what the opening rule said, keeping anything already known."""
        self.title = self.title or change.title
        self.rule_id = self.rule_id or change.rule_id
        self.theme_id = self.theme_id or change.theme_id
        self.due_at = self.due_at or change.due_at

    def opened(self, change: ImprovementActionChange, at: datetime, *, settled: bool) -> None:
        """``action.opened``: placed at its source fact's time when known (``settled``)."""
        self.title, self.rule_id = change.title, change.rule_id
        self.theme_id = change.theme_id or self.theme_id
        self.due_at = change.due_at or self.due_at
        self.source_event_id = change.source_event_id
        self.opened_at, self.opened_settled = at, settled
        self.linked_events += 1

    def linked(self, change: ImprovementActionChange) -> None:
        """``action.linked``: one more fact behind the action."""
        self.describe(change)
        self.linked_events += 1

    def updated(self, update: ActionUpdate, recorded_at: datetime) -> None:
        """``action.updated``: the change recorded last sets status and owner; ``completed_at``
        is the completion's effective time."""
        if self.status_at is None or recorded_at >= self.status_at:
            self.status, self.status_at = update.status.value, recorded_at
        if update.owner_role and (self.owner_at is None or recorded_at >= self.owner_at):
            self.owner_role, self.owner_at = update.owner_role, recorded_at
        completing = update.change is ActionChangeKind.COMPLETED
        if completing or update.status is ActionStatus.COMPLETED:
            self.completed_at = _latest(self.completed_at, update.at)

    def reviewed(self, review: EffectivenessReview, recorded_at: datetime) -> None:
        """``action.reviewed``: the newest verdict; it is also the status unless a change was
        recorded after it."""
        if self.reviewed_at is None or review.reviewed_at >= self.reviewed_at:
            self.verdict, self.reviewed_at = review.verdict, review.reviewed_at
        if self.status_at is None or recorded_at >= self.status_at:
            self.status, self.status_at = review.verdict, recorded_at

    def escalated(self, escalation: ActionEscalation) -> None:
        """``action.escalated``."""
        self.escalations += 1
        self.escalated_at = _latest(self.escalated_at, escalation.escalated_at)

    @property
    def done(self) -> bool:
        """Completed, verified effective or closed (not effective reopens it)."""
        return self.status in DONE

    def overdue(self, now: datetime) -> bool:
        """Not done and past its due date."""
        return not self.done and self.due_at is not None and self.due_at < now

    def missed_due_date(self, now: datetime) -> bool:
        """Completed after its due date, or still not done after it."""
        if self.due_at is None:
            return False
        if self.done and self.completed_at is not None:
            return self.completed_at > self.due_at
        return self.due_at < now

    @property
    def days_to_complete(self) -> float | None:
        """Days from opening to completion."""
        if self.opened_at is None or self.completed_at is None:
            return None
        return (self.completed_at - self.opened_at).total_seconds() / SECONDS_PER_DAY


def _latest(current: datetime | None, candidate: datetime) -> datetime:
    return candidate if current is None or candidate > current else current


def median_days(values: Iterable[float | None]) -> float | None:
    """Median of the known values, to one decimal; None when there are none."""
    known = [value for value in values if value is not None]
    return round(statistics.median(known), 1) if known else None


def share(part: int, whole: int) -> float | None:
    """``part / whole`` to three decimals; None when ``whole`` is 0."""
    return round(part / whole, 3) if whole else None


@dataclass(frozen=True)
class ActionsInPeriod:
    """What happened to improvement actions in a period."""

    opened: int
    completed: int
    overdue: int  # due in the period and completed late or still not done
    escalated: int
    median_days_to_complete: float | None  # of those completed in the period
    reviewed: int
    verified_effective: int
    share_verified_effective: float | None  # of those reviewed in the period


def actions_in_period(
    records: Iterable[ActionRecord], period: Period, now: datetime
) -> ActionsInPeriod:
    """Count opened, completed, overdue and reviewed actions placed in ``period``."""
    rows = list(records)
    completed = [r for r in rows if r.done and period.contains(r.completed_at)]
    reviewed = [r for r in rows if period.contains(r.reviewed_at)]
    effective = sum(1 for r in reviewed if r.verdict == ActionStatus.VERIFIED_EFFECTIVE)
    return ActionsInPeriod(
        opened=sum(1 for r in rows if period.contains(r.opened_at)),
        completed=len(completed),
        overdue=sum(1 for r in rows if period.contains(r.due_at) and r.missed_due_date(now)),
        escalated=sum(1 for r in rows if period.contains(r.escalated_at)),
        median_days_to_complete=median_days(r.days_to_complete for r in completed),
        reviewed=len(reviewed),
        verified_effective=effective,
        share_verified_effective=share(effective, len(reviewed)),
    )


@dataclass(frozen=True)
class Accountability:
    """Actions by the role that owns them."""

    owner_role: str
    actions: int
    open: int
    overdue: int  # not done and past due now
    completed: int
    median_days_to_complete: float | None
    verified_effective: int


def accountability(records: Iterable[ActionRecord], now: datetime) -> list[Accountability]:
    """Per owner role (``unassigned`` when none), most actions first."""
    groups: dict[str, list[ActionRecord]] = defaultdict(list)
    for record in records:
        groups[record.owner_role or UNASSIGNED].append(record)
    result = [
        Accountability(
            owner_role=role,
            actions=len(rows),
            open=sum(1 for r in rows if not r.done),
            overdue=sum(1 for r in rows if r.overdue(now)),
            completed=sum(1 for r in rows if r.done),
            median_days_to_complete=median_days(r.days_to_complete for r in rows if r.done),
            verified_effective=sum(1 for r in rows if r.verdict == "verified_effective"),
        )
        for role, rows in groups.items()
    ]
    return sorted(result, key=lambda row: (-row.actions, row.owner_role))
