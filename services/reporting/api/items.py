"""Response shapes of the lists: improvement actions and obligations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.reporting.domain.actions import ActionRecord
from services.reporting.domain.obligations import ObligationRecord


@dataclass(frozen=True)
class ActionItem:
    """An improvement action in a list."""

    action_id: str
    site_id: str
    region: str
    theme_id: str | None
    title: str | None
    status: str
    owner_role: str | None
    opened_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None
    overdue: bool
    days_to_complete: float | None
    verdict: str | None
    reviewed_at: datetime | None
    linked_events: int
    escalations: int

    @classmethod
    def of(cls, r: ActionRecord, now: datetime) -> ActionItem:
        """From the stored record, as of ``now``."""
        days = r.days_to_complete
        return cls(
            r.action_id, r.site_id, r.region, r.theme_id, r.title, r.status, r.owner_role,
            r.opened_at, r.due_at, r.completed_at, r.overdue(now),
            round(days, 1) if days is not None else None, r.verdict, r.reviewed_at,
            r.linked_events, r.escalations,
        )  # fmt: skip


@dataclass(frozen=True)
class ObligationItem:
    """A statutory or policy obligation in a list."""

    obligation_id: str
    kind: str
    statutory: str | None
    state: str
    site_id: str
    region: str
    source_event_id: str | None
    due_at: datetime
    met_at: datetime | None
    on_time: bool | None
    flagged_overdue: bool

    @classmethod
    def of(cls, r: ObligationRecord, now: datetime) -> ObligationItem:
        """From the stored record, as of ``now``."""
        return cls(
            r.obligation_id, r.kind, r.statutory, r.state(now).value, r.site_id, r.region,
            r.source_event_id, r.due_at, r.met_at, r.on_time, r.flagged_overdue,
        )  # fmt: skip


@dataclass(frozen=True)
class ActionList:
    """A page of improvement actions."""

    items: list[ActionItem]
    total: int
    limit: int
    offset: int
    next_offset: int | None


@dataclass(frozen=True)
class ObligationList:
    """A page of obligations."""

    items: list[ObligationItem]
    total: int
    limit: int
    offset: int
    next_offset: int | None
