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
from hypothesis import settings as hypothesis_settings

from learnloop.infra import postgres
from learnloop.infra.kafka import cluster_metadata
from shared.provisioning import admin_client
from shared.settings import DatabaseSettings, KafkaSettings, LearnLoopSettings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STATE_DIR = PROJECT_ROOT / ".learnloop"
KAFKA_BOOTSTRAP = os.environ.get("LEARNLOOP_TEST_KAFKA", "127.0.0.1:9092")

# Tests do not time the code (benchmarks/ does): Hypothesis's default 200 ms deadline per example
# failed a correct redaction property on a loaded 2-core machine.
hypothesis_settings.register_profile("learnloop", deadline=None)
hypothesis_settings.load_profile("learnloop")


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
async def kafka_settings(kafka_bootstrap: str) -> AsyncIterator[KafkaSettings]:
    """Settings with a topic prefix of the test's own, so tests never share topics; the
    test's topics are deleted afterwards (a broker holds one open file per segment and index,
    and thousands of leftover partitions exhaust its file descriptors)."""
    settings = KafkaSettings(
        bootstrap_servers=kafka_bootstrap, topic_prefix=f"test-{uuid.uuid4().hex[:12]}"
    )
    yield settings
    await delete_topics_with_prefix(settings)


async def delete_topics_with_prefix(settings: KafkaSettings) -> None:
    """Delete every topic named ``<prefix>.*`` (best effort: the broker may be down)."""
    admin = admin_client(settings)
    try:
        await admin.start()
        names = [t for t in await admin.list_topics() if t.startswith(settings.topic_prefix + ".")]
        if names:
            await admin.delete_topics(names)
    except Exception:  # a test that stopped the broker must not fail in teardown
        pass
    finally:
        await admin.close()


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
        await postgres.drop_database(connection, name)
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
