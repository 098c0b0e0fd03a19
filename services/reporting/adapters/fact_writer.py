"""Facts into the read models: the facts index, the cube, and settling provisional placements.

A derived event can be projected before the fact it is about (they travel on different topics).
It is then placed provisionally at its own time; when the fact arrives, its theme links, the
actions it opened and the alerts it raised are moved to the fact's month and marked settled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.adapters.cells import BatchCounts, CubeKey, Deltas, add
from services.reporting.adapters.records import completion_columns, to_record
from services.reporting.adapters.rows import among, aware, insert_new
from services.reporting.adapters.tables import actions, alerts, facts, theme_links
from services.reporting.domain.actions import ActionRecord
from services.reporting.domain.facts import FactEntry, fact_entry, theme_metric
from services.reporting.domain.periods import month_of
from services.reporting.domain.tallies import ALERTS_RAISED, action_tallies, changes
from shared.events import AnyFactEvent


async def record_facts(
    connection: AsyncConnection, events: Sequence[AnyFactEvent], counts: BatchCounts
) -> None:
    """Index new facts, count them (into ``counts``) and settle what was placed before them."""
    if not events:
        return
    entries = {event.id: fact_entry(event) for event in events}
    await insert_new(
        connection,
        facts,
        [
            {
                "event_id": e.event_id, "event_type": e.event_type, "provider_id": e.provider_id,
                "region": e.region, "site_id": e.site_id, "occurred_at": e.occurred_at,
                "month": e.month, "detail": e.detail, "physical_harm": e.physical_harm,
                "score_ppm": e.score_ppm,
            }
            for e in entries.values()
        ],
    )  # fmt: skip
    for e in entries.values():
        for delta in e.deltas:
            key = CubeKey(
                e.provider_id, e.region, e.site_id, e.month, delta.metric, delta.dimension
            )
            add(counts.cube, key, delta.count, delta.total)
    await _settle_theme_links(connection, entries, counts.cube)
    await _settle_actions(connection, entries, counts)
    await _settle_alerts(connection, entries, counts)


async def fact_places(connection: AsyncConnection, ids: Sequence[str]) -> dict[str, datetime]:
    """When each known fact among ``ids`` happened."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await connection.execute(
        select(facts.c.event_id, facts.c.occurred_at).where(
            among(facts.c.event_id, wanted, connection.dialect.name)
        )
    )
    return {event_id: aware(at) for event_id, at in rows.all()}


async def _settle_theme_links(
    connection: AsyncConnection, entries: Mapping[str, FactEntry], deltas: Deltas
) -> None:
    moved: list[dict[str, object]] = []
    rows = await connection.execute(
        select(theme_links).where(
            among(theme_links.c.source_event_id, entries.keys(), connection.dialect.name),
            theme_links.c.settled.is_(False),
        )
    )
    for row in rows.mappings().all():
        e, metric = entries[row["source_event_id"]], theme_metric(row["event_type"])
        old = CubeKey(row["provider_id"], row["region"], row["site_id"], row["month"], metric,
                      row["theme_id"])  # fmt: skip
        add(deltas, old, -1)
        add(
            deltas,
            CubeKey(e.provider_id, e.region, e.site_id, e.month, metric, old.dimension),
            1,
        )
        moved.append(
            {"b_id": e.event_id, "b_theme": old.dimension, "b_at": e.occurred_at,
             "b_month": e.month, "b_site": e.site_id, "b_region": e.region}
        )  # fmt: skip
    if moved:
        await connection.execute(
            update(theme_links)
            .where(
                theme_links.c.source_event_id == bindparam("b_id"),
                theme_links.c.theme_id == bindparam("b_theme"),
            )
            .values(
                occurred_at=bindparam("b_at"),
                month=bindparam("b_month"),
                site_id=bindparam("b_site"),
                region=bindparam("b_region"),
                settled=True,
            ),
            moved,
        )


async def _unsettled(
    connection: AsyncConnection, table: Any, flag: Any, entries: Mapping[str, FactEntry]
) -> list[dict[str, Any]]:
    rows = await connection.execute(
        select(table).where(
            among(table.c.source_event_id, entries.keys(), connection.dialect.name),
            flag.is_(False),
        )
    )
    return [dict(row) for row in rows.mappings().all()]


async def _settle_actions(
    connection: AsyncConnection, entries: Mapping[str, FactEntry], counts: BatchCounts
) -> None:
    """Actions opened by these facts take the facts' times (and move in the tallies)."""
    waiting = await _unsettled(connection, actions, actions.c.opened_settled, entries)
    if not waiting:
        return
    settled: list[dict[str, Any]] = []
    for row in waiting:
        record = to_record(ActionRecord, row)
        before = action_tallies(record)
        record.opened_at, record.opened_settled = entries[row["source_event_id"]].occurred_at, True
        place = (record.provider_id, record.region, record.site_id)
        counts.tally(place, changes(before, action_tallies(record)))
        derived = {f"b_{name}": value for name, value in completion_columns(record).items()}
        settled.append({"b_id": record.action_id, "b_at": record.opened_at, **derived})
    await connection.execute(
        update(actions)
        .where(actions.c.action_id == bindparam("b_id"))
        .values(
            opened_at=bindparam("b_at"), opened_settled=True,
            completion_us=bindparam("b_completion_us"),
            completion_day=bindparam("b_completion_day"),
        ),
        settled,
    )  # fmt: skip


async def _settle_alerts(
    connection: AsyncConnection, entries: Mapping[str, FactEntry], counts: BatchCounts
) -> None:
    """Alerts raised by these facts take the facts' times (and move in the tallies)."""
    waiting = await _unsettled(connection, alerts, alerts.c.settled, entries)
    if not waiting:
        return
    for row in waiting:
        before = month_of(aware(row["raised_at"]))
        after = entries[row["source_event_id"]].month
        place = (row["provider_id"], row["region"], row["site_id"])
        counts.tally(place, changes([(before, ALERTS_RAISED, "")], [(after, ALERTS_RAISED, "")]))
    await connection.execute(
        update(alerts)
        .where(alerts.c.source_event_id == bindparam("b_id"), alerts.c.settled.is_(False))
        .values(raised_at=bindparam("b_at"), settled=True),
        [{"b_id": s, "b_at": entries[s].occurred_at}
         for s in sorted({row["source_event_id"] for row in waiting})],
    )  # fmt: skip
