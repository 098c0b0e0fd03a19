"""Derived events into the read models: theme links, obligations, actions, alerts, lessons.

Placement: the envelope's provider, region and site (the source fact's, copied by the learning
service). Time: theme links, actions opened and alerts take their source fact's time when it is
known, else their own event time until the fact arrives (see fact_writer). Obligations are placed
by their due date, lessons and outcomes by when they were published.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.adapters.fact_writer import Deltas, add, fact_places
from services.reporting.adapters.records import load_actions, load_obligations, save
from services.reporting.adapters.rows import CubeKey, add_to_cube
from services.reporting.adapters.tables import alert_sites, alerts, lessons, theme_links
from services.reporting.domain.actions import ActionRecord
from services.reporting.domain.facts import OUTCOMES, theme_metric
from services.reporting.domain.obligations import ObligationRecord
from services.reporting.domain.periods import month_of
from shared.database import insert_ignoring_duplicates
from shared.events.derived import (
    ActionEscalated,
    ActionLinked,
    ActionOpened,
    ActionReviewed,
    ActionUpdated,
    AlertRaised,
    DerivedEvent,
    LessonShared,
    ObligationFlagged,
    ObligationMet,
    ObligationOverdue,
    OutcomePublished,
    ThemeLinked,
)

ACTION_EVENTS = (ActionOpened, ActionLinked, ActionUpdated, ActionReviewed, ActionEscalated)
OBLIGATION_EVENTS = (ObligationFlagged, ObligationMet, ObligationOverdue)


def alert_source(event: AlertRaised) -> str | None:
    """The fact behind an alert, from the envelope subject ``events/<id>``."""
    subject = event.subject or ""
    return subject.removeprefix("events/") if subject.startswith("events/") else None


async def record_derived(connection: AsyncConnection, events: Sequence[DerivedEvent]) -> None:
    """Apply derived events (in the order consumed) to the read models."""
    if not events:
        return
    sources = [e.data.source_event_id for e in events if isinstance(e, ThemeLinked | ActionOpened)]
    sources += [s for e in events if isinstance(e, AlertRaised) and (s := alert_source(e))]
    known = await fact_places(connection, sources)
    deltas: Deltas = {}
    for event in events:
        if isinstance(event, ThemeLinked):
            await _theme_linked(connection, event, known.get(event.data.source_event_id), deltas)
        elif isinstance(event, AlertRaised):
            await _alert(connection, event, known)
        elif isinstance(event, LessonShared):
            await _lesson(connection, event)
        elif isinstance(event, OutcomePublished):
            key = CubeKey(event.providerid, event.region, event.siteid, month_of(event.time),
                          OUTCOMES, "")  # fmt: skip
            add(deltas, key, 1)
    await add_to_cube(connection, deltas)
    await _fold_actions(connection, [e for e in events if isinstance(e, ACTION_EVENTS)], known)
    await _fold_obligations(connection, [e for e in events if isinstance(e, OBLIGATION_EVENTS)])


async def _insert_new(connection: AsyncConnection, table: Any, row: dict[str, Any]) -> bool:
    statement = insert_ignoring_duplicates(table, connection.dialect.name)
    keys = list(table.primary_key.columns)
    result = await connection.execute(statement.returning(*keys), [row])
    return bool(result.all())


async def _theme_linked(
    connection: AsyncConnection, event: ThemeLinked, fact_at: datetime | None, deltas: Deltas
) -> None:
    at = fact_at or event.time
    link, month = event.data, month_of(at)
    row: dict[str, Any] = {
        "source_event_id": link.source_event_id, "theme_id": link.theme_id,
        "event_type": link.source_event_type, "provider_id": event.providerid,
        "region": event.region, "site_id": event.siteid, "occurred_at": at,
        "month": month, "settled": fact_at is not None,
    }  # fmt: skip
    if await _insert_new(connection, theme_links, row):
        metric = theme_metric(link.source_event_type)
        add(deltas, CubeKey(event.providerid, event.region, event.siteid, month, metric,
                            link.theme_id), 1)  # fmt: skip


async def _alert(
    connection: AsyncConnection, event: AlertRaised, known: dict[str, datetime]
) -> None:
    source = alert_source(event)
    fact_at = known.get(source) if source else None
    alert = event.data
    row = {
        "alert_id": alert.alert_id, "provider_id": event.providerid, "region": event.region,
        "site_id": event.siteid, "theme_id": alert.theme_id, "site_ids": sorted(alert.site_ids),
        "event_count": alert.event_count, "window_days": alert.window_days,
        "raised_at": fact_at or event.time, "settled": fact_at is not None,
        "source_event_id": source,
    }  # fmt: skip
    if await _insert_new(connection, alerts, row):
        sites = sorted({*alert.site_ids, event.siteid})
        await connection.execute(
            alert_sites.insert(), [{"alert_id": alert.alert_id, "site_id": s} for s in sites]
        )


async def _lesson(connection: AsyncConnection, event: LessonShared) -> None:
    lesson = event.data  # what_we_did is marked sensitive: not kept here
    await _insert_new(connection, lessons, {
        "lesson_id": lesson.lesson_id, "action_id": lesson.action_id, "theme_id": lesson.theme_id,
        "provider_id": event.providerid, "region": event.region, "site_id": event.siteid,
        "shared_at": event.time, "what_happened": lesson.what_happened,
        "evidence_of_effect": lesson.evidence_of_effect,
    })  # fmt: skip


async def _fold_actions(
    connection: AsyncConnection, events: Sequence[Any], known: dict[str, datetime]
) -> None:
    if not events:
        return
    records = await load_actions(connection, (e.data.action_id for e in events))
    for event in events:
        record = records.get(event.data.action_id) or ActionRecord(
            event.data.action_id, event.providerid, event.region, event.siteid
        )
        records[record.action_id] = record
        if isinstance(event, ActionOpened):
            fact_at = known.get(event.data.source_event_id)
            record.opened(event.data, fact_at or event.time, settled=fact_at is not None)
        elif isinstance(event, ActionLinked):
            record.linked(event.data)
        elif isinstance(event, ActionUpdated):
            record.updated(event.data)
        elif isinstance(event, ActionReviewed):
            record.reviewed(event.data)
        else:
            record.escalated(event.data)
    await save(connection, list(records.values()))


async def _fold_obligations(connection: AsyncConnection, events: Sequence[Any]) -> None:
    if not events:
        return
    records = await load_obligations(connection, (e.data.obligation_id for e in events))
    for event in events:
        data = event.data
        record = records.get(data.obligation_id) or ObligationRecord(
            data.obligation_id, event.providerid, event.region, event.siteid, data.kind,
            data.due_at, source_event_id=data.source_event_id,
        )  # fmt: skip
        records[record.obligation_id] = record
        if isinstance(event, ObligationFlagged):
            record.flagged(data)
        elif isinstance(event, ObligationMet):
            record.met(data, event.time)
        else:
            record.overdue()
    await save(connection, list(records.values()))
