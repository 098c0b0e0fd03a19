"""The idempotency ledger on both databases: which ids a claim takes, in one statement per batch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared import ledger
from shared.database import create_engine
from shared.migrate import upgrade
from shared.settings import DatabaseSettings
from shared.tables import processed_events


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(DatabaseSettings(url=database_url))
    await upgrade(engine, ("shared",))
    yield engine
    await engine.dispose()


async def _claim(engine: AsyncEngine, ids: list[str], consumer: str = "reporting") -> set[str]:
    async with engine.begin() as connection:
        return await ledger.claim(connection, consumer, ids)


async def _stored(engine: AsyncEngine) -> list[tuple[Any, ...]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(processed_events.c.consumer, processed_events.c.event_id).order_by(
                processed_events.c.consumer, processed_events.c.event_id
            )
        )
        return [tuple(row) for row in rows.all()]


async def test_a_claim_returns_the_ids_never_claimed_before(engine: AsyncEngine) -> None:
    assert await _claim(engine, ["e1", "e2"]) == {"e1", "e2"}
    assert await _claim(engine, ["e2", "e3", "e1"]) == {"e3"}
    assert await _claim(engine, ["e1", "e2", "e3"]) == set()
    assert await _stored(engine) == [("reporting", "e1"), ("reporting", "e2"), ("reporting", "e3")]


async def test_an_id_twice_in_one_batch_is_claimed_once(engine: AsyncEngine) -> None:
    assert await _claim(engine, ["e1", "e2", "e1", "e2", "e1"]) == {"e1", "e2"}
    assert await _claim(engine, ["e3", "e2", "e3"]) == {"e3"}
    assert await _stored(engine) == [("reporting", "e1"), ("reporting", "e2"), ("reporting", "e3")]


async def test_each_consumer_claims_for_itself(engine: AsyncEngine) -> None:
    assert await _claim(engine, ["e1"], "reporting") == {"e1"}
    assert await _claim(engine, ["e1", "e2"], "learning") == {"e1", "e2"}
    assert await _claim(engine, ["e1", "e2"], "reporting") == {"e2"}


async def test_nothing_to_claim_touches_nothing(engine: AsyncEngine) -> None:
    assert await _claim(engine, []) == set()
    assert await _stored(engine) == []


async def test_a_rolled_back_claim_leaves_the_ids_unclaimed(engine: AsyncEngine) -> None:
    with pytest.raises(RuntimeError):
        async with engine.begin() as connection:
            assert await ledger.claim(connection, "reporting", ["e1"]) == {"e1"}
            raise RuntimeError("the batch failed")
    assert await _claim(engine, ["e1"]) == {"e1"}


async def test_a_batch_of_any_size_is_claimed_in_one_statement(engine: AsyncEngine) -> None:
    ids = [f"event-{n:05d}" for n in range(5_000)]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        assert await _claim(engine, ids[:3_000]) == set(ids[:3_000])
        assert await _claim(engine, ids) == set(ids[3_000:])
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert len([s for s in statements if "processed_events" in s]) == 2
    assert len(await _stored(engine)) == 5_000


async def test_the_claim_records_when(engine: AsyncEngine) -> None:
    before = datetime.now(UTC)
    await _claim(engine, ["e1"])
    async with engine.connect() as connection:
        at = await connection.scalar(select(processed_events.c.processed_at))
    assert isinstance(at, datetime)
    at = at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    assert before - timedelta(seconds=1) <= at <= datetime.now(UTC) + timedelta(seconds=1)


async def test_any_text_is_claimed_as_it_is(engine: AsyncEngine) -> None:
    awkward = ['a"b', "back\\slash", "a,b", "{x}", "NULL", "", " padded ", "é"]
    assert await _claim(engine, awkward) == set(awkward)
    assert await _claim(engine, [*awkward, "new"]) == {"new"}


def test_an_id_holding_nul_is_refused() -> None:
    assert ledger.array_literal(["a", 'b"']) == '{"a","b\\""}'
    with pytest.raises(ValueError):
        ledger.array_literal(["a\x00b"])
