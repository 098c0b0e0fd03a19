"""API key lookups are cached, and a revocation made elsewhere still takes effect within the
documented delay (LEARNLOOP_INTAKE__KEY_CACHE_SECONDS)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from services.intake.adapters.key_store import KeyStore
from services.intake.domain.api_keys import KeyRole
from shared.database import create_engine
from shared.migrate import upgrade
from shared.settings import DatabaseSettings


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(DatabaseSettings(url=database_url))
    await upgrade(engine, ("shared", "intake"))
    yield engine
    await engine.dispose()


async def test_a_key_revoked_elsewhere_is_refused_once_its_lookup_is_cache_seconds_old(
    engine: AsyncEngine,
) -> None:
    clock = Clock()
    serving = KeyStore(engine, cache_seconds=10, clock=clock)  # the intake process
    elsewhere = KeyStore(engine, cache_seconds=0)  # e.g. `learnloop keys revoke`
    key, plaintext = await elsewhere.create(name="app", provider_id="p1", role=KeyRole.STAFF_APP)
    assert await serving.authenticate(plaintext) == key  # looked up, now cached

    assert await elsewhere.revoke(key.key_id)
    clock.now += 9.9
    assert await serving.authenticate(plaintext) == key  # within the documented delay
    clock.now += 0.2
    assert await serving.authenticate(plaintext) is None  # the cached lookup expired


async def test_a_key_revoked_through_the_serving_store_is_refused_at_once(
    engine: AsyncEngine,
) -> None:
    store = KeyStore(engine, cache_seconds=10, clock=Clock())
    key, plaintext = await store.create(name="app", provider_id="p1", role=KeyRole.STAFF_APP)
    assert await store.authenticate(plaintext) == key
    assert await store.revoke(key.key_id)
    assert await store.authenticate(plaintext) is None


async def test_an_unknown_key_is_refused_and_a_wrong_one_never_matches(
    engine: AsyncEngine,
) -> None:
    store = KeyStore(engine, cache_seconds=10, clock=Clock())
    key, plaintext = await store.create(name="app", provider_id="p1", role=KeyRole.STAFF_APP)
    assert await store.authenticate(plaintext + "x") is None
    assert await store.authenticate(plaintext) == key


async def test_concurrent_requests_for_an_expired_key_share_one_lookup(
    engine: AsyncEngine,
) -> None:
    clock = Clock()
    store = KeyStore(engine, cache_seconds=10, clock=clock)
    key, plaintext = await store.create(name="app", provider_id="p1", role=KeyRole.STAFF_APP)
    lookups: list[str] = []

    def note(*args: Any) -> None:
        statement = args[2]
        if statement.lstrip().upper().startswith("SELECT") and "api_keys" in statement:
            lookups.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        assert (
            await asyncio.gather(*(store.authenticate(plaintext) for _ in range(20))) == [key] * 20
        )
        assert len(lookups) == 1
        clock.now += 11  # expired: looked up again, once
        assert (
            await asyncio.gather(*(store.authenticate(plaintext) for _ in range(20))) == [key] * 20
        )
        assert len(lookups) == 2
        # A caller that goes away does not cancel the lookup the others wait for.
        clock.now += 11
        first = asyncio.ensure_future(store.authenticate(plaintext))
        second = asyncio.ensure_future(store.authenticate(plaintext))
        await asyncio.sleep(0)
        first.cancel()
        assert await second == key
        assert len(lookups) == 3
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)
