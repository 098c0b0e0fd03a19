"""Running the reporting service in-process against the real broker and databases."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from services.intake.adapters.key_store import KeyStore
from services.intake.domain.api_keys import KeyRole
from services.reporting.app import create_app
from services.reporting.runtime import ReportingRuntime
from services.reporting.settings import ReportingOptions, ReportingSettings
from shared.database import create_engine
from shared.events.envelope import EventEnvelope
from shared.migrate import upgrade
from shared.publishing import record_for
from shared.settings import DatabaseSettings, KafkaSettings
from tests.integration.services.reporting.fixture import NOW, OTHER_PROVIDER, PROVIDER, SITES_FILE


@dataclass(frozen=True)
class Keys:
    """Plaintext API keys of the intake key store."""

    provider: str  # harbour-care, every site
    rosewood: str  # harbour-care, rosewood-house only
    other_provider: str  # other-care, every site


async def make_keys(directory: Path) -> tuple[str, Keys]:
    """An intake key database with three keys; returns its URL and the keys."""
    url = f"sqlite+aiosqlite:///{directory / 'intake.db'}"
    engine = create_engine(DatabaseSettings(url=url))
    try:
        await upgrade(engine, ("shared", "intake"))
        store = KeyStore(engine)
        _, provider = await store.create(
            name="governance", provider_id=PROVIDER, role=KeyRole.ADMIN
        )
        _, rosewood = await store.create(
            name="rosewood", provider_id=PROVIDER, role=KeyRole.STAFF_APP, sites=["rosewood-house"]
        )
        _, other = await store.create(name="other", provider_id=OTHER_PROVIDER, role=KeyRole.ADMIN)
    finally:
        await engine.dispose()
    return url, Keys(provider, rosewood, other)


def settings_for(
    kafka: KafkaSettings, database_url: str, keys_url: str, directory: Path, group: str = ""
) -> ReportingSettings:
    """Reporting settings on the test's topics, database, key store and sites file."""
    sites_file = directory / "sites.json"
    sites_file.write_text(json.dumps(SITES_FILE), encoding="utf-8")
    return ReportingSettings(
        kafka=kafka,
        database=DatabaseSettings(url=database_url),
        reporting=ReportingOptions(
            group_id=group or f"reporting-{uuid.uuid4().hex[:8]}", keys_database_url=keys_url,
            sites_file=sites_file, key_cache_seconds=0,
        ),
    )  # fmt: skip


async def publish(
    kafka: KafkaSettings,
    events: Sequence[EventEnvelope[Any]],
    raw: Sequence[tuple[str, bytes]] = (),
) -> None:
    """Publish events (keyed by site, as the services do) and raw (topic, value) records."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for event in events:
            record = record_for(event, kafka)
            await producer.send_and_wait(record.topic, record.value, key=record.key)
        for topic, value in raw:
            await producer.send_and_wait(topic, value, key=b"rosewood-house")
    finally:
        await producer.stop()


async def wait_for(condition: Callable[[], Awaitable[bool]], within_s: float = 60.0) -> None:
    """Poll ``condition`` until true; fail after ``within_s``."""
    deadline = asyncio.get_running_loop().time() + within_s
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.2)


@dataclass
class Served:
    """A running reporting service and a client of its API."""

    client: httpx.AsyncClient
    runtime: ReportingRuntime

    async def get(self, path: str, key: str, *, expect: int = 200, **params: Any) -> Any:
        """GET ``path`` with an API key; asserts the status is ``expect``; returns the JSON."""
        query = {name.rstrip("_"): value for name, value in params.items()}
        response = await self.client.get(path, params=query, headers={"X-API-Key": key})
        assert response.status_code == expect, response.text
        return response.json()

    async def consumed(self, records: int) -> None:
        """Wait until ``records`` records were projected, skipped or dead-lettered."""

        async def done() -> bool:
            runtime = self.runtime
            stats = runtime.consumer.stats.dead_lettered
            return runtime.projection.projected + runtime.projection.skipped + stats >= records

        await wait_for(done)


@asynccontextmanager
async def serving(settings: ReportingSettings) -> AsyncIterator[Served]:
    """The reporting app with its lifespan running, its clock fixed at NOW."""
    app = create_app(settings, clock=lambda: NOW)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://reporting") as client:
            yield Served(client=client, runtime=app.state.runtime)
