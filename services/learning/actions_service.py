"""Managers change improvement actions (assign, progress, evidence, complete, close) and record
obligations as met; each change is stored and published (outbox) in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.learning.adapters.tables import (
    action_links,
    action_notes,
    improvement_actions,
    obligations,
)
from services.learning.domain.action_lifecycle import next_status
from shared import outbox, tracing
from shared.database import insert_ignoring_duplicates
from shared.events.derived import (
    ActionChangeKind,
    ActionStatus,
    ActionUpdate,
    ActionUpdated,
    ObligationMet,
    ObligationOutcome,
    OutcomePublished,
    ReporterOutcome,
)
from shared.events.envelope import EventEnvelope
from shared.logging import get_logger
from shared.settings import KafkaSettings

log = get_logger(__name__)

SOURCE = "/learnloop/learning/actions"


class NotFoundError(LookupError):
    """No such action or obligation (for this provider)."""


class ConflictError(ValueError):
    """The change does not fit the current state."""


@dataclass(frozen=True)
class ActionChange:
    """A manager's change to an action."""

    change: ActionChangeKind
    at: datetime | None = None
    owner_role: str | None = None
    owner_ref: str | None = None
    note: str | None = None


def envelope_for(row: Any, cls: type[EventEnvelope[Any]], event_id: str, data: Any) -> Any:
    """A derived event placed at the row's provider, site and region, carrying the active span's
    trace context when tracing is on (the manager's request, or the governance clock's tick)."""
    return cls(
        id=event_id,
        type=str(cls.model_fields["type"].default),
        source=SOURCE,
        subject=f"actions/{getattr(row, 'action_id', None) or row.obligation_id}",
        providerid=row.provider_id,
        siteid=row.site_id,
        region=row.region,
        traceparent=tracing.current_traceparent(),
        data=data,
    )


class ActionsService:
    """Applies managers' changes; the outbox relay publishes the resulting events."""

    def __init__(self, engine: AsyncEngine, kafka: KafkaSettings) -> None:
        self._engine = engine
        self._kafka = kafka

    async def change_action(
        self,
        action_id: str,
        change: ActionChange,
        *,
        provider_id: str,
        sites: frozenset[str] | None,
    ) -> dict[str, Any]:
        """Apply ``change``; returns the action's new state."""
        at = change.at or datetime.now(UTC)
        async with self._engine.begin() as connection:
            row = await _action_row(connection, action_id, provider_id, sites)
            try:
                status = next_status(ActionStatus(row.state), change.change)
            except ValueError as exc:
                raise ConflictError(str(exc)) from exc
            values: dict[str, Any] = {"state": status.value}
            if change.change is ActionChangeKind.ASSIGNED:
                values |= {"owner_role": change.owner_role, "owner_ref": change.owner_ref}
            if change.change is ActionChangeKind.COMPLETED:
                values |= {"completed_at": at, "reviewed_at": None}
            await connection.execute(
                update(improvement_actions)
                .where(improvement_actions.c.action_id == action_id)
                .values(**values)
            )
            await connection.execute(
                insert_ignoring_duplicates(action_notes, connection.dialect.name),
                [{"action_id": action_id, "at": at, "change": change.change.value,
                  "note": change.note, "owner_role": change.owner_role}],
            )  # fmt: skip
            data = ActionUpdate(
                action_id=action_id, change=change.change, status=status, at=at,
                owner_role=change.owner_role, owner_ref=change.owner_ref, note=change.note,
            )  # fmt: skip
            event_id = f"upd-{action_id}-{change.change.value}-{at.timestamp():.6f}"
            events = [envelope_for(row, ActionUpdated, event_id, data)]
            if status is ActionStatus.CLOSED:
                events.extend(await _reporter_outcomes(connection, row, status, event_id))
            await outbox.add(connection, events, self._kafka)
            updated = await _action_row(connection, action_id, provider_id, sites)
            result = await _with_notes(connection, updated)
        # Ids and states only: a manager's note is free text.
        log.info(
            "action changed", action_id=action_id, change=change.change.value,
            state=status.value, event_ids=[event.id for event in events],
        )  # fmt: skip
        return result

    async def action(
        self, action_id: str, *, provider_id: str, sites: frozenset[str] | None
    ) -> dict[str, Any]:
        """One action as stored."""
        async with self._engine.connect() as connection:
            row = await _action_row(connection, action_id, provider_id, sites)
            return await _with_notes(connection, row)

    async def obligation_met(
        self,
        obligation_id: str,
        *,
        met_at: datetime,
        reference: str | None,
        provider_id: str,
        sites: frozenset[str] | None,
    ) -> dict[str, Any]:
        """Record that the obligation's action was taken; returns whether it was on time."""
        async with self._engine.begin() as connection:
            query = select(obligations).where(
                obligations.c.obligation_id == obligation_id,
                obligations.c.provider_id == provider_id,
            )
            row = (await connection.execute(query)).first()
            if row is None or (sites is not None and row.site_id not in sites):
                raise NotFoundError(f"no obligation {obligation_id!r}")
            if row.state == "met":
                raise ConflictError("the obligation is already met")
            due = row.due_at if row.due_at.tzinfo else row.due_at.replace(tzinfo=UTC)
            on_time = met_at <= due
            await connection.execute(
                update(obligations)
                .where(obligations.c.obligation_id == obligation_id)
                .values(state="met", met_at=met_at)
            )
            data = ObligationOutcome(
                obligation_id=obligation_id, kind=row.kind, due_at=due,
                source_event_id=row.event_id, met_at=met_at, on_time=on_time, reference=reference,
            )  # fmt: skip
            event = envelope_for(row, ObligationMet, f"met-{obligation_id}", data)
            await outbox.add(connection, [event], self._kafka)
        log.info("obligation met", obligation_id=obligation_id, on_time=on_time, event_id=event.id)
        return {"obligation_id": obligation_id, "state": "met", "on_time": on_time}


async def _action_row(
    connection: AsyncConnection, action_id: str, provider_id: str, sites: frozenset[str] | None
) -> Any:
    query = select(improvement_actions).where(
        improvement_actions.c.action_id == action_id,
        improvement_actions.c.provider_id == provider_id,
    )
    row = (await connection.execute(query)).first()
    if row is None or (sites is not None and row.site_id not in sites):
        raise NotFoundError(f"no action {action_id!r}")
    return row


async def _reporter_outcomes(
    connection: AsyncConnection, row: Any, status: ActionStatus, stamp: str
) -> list[Any]:
    """'You said, we did': one outcome per event linked to the action."""
    linked = await connection.execute(
        select(action_links.c.event_id).where(action_links.c.action_id == row.action_id)
    )
    return [
        envelope_for(
            row, OutcomePublished, f"out-{stamp}-{event_id}",
            ReporterOutcome(
                source_event_id=event_id, action_id=row.action_id, action_title=row.title,
                status=status,
            ),
        )
        for event_id in linked.scalars().all()
    ]  # fmt: skip


async def _with_notes(connection: AsyncConnection, row: Any) -> dict[str, Any]:
    """The action with its progress notes and evidence entries, oldest first."""
    notes = await connection.execute(
        select(action_notes.c.at, action_notes.c.change, action_notes.c.note,
               action_notes.c.owner_role)
        .where(action_notes.c.action_id == row.action_id)
        .order_by(action_notes.c.at)
    )  # fmt: skip
    linked = await connection.execute(
        select(action_links.c.event_id).where(action_links.c.action_id == row.action_id)
    )
    return {
        **dict(row._mapping),
        "notes": [dict(note._mapping) for note in notes.all()],
        "linked_event_ids": sorted(linked.scalars().all()),
    }
