"""Which events Kafka already acknowledged, so retries are answered without a second event."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.intake.adapters.tables import accepted_events
from shared.database import insert_ignoring_duplicates


@dataclass(frozen=True)
class AcceptedEvent:
    """Where an accepted event landed."""

    provider_id: str
    event_id: str
    payload_hash: str
    topic: str
    partition: int
    offset: int


class AcceptedEvents:
    """The intake's record of acknowledged events, keyed by provider and event id."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def find(self, provider_id: str, event_ids: Iterable[str]) -> dict[str, AcceptedEvent]:
        """Previously accepted events among ``event_ids``."""
        ids = list(set(event_ids))
        if not ids:
            return {}
        found: dict[str, AcceptedEvent] = {}
        async with self._engine.connect() as connection:
            for start in range(0, len(ids), 500):
                query = select(accepted_events).where(
                    accepted_events.c.provider_id == provider_id,
                    accepted_events.c.event_id.in_(ids[start : start + 500]),
                )
                for row in (await connection.execute(query)).mappings():
                    found[row["event_id"]] = AcceptedEvent(
                        provider_id=row["provider_id"],
                        event_id=row["event_id"],
                        payload_hash=row["payload_hash"],
                        topic=row["topic"],
                        partition=row["partition"],
                        offset=row["offset"],
                    )
        return found

    async def record(self, events: Sequence[AcceptedEvent]) -> None:
        """Remember acknowledged events (a concurrent duplicate is ignored)."""
        if not events:
            return
        now = datetime.now(UTC)
        statement = insert_ignoring_duplicates(accepted_events, self._engine.dialect.name)
        async with self._engine.begin() as connection:
            await connection.execute(
                statement,
                [
                    {
                        "provider_id": e.provider_id,
                        "event_id": e.event_id,
                        "payload_hash": e.payload_hash,
                        "topic": e.topic,
                        "partition": e.partition,
                        "offset": e.offset,
                        "accepted_at": now,
                    }
                    for e in events
                ],
            )
