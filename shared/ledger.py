"""The idempotency ledger: a consumer claims event ids in the transaction that applies them.

Claiming inserts ``(consumer, event_id)`` rows; ids that were already there come back as not
claimed, so a redelivered or duplicated event is skipped and changes nothing.

A batch is claimed in one statement whatever its size: the ids travel as one parameter (a text
array literal on PostgreSQL, a JSON array on SQLite) and the server inserts the new ones and
returns them, so the claim costs one round trip and one plan, not one row of parameters per event.
The literal is built with a few string operations over the whole batch (a list would be checked
element by element by the driver, in Python).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.tables import processed_events

_INSERT = "INSERT INTO processed_events (consumer, event_id, processed_at) "
_CLAIMED = " ON CONFLICT DO NOTHING RETURNING event_id"
_AT = bindparam("processed_at", type_=processed_events.c.processed_at.type)
CLAIM = {
    "postgresql": text(
        _INSERT + "SELECT :consumer, event_id, :processed_at "
        "FROM unnest(CAST(CAST(:event_ids AS text) AS text[])) AS event_id" + _CLAIMED
    ).bindparams(_AT),
    # WHERE true: SQLite needs it to tell the ON CONFLICT clause from a join's ON.
    "sqlite": text(
        _INSERT + "SELECT :consumer, value, :processed_at FROM json_each(:event_ids) WHERE true"
        + _CLAIMED
    ).bindparams(_AT),
}  # fmt: skip


async def claim(connection: AsyncConnection, consumer: str, event_ids: Iterable[str]) -> set[str]:
    """Record ``event_ids`` as processed by ``consumer``; return those not processed before."""
    ids = list(dict.fromkeys(event_ids))
    if not ids:
        return set()
    dialect = connection.dialect.name
    result = await connection.execute(
        CLAIM[dialect],
        {
            "consumer": consumer,
            "event_ids": array_literal(ids) if dialect == "postgresql" else json.dumps(ids),
            "processed_at": datetime.now(UTC),
        },
    )
    return set(result.scalars().all())


def array_literal(ids: list[str]) -> str:
    """``ids`` (at least one) as a PostgreSQL text array literal, each quoted and escaped."""
    joined = "\x00".join(ids)  # text cannot hold NUL: it separates the ids until they are quoted
    if joined.count("\x00") != len(ids) - 1:
        raise ValueError("an event id cannot contain NUL")
    escaped = joined.replace("\\", "\\\\").replace('"', '\\"')
    return '{"' + escaped.replace("\x00", '","') + '"}'
