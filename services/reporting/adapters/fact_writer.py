"""Facts into the read models: the facts index, the cube, and settling provisional placements.

A derived event can be projected before the fact it is about (they travel on different topics).
It is then placed provisionally at its own time; when the fact arrives, its theme links, the
actions it opened and the alerts it raised are moved to the fact's month and marked settled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.adapters.rows import CubeKey, aware, chunks, insert_new
from services.reporting.adapters.tables import actions, alerts, facts, theme_links
from services.reporting.domain.facts import FactEntry, fact_entry, theme_metric
from shared.events import AnyFactEvent

Deltas = dict[CubeKey, tuple[int, int]]


def add(deltas: Deltas, key: CubeKey, count: int, total: int = 0) -> None:
    """Accumulate a cube delta in memory (one statement per batch)."""
    old_count, old_total = deltas.get(key, (0, 0))
    deltas[key] = (old_count + count, old_total + total)


async def record_facts(
    connection: AsyncConnection, events: Sequence[AnyFactEvent], deltas: Deltas
) -> None:
    """Index new facts, count them (into ``deltas``) and settle what was placed before them."""
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
            add(deltas, key, delta.count, delta.total)
    await _settle_theme_links(connection, entries, deltas)
    await _settle(connection, entries)


async def fact_places(connection: AsyncConnection, ids: Sequence[str]) -> dict[str, datetime]:
    """When each known fact among ``ids`` happened."""
    found: dict[str, datetime] = {}
    for part in chunks(sorted(set(ids))):
        rows = await connection.execute(
            select(facts.c.event_id, facts.c.occurred_at).where(facts.c.event_id.in_(part))
        )
        found.update({event_id: aware(at) for event_id, at in rows.all()})
    return found


async def _settle_theme_links(
    connection: AsyncConnection, entries: Mapping[str, FactEntry], deltas: Deltas
) -> None:
    moved: list[dict[str, object]] = []
    for part in chunks(sorted(entries)):
        rows = await connection.execute(
            select(theme_links).where(
                theme_links.c.source_event_id.in_(part), theme_links.c.settled.is_(False)
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


async def _settle(connection: AsyncConnection, entries: Mapping[str, FactEntry]) -> None:
    """Actions opened and alerts raised by these facts take the facts' times."""
    for table, column, flag in (
        (actions, actions.c.opened_at, actions.c.opened_settled),
        (alerts, alerts.c.raised_at, alerts.c.settled),
    ):
        waiting: set[str] = set()
        for part in chunks(sorted(entries)):
            rows = await connection.execute(
                select(table.c.source_event_id).where(
                    table.c.source_event_id.in_(part), flag.is_(False)
                )
            )
            waiting.update(source_id for (source_id,) in rows.all())
        if waiting:
            await connection.execute(
                update(table)
                .where(table.c.source_event_id == bindparam("b_id"), flag.is_(False))
                .values({column.name: bindparam("b_at"), flag.name: True}),
                [{"b_id": s, "b_at": entries[s].occurred_at} for s in sorted(waiting)],
            )
