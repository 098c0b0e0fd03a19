"""Derived events into the read models: theme links, obligations, actions, alerts, lessons.

Placement: the envelope's provider, region and site (the source fact's, copied by the learning
service). Time: theme links, actions opened and alerts take their source fact's time when it is
known, else their own event time until the fact arrives (see fact_writer). Obligations are placed
by their due date, lessons and outcomes by when they were published.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.adapters.cells import BatchCounts, CubeKey, Deltas, add
from services.reporting.adapters.fact_writer import fact_places
from services.reporting.adapters.records import load_actions, load_obligations, save
from services.reporting.adapters.rows import insert_new
from services.reporting.adapters.tables import alert_sites, alerts, lessons, theme_links
from services.reporting.domain.actions import ActionRecord
from services.reporting.domain.facts import OUTCOMES, theme_metric
from services.reporting.domain.obligations import ObligationRecord
from services.reporting.domain.periods import month_of
from services.reporting.domain.tallies import (
    ALERTS_RAISED,
    LESSONS_SHARED,
    action_tallies,
    changes,
    obligation_tallies,
)
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

ACTION_EVENTS = frozenset(
    {ActionOpened, ActionLinked, ActionUpdated, ActionReviewed, ActionEscalated}
)
OBLIGATION_EVENTS = frozenset({ObligationFlagged, ObligationMet, ObligationOverdue})


def alert_source(event: AlertRaised) -> str | None:
    """The fact behind an alert, from the envelope subject ``events/<id>``."""
    subject = event.subject or ""
    return subject.removeprefix("events/") if subject.startswith("events/") else None


async def record_derived(
    connection: AsyncConnection, events: Sequence[DerivedEvent], counts: BatchCounts
) -> None:
    """Apply derived events (in the order consumed); cube and tally increments go to
    ``counts``.

    Set-based: one multi-row statement per table and batch, never one per event. Rows keyed by
    something already stored are left alone (first wins, as when applied one by one).
    """
    if not events:
        return
    kinds: dict[type[DerivedEvent], list[Any]] = defaultdict(list)
    actions_folded: list[Any] = []
    obligations_folded: list[Any] = []
    for event in events:  # one pass, dispatching on the exact class (cheaper than isinstance)
        kind = type(event)
        if kind in ACTION_EVENTS:
            actions_folded.append(event)
        elif kind in OBLIGATION_EVENTS:
            obligations_folded.append(event)
        else:
            kinds[kind].append(event)
    linked: list[ThemeLinked] = kinds[ThemeLinked]
    raised: list[AlertRaised] = kinds[AlertRaised]
    sources = [e.data.source_event_id for e in linked]
    sources += [e.data.source_event_id for e in actions_folded if type(e) is ActionOpened]
    sources += [s for e in raised if (s := alert_source(e))]
    known = await fact_places(connection, sources)
    await _link_themes(connection, linked, known, counts.cube)
    await _raise_alerts(connection, raised, known, counts)
    await _share_lessons(connection, kinds[LessonShared], counts)
    for event in kinds[OutcomePublished]:
        key = CubeKey(event.providerid, event.region, event.siteid, month_of(event.time),
                      OUTCOMES, "")  # fmt: skip
        add(counts.cube, key, 1)
    await _fold_actions(connection, actions_folded, known, counts)
    await _fold_obligations(connection, obligations_folded, counts)


async def _link_themes(
    connection: AsyncConnection, events: list[ThemeLinked], known: dict[str, datetime],
    deltas: Deltas,
) -> None:  # fmt: skip
    links: dict[tuple[str, str], dict[str, Any]] = {}
    for event in events:
        row = _theme_link_row(event, known.get(event.data.source_event_id))
        links.setdefault((row["source_event_id"], row["theme_id"]), row)
    for source_id, theme_id in await insert_new(connection, theme_links, list(links.values())):
        row = links[(source_id, theme_id)]
        key = CubeKey(row["provider_id"], row["region"], row["site_id"], row["month"],
                      theme_metric(row["event_type"]), theme_id)  # fmt: skip
        add(deltas, key, 1)


async def _raise_alerts(
    connection: AsyncConnection, events: list[AlertRaised], known: dict[str, datetime],
    counts: BatchCounts,
) -> None:  # fmt: skip
    raised: dict[str, dict[str, Any]] = {}
    involved: dict[str, list[str]] = {}
    for event in events:
        if event.data.alert_id not in raised:
            raised[event.data.alert_id] = _alert_row(event, known)
            involved[event.data.alert_id] = sorted({*event.data.site_ids, event.siteid})
    new_alerts = await insert_new(connection, alerts, list(raised.values()))
    for (alert_id,) in new_alerts:
        row = raised[alert_id]
        place = (row["provider_id"], row["region"], row["site_id"])
        counts.tally(place, [(month_of(row["raised_at"]), ALERTS_RAISED, "", 1)])
    rows = [
        {"alert_id": alert_id, "site_id": site}
        for (alert_id,) in sorted(new_alerts)
        for site in involved[alert_id]
    ]
    if rows:
        await connection.execute(alert_sites.insert(), rows)


def _theme_link_row(event: ThemeLinked, fact_at: datetime | None) -> dict[str, Any]:
    at = fact_at or event.time
    link = event.data
    return {
        "source_event_id": link.source_event_id, "theme_id": link.theme_id,
        "event_type": link.source_event_type, "provider_id": event.providerid,
        "region": event.region, "site_id": event.siteid, "occurred_at": at,
        "month": month_of(at), "settled": fact_at is not None,
    }  # fmt: skip


def _alert_row(event: AlertRaised, known: dict[str, datetime]) -> dict[str, Any]:
    source = alert_source(event)
    fact_at = known.get(source) if source else None
    alert = event.data
    return {
        "alert_id": alert.alert_id, "provider_id": event.providerid, "region": event.region,
        "site_id": event.siteid, "theme_id": alert.theme_id, "site_ids": sorted(alert.site_ids),
        "event_count": alert.event_count, "window_days": alert.window_days,
        "raised_at": fact_at or event.time, "settled": fact_at is not None,
        "source_event_id": source,
    }  # fmt: skip


async def _share_lessons(
    connection: AsyncConnection, events: list[LessonShared], counts: BatchCounts
) -> None:
    shared = {e.data.lesson_id: _lesson_row(e) for e in reversed(events)}  # first one wins
    for (lesson_id,) in await insert_new(connection, lessons, list(shared.values())):
        row = shared[lesson_id]
        place = (row["provider_id"], row["region"], row["site_id"])
        counts.tally(place, [(month_of(row["shared_at"]), LESSONS_SHARED, "", 1)])


def _lesson_row(event: LessonShared) -> dict[str, Any]:
    lesson = event.data  # what_we_did is marked sensitive: not kept here
    return {
        "lesson_id": lesson.lesson_id, "action_id": lesson.action_id, "theme_id": lesson.theme_id,
        "provider_id": event.providerid, "region": event.region, "site_id": event.siteid,
        "shared_at": event.time, "what_happened": lesson.what_happened,
        "evidence_of_effect": lesson.evidence_of_effect,
    }  # fmt: skip


async def _fold_actions(
    connection: AsyncConnection, events: Sequence[Any], known: dict[str, datetime],
    counts: BatchCounts,
) -> None:  # fmt: skip
    if not events:
        return
    records = await load_actions(connection, (e.data.action_id for e in events))
    before = {action_id: action_tallies(record) for action_id, record in records.items()}
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
            record.updated(event.data, event.time)
        elif isinstance(event, ActionReviewed):
            record.reviewed(event.data, event.time)
        else:
            record.escalated(event.data)
    for record in records.values():
        new = action_tallies(record)
        counts.tally(place_of(record), changes(before.get(record.action_id, ()), new))
    await save(connection, list(records.values()))


async def _fold_obligations(
    connection: AsyncConnection, events: Sequence[Any], counts: BatchCounts
) -> None:
    if not events:
        return
    records = await load_obligations(connection, (e.data.obligation_id for e in events))
    before = {key: obligation_tallies(record) for key, record in records.items()}
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
    for record in records.values():
        new = obligation_tallies(record)
        counts.tally(place_of(record), changes(before.get(record.obligation_id, ()), new))
    await save(connection, list(records.values()))


def place_of(record: ActionRecord | ObligationRecord) -> tuple[str, str, str]:
    """Where a row is tallied: its provider, region and site."""
    return record.provider_id, record.region, record.site_id
