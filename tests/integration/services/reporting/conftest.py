"""One loaded reporting service per database backend, shared by this package's tests.

Loading follows the awkward order on purpose: the derived events first (their facts unknown,
so they are placed provisionally), then the facts with duplicates and a poison record.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from learnloop.infra import postgres
from shared.broker import topic_name
from shared.provisioning import ensure_topics
from shared.settings import KafkaSettings
from shared.topics import DERIVED_TOPICS
from tests.integration.services.reporting.derived_fixture import derived
from tests.integration.services.reporting.fixture import facts
from tests.integration.services.reporting.harness import (
    Keys,
    Served,
    make_keys,
    publish,
    serving,
    settings_for,
)

QUARTERS: dict[str, Any] = {"granularity": "quarter", "from_": "2025-01", "to": "2025-06"}


@dataclass
class Loaded:
    """The service after the fixture was published, its keys, and what it said early on."""

    served: Served
    keys: Keys
    early: dict[str, Any]  # quarterly summary when only derived events were projected
    records: int  # records published in all
    duplicates: int
    poison: int


async def _database(request: pytest.FixtureRequest, directory: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{directory / 'reporting.db'}"
        return
    server: postgres.PostgresServer = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:16]}"
    connection = await asyncpg.connect(server.url("learnloop_test").replace("+asyncpg", ""))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        yield server.url(name)
        await postgres.drop_database(connection, name)
    finally:
        await connection.close()


@pytest.fixture(scope="package", params=["sqlite", "postgresql"])
async def loaded(
    request: pytest.FixtureRequest, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Loaded]:
    """The fixture projected by a running service (on SQLite, then on PostgreSQL)."""
    kafka = KafkaSettings(
        bootstrap_servers=kafka_bootstrap, topic_prefix=f"test-{uuid.uuid4().hex[:12]}"
    )
    directory = tmp_path_factory.mktemp("reporting")
    await ensure_topics(kafka)
    keys_url, keys = await make_keys(directory)
    learned, happened = derived(), facts()
    duplicates = [happened[0], happened[8], learned[0]]
    poison = [(topic_name(DERIVED_TOPICS[0], kafka), b'{"type": "theme.unlinked", "id": "x"}')]
    async for url in _database(request, directory):
        await publish(kafka, learned)
        async with serving(settings_for(kafka, url, keys_url, directory)) as served:
            await served.consumed(len(learned))
            early = await served.get("/v1/governance/summary", keys.provider, **QUARTERS)
            await publish(kafka, [*happened, *duplicates], raw=poison)
            total = len(learned) + len(happened) + len(duplicates) + len(poison)
            await served.consumed(total)
            yield Loaded(served, keys, early, total, len(duplicates), len(poison))
