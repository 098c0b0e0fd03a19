"""Which events Kafka already acknowledged, so retries are answered without a second event.

Concurrent requests share their database round trips: lookups made while one is in flight are
answered together by the next query, and so are the records of acknowledged events (see
``services.intake.adapters.coalesce``). Each of the two keeps one connection open in autocommit
mode, so a lookup or a record is one round trip: a pooled checkout would add a ping, BEGIN and
COMMIT or ROLLBACK, and both statements stand alone and are idempotent.

On PostgreSQL both statements go straight to asyncpg with array parameters (one prepared
statement each, whatever the number of events): SQLAlchemy's statement handling cost ~10x the
database's own work for these two hot statements. SQLite (the embedded default) uses SQLAlchemy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.intake.adapters.coalesce import Coalescer
from services.intake.adapters.tables import accepted_events
from shared.database import insert_ignoring_duplicates

# SQLite allows 32,766 bound parameters per statement; PostgreSQL takes one array parameter.
SQLITE_IDS_PER_QUERY = 500

# One primary-key probe per wanted id, whatever the planner's statistics say. With
# ``event_id = ANY($2)`` a table autovacuum has not analyzed yet (a new one, or one that grew
# since) was read whole for every lookup: PostgreSQL's CPU per event grew with the table.
# ``LIMIT 1`` keeps the subquery a per-id index probe (without it the planner may flatten it
# into a hash join over the provider's every row).
POSTGRES_FIND = """
SELECT a.provider_id, a.event_id, a.payload_hash, a.topic, a."partition", a."offset"
FROM unnest($2::varchar[]) AS wanted(event_id)
CROSS JOIN LATERAL (
    SELECT * FROM accepted_events
    WHERE provider_id = $1 AND event_id = wanted.event_id
    LIMIT 1
) AS a
"""
POSTGRES_RECORD = """
INSERT INTO accepted_events
    (provider_id, event_id, payload_hash, topic, "partition", "offset", accepted_at)
SELECT * FROM unnest(
    $1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::int[], $6::bigint[],
    $7::timestamptz[]
)
ON CONFLICT DO NOTHING
"""


ASYNCPG_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError)


class DatabaseUnavailableError(ConnectionError):
    """The database did not answer (answered 503, like any other database failure)."""


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
T = TypeVar("T")


class HeldConnection:
    """One connection kept open for statements that run one at a time (a coalescer's).

    A statement that finds the connection lost (the database restarted, an idle connection was
    cut) is run once more on a fresh one; the statements given here are idempotent.
    """

    def __init__(self, engine: Callable[[], AsyncEngine]) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._driver: Any = None

    async def run(self, statement: Callable[[AsyncConnection, Any], Awaitable[T]]) -> T:
        """Run ``statement`` on the held connection (opened, in autocommit, when needed).

        ``statement`` gets the connection and the driver's own connection under it (asyncpg's
        on PostgreSQL), looked up once per connection: each lookup costs a greenlet switch.
        """
        for attempt in (1, 2):
            if self._connection is None:
                connection = await self._engine().connect()
                connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
                self._driver = (await connection.get_raw_connection()).driver_connection
                self._connection = connection
            try:
                return await statement(self._connection, self._driver)
            except (DBAPIError, OSError, *ASYNCPG_ERRORS) as exc:
                await self.close()
                if attempt == 1 and _connection_lost(exc):
                    continue
                if isinstance(exc, DBAPIError | OSError):
                    raise
                raise DatabaseUnavailableError(type(exc).__name__) from exc
        raise AssertionError("unreachable")

    async def close(self) -> None:
        """Give the connection back (it is invalidated if broken)."""
        connection, self._connection, self._driver = self._connection, None, None
        if connection is not None:
            try:
                await connection.close()
            except Exception:
                await connection.invalidate()


def _connection_lost(exc: Exception) -> bool:
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated
    return isinstance(
        exc,
        OSError
        | asyncpg.InterfaceError  # e.g. ConnectionDoesNotExistError
        | asyncpg.InternalClientError  # e.g. the server ended the session between statements
        | asyncpg.PostgresConnectionError
        | asyncpg.OperatorInterventionError,  # e.g. the server is shutting down
    )


class AcceptedEvents:
    """The intake's record of acknowledged events, keyed by provider and event id."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._find = Coalescer(self._find_all)
        self._record = Coalescer(self._record_all)
        self._lookups = HeldConnection(lambda: self._engine)
        self._records = HeldConnection(lambda: self._engine)

    async def close(self) -> None:
        """Give back the connections held for lookups and records."""
        await self._lookups.close()
        await self._records.close()

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

        async def select_all(connection: AsyncConnection, driver: Any) -> None:
            for provider_id, wanted_ids in wanted.items():
                ids = sorted(wanted_ids)
                for event in await self._select(connection, driver, provider_id, ids):
                    found[(event.provider_id, event.event_id)] = event

        await self._lookups.run(select_all)
        return [
            {i: found[(provider_id, i)] for i in ids if (provider_id, i) in found}
            for provider_id, ids in lookups
        ]

    async def _select(
        self, connection: AsyncConnection, driver: Any, provider_id: str, ids: list[str]
    ) -> list[AcceptedEvent]:
        if self._postgres:
            rows = await driver.fetch(POSTGRES_FIND, provider_id, ids)
            return [AcceptedEvent(*row) for row in rows]
        table = accepted_events.c
        events: list[AcceptedEvent] = []
        for start in range(0, len(ids), SQLITE_IDS_PER_QUERY):
            query = select(
                table.provider_id, table.event_id, table.payload_hash, table.topic,
                table.partition, table.offset,
            ).where(
                table.provider_id == provider_id,
                table.event_id.in_(ids[start : start + SQLITE_IDS_PER_QUERY]),
            )  # fmt: skip
            events.extend(AcceptedEvent(*row) for row in await connection.execute(query))
        return events

    async def _record_all(self, batches: Sequence[Sequence[AcceptedEvent]]) -> list[None]:
        unique = {(e.provider_id, e.event_id): e for events in batches for e in events}
        events = list(unique.values())
        now = datetime.now(UTC)

        async def insert(connection: AsyncConnection, driver: Any) -> None:
            if self._postgres:
                columns = [
                    [e.provider_id for e in events], [e.event_id for e in events],
                    [e.payload_hash for e in events], [e.topic for e in events],
                    [e.partition for e in events], [e.offset for e in events],
                    [now] * len(events),
                ]  # fmt: skip
                await driver.execute(POSTGRES_RECORD, *columns)
                return
            statement = insert_ignoring_duplicates(accepted_events, "sqlite")
            rows = [{**e.__dict__, "accepted_at": now} for e in events]
            await connection.execute(statement, rows)

        await self._records.run(insert)
        return [None] * len(batches)
