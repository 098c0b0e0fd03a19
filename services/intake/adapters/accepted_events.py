"""Which events Kafka already acknowledged, so retries are answered without a second event.

Concurrent requests share their database round trips: lookups made while one is in flight are
answered together by the next query, and so are the records of acknowledged events (see
``services.intake.adapters.coalesce``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.intake.adapters.coalesce import Coalescer
from services.intake.adapters.tables import accepted_events
from shared.database import insert_ignoring_duplicates

# SQLite allows 32,766 bound parameters per statement; PostgreSQL takes one array parameter.
SQLITE_IDS_PER_QUERY = 500


@dataclass(frozen=True)
class AcceptedEvent:
    """Where an accepted event landed."""

    provider_id: str
    event_id: str
    payload_hash: str
    topic: str
    partition: int
    offset: int


Lookup = tuple[str, list[str]]  # provider id, event ids


class AcceptedEvents:
    """The intake's record of acknowledged events, keyed by provider and event id."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._find = Coalescer(self._find_all)
        self._record = Coalescer(self._record_all)

    async def find(self, provider_id: str, event_ids: Iterable[str]) -> dict[str, AcceptedEvent]:
        """Previously accepted events among ``event_ids``."""
        ids = list(set(event_ids))
        if not ids:
            return {}
        return await self._find((provider_id, ids))

    async def record(self, events: Sequence[AcceptedEvent]) -> None:
        """Remember acknowledged events (a concurrent duplicate is ignored)."""
        if events:
            await self._record(events)

    async def _find_all(self, lookups: Sequence[Lookup]) -> list[dict[str, AcceptedEvent]]:
        wanted: defaultdict[str, set[str]] = defaultdict(set)
        for provider_id, ids in lookups:
            wanted[provider_id].update(ids)
        found: dict[tuple[str, str], AcceptedEvent] = {}
        async with self._engine.connect() as connection:
            for provider_id, wanted_ids in wanted.items():
                for event in await self._select(connection, provider_id, sorted(wanted_ids)):
                    found[(event.provider_id, event.event_id)] = event
        return [
            {i: found[(provider_id, i)] for i in ids if (provider_id, i) in found}
            for provider_id, ids in lookups
        ]

    async def _select(
        self, connection: AsyncConnection, provider_id: str, ids: list[str]
    ) -> list[AcceptedEvent]:
        table = accepted_events.c
        if self._postgres:
            # One statement text whatever the number of ids, so its prepared form is reused.
            conditions = [table.event_id == any_(bindparam("ids", ids, type_=ARRAY(String)))]
        else:
            conditions = [
                table.event_id.in_(ids[start : start + SQLITE_IDS_PER_QUERY])
                for start in range(0, len(ids), SQLITE_IDS_PER_QUERY)
            ]
        events: list[AcceptedEvent] = []
        for condition in conditions:
            query = select(accepted_events).where(table.provider_id == provider_id, condition)
            for row in (await connection.execute(query)).mappings():
                events.append(
                    AcceptedEvent(
                        provider_id=row["provider_id"],
                        event_id=row["event_id"],
                        payload_hash=row["payload_hash"],
                        topic=row["topic"],
                        partition=row["partition"],
                        offset=row["offset"],
                    )
                )
        return events

    async def _record_all(self, batches: Sequence[Sequence[AcceptedEvent]]) -> list[None]:
        now = datetime.now(UTC)
        rows = {
            (e.provider_id, e.event_id): {
                "provider_id": e.provider_id,
                "event_id": e.event_id,
                "payload_hash": e.payload_hash,
                "topic": e.topic,
                "partition": e.partition,
                "offset": e.offset,
                "accepted_at": now,
            }
            for events in batches
            for e in events
        }
        statement = insert_ignoring_duplicates(accepted_events, self._engine.dialect.name)
        async with self._engine.begin() as connection:
            await connection.execute(statement, list(rows.values()))
        return [None] * len(batches)
