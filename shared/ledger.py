"""The idempotency ledger: a consumer claims event ids in the transaction that applies them.

Claiming inserts ``(consumer, event_id)`` rows; ids that were already there come back as not
claimed, so a redelivered or duplicated event is skipped and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from shared.database import insert_ignoring_duplicates
from shared.tables import processed_events


async def claim(connection: AsyncConnection, consumer: str, event_ids: Iterable[str]) -> set[str]:
    """Record ``event_ids`` as processed by ``consumer``; return those not processed before."""
    ids = list(dict.fromkeys(event_ids))
    if not ids:
        return set()
    now = datetime.now(UTC)
    statement = insert_ignoring_duplicates(processed_events, connection.dialect.name).returning(
        processed_events.c.event_id
    )
    claimed: set[str] = set()
    for start in range(0, len(ids), 500):
        rows = [
            {"consumer": consumer, "event_id": event_id, "processed_at": now}
            for event_id in ids[start : start + 500]
        ]
        result = await connection.execute(statement, rows)
        claimed.update(result.scalars().all())
    return claimed
