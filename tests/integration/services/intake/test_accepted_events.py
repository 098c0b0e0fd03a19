"""The record of accepted events on SQLite and PostgreSQL, with concurrent callers coalesced."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from services.intake.adapters.accepted_events import (
    POSTGRES_FIND,
    AcceptedEvent,
    AcceptedEvents,
    DatabaseUnavailableError,
)
from shared.database import create_engine
from shared.migrate import upgrade
from shared.settings import DatabaseSettings


@pytest.fixture
async def accepted(database_url: str) -> AsyncIterator[AcceptedEvents]:
    engine = create_engine(DatabaseSettings(url=database_url))
    await upgrade(engine, ("shared", "intake"))
    accepted = AcceptedEvents(engine)
    yield accepted
    await accepted.close()
    await engine.dispose()


def accepted_event(provider_id: str, event_id: str, offset: int = 0) -> AcceptedEvent:
    return AcceptedEvent(
        provider_id=provider_id, event_id=event_id, payload_hash=f"h-{event_id}",
        topic="learnloop.incidents.v1", partition=0, offset=offset,
    )  # fmt: skip


async def test_recorded_events_are_found_by_provider_and_id(accepted: AcceptedEvents) -> None:
    await accepted.record([accepted_event("p1", f"e{n}", n) for n in range(1200)])
    found = await accepted.find("p1", [f"e{n}" for n in range(0, 1300, 2)])
    assert sorted(found) == sorted(f"e{n}" for n in range(0, 1200, 2))
    assert found["e10"] == accepted_event("p1", "e10", 10)
    assert await accepted.find("p2", ["e10"]) == {}  # another provider's ids are its own


async def test_concurrent_callers_each_get_their_own_answer(accepted: AcceptedEvents) -> None:
    await accepted.record([accepted_event("p1", "a"), accepted_event("p2", "a")])
    await asyncio.gather(
        accepted.record([accepted_event("p1", "b"), accepted_event("p1", "c")]),
        accepted.record([accepted_event("p1", "b")]),  # the same event recorded twice at once
        accepted.record([accepted_event("p2", "c")]),
    )
    answers = await asyncio.gather(
        accepted.find("p1", ["a", "b", "x"]),
        accepted.find("p2", ["a", "b", "c"]),
        accepted.find("p1", ["c"]),
        accepted.find("p3", ["a"]),
    )
    assert [sorted(answer) for answer in answers] == [["a", "b"], ["a", "c"], ["c"], []]
    assert answers[1]["a"].provider_id == "p2"


@pytest.mark.postgres
async def test_a_connection_lost_between_calls_is_replaced_without_an_error(
    postgres_url: str,
) -> None:
    engine = create_engine(DatabaseSettings(url=postgres_url))
    await upgrade(engine, ("shared", "intake"))
    accepted = AcceptedEvents(engine)
    try:
        await accepted.record([accepted_event("p1", "a")])
        assert list(await accepted.find("p1", ["a"])) == ["a"]
        async with engine.connect() as admin:  # as when PostgreSQL restarts or cuts idle sessions
            await admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        assert list(await accepted.find("p1", ["a"])) == ["a"]
        await accepted.record([accepted_event("p1", "b")])
        assert sorted(await accepted.find("p1", ["a", "b"])) == ["a", "b"]
    finally:
        await accepted.close()
        await engine.dispose()


@pytest.mark.postgres
async def test_a_database_error_is_reported_as_the_database_being_unavailable(
    postgres_url: str,
) -> None:
    engine = create_engine(DatabaseSettings(url=postgres_url))  # not migrated: no table
    accepted = AcceptedEvents(engine)
    try:
        with pytest.raises(DatabaseUnavailableError):  # an OSError: the API answers 503
            await accepted.find("p1", ["a"])
        with pytest.raises(DatabaseUnavailableError):
            await accepted.record([accepted_event("p1", "a")])
    finally:
        await accepted.close()
        await engine.dispose()


@pytest.mark.postgres
async def test_a_lookup_probes_the_primary_key_even_before_the_table_is_analyzed(
    postgres_url: str,
) -> None:
    # A new table has no statistics until autovacuum analyzes it; a lookup must not read the
    # provider's every accepted event (PostgreSQL's CPU per event then grows with the table).
    engine = create_engine(DatabaseSettings(url=postgres_url))
    await upgrade(engine, ("shared", "intake"))
    accepted = AcceptedEvents(engine)
    try:
        for start in range(0, 20_000, 5_000):
            await accepted.record(
                [accepted_event("p1", f"e{n}", n) for n in range(start, start + 5_000)]
            )
        wanted = [f"e{n}" for n in range(0, 20_000, 40)]
        async with engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            assert driver is not None
            plan = "\n".join(
                row[0] for row in await driver.fetch("EXPLAIN " + POSTGRES_FIND, "p1", wanted)
            )
        assert "Index Scan using pk_accepted_events" in plan, plan
        assert "Seq Scan on accepted_events" not in plan, plan
        assert "Bitmap Heap Scan on accepted_events" not in plan, plan
        found = await accepted.find("p1", [*wanted, "unknown"])
        assert sorted(found) == sorted(wanted)
    finally:
        await accepted.close()
        await engine.dispose()
