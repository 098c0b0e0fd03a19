"""Fixtures for the real infrastructure: Apache Kafka and PostgreSQL started by `learnloop infra`.

Integration tests never fall back to mocks: when a server is not reachable they fail and say how to
start it (`make test` starts both).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from learnloop.infra import postgres
from learnloop.infra.kafka import cluster_metadata
from shared.settings import DatabaseSettings, KafkaSettings, LearnLoopSettings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STATE_DIR = PROJECT_ROOT / ".learnloop"
KAFKA_BOOTSTRAP = os.environ.get("LEARNLOOP_TEST_KAFKA", "127.0.0.1:9092")


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """Bootstrap servers of the real broker; fails (not skips) when it is down."""
    try:
        asyncio.run(cluster_metadata(KAFKA_BOOTSTRAP, wait_s=10.0))
    except Exception as exc:
        pytest.fail(
            f"Kafka is not reachable at {KAFKA_BOOTSTRAP} ({type(exc).__name__}): "
            "start it with `learnloop infra kafka up` or run `make test`"
        )
    return KAFKA_BOOTSTRAP


@pytest.fixture
def kafka_settings(kafka_bootstrap: str) -> KafkaSettings:
    """Settings with a topic prefix of the test's own, so tests never share topics."""
    return KafkaSettings(
        bootstrap_servers=kafka_bootstrap, topic_prefix=f"test-{uuid.uuid4().hex[:12]}"
    )


@pytest.fixture(scope="session")
def postgres_server() -> postgres.PostgresServer:
    """The project-local PostgreSQL server; fails when it is not accepting connections."""
    server = postgres.server(Path(os.environ.get("LEARNLOOP_STATE_DIR", STATE_DIR)))
    if not postgres.status(server)["accepting"]:
        pytest.fail("PostgreSQL is not running: `learnloop infra postgres up` or `make test`")
    return server


@pytest.fixture
async def postgres_url(postgres_server: postgres.PostgresServer) -> AsyncIterator[str]:
    """A brand-new PostgreSQL database for one test, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin_dsn = postgres_server.url("learnloop_test").replace("+asyncpg", "")
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        yield postgres_server.url(name)
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database file for one test."""
    return f"sqlite+aiosqlite:///{tmp_path / 'learnloop.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Run a test once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
def settings(kafka_settings: KafkaSettings, sqlite_url: str) -> LearnLoopSettings:
    """Whole-process settings pointing at the real broker and a fresh SQLite file."""
    return LearnLoopSettings(kafka=kafka_settings, database=DatabaseSettings(url=sqlite_url))
