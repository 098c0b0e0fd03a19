"""An intake app on the real broker and a real database, with API keys for two providers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from services.intake.adapters.key_store import KeyStore
from services.intake.domain.api_keys import KeyRole
from services.intake.http.app import IntakeState, create_app
from services.intake.settings import IntakeOptions, IntakeSettings
from shared.database import create_engine
from shared.provisioning import admin_client, ensure_topics
from shared.settings import DatabaseSettings, KafkaSettings

PROVIDER = "harbour-care"  # the provider of the example events


@dataclass
class IntakeHarness:
    """A client of a running intake app, and keys to call it with."""

    client: httpx.AsyncClient
    state: IntakeState
    kafka: KafkaSettings
    provider_key: str  # every site of harbour-care
    site_key: str  # only harbour-care / rosewood-house
    other_site_key: str  # only harbour-care / elm-court
    other_provider_key: str  # another provider
    other_provider_key_id: str

    def headers(self, key: str | None = None, **extra: str) -> dict[str, str]:
        return {"X-API-Key": key or self.provider_key, **extra}


async def make_harness(
    kafka: KafkaSettings, database_url: str, **options: object
) -> AsyncIterator[IntakeHarness]:
    await ensure_topics(kafka)
    settings = IntakeSettings(
        kafka=kafka,
        database=DatabaseSettings(url=database_url),
        intake=IntakeOptions.model_validate(options),
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        state: IntakeState = app.state.intake
        engine = create_engine(settings.database)
        store = KeyStore(engine)
        _, provider_key = await store.create(
            name="care system", provider_id=PROVIDER, role=KeyRole.SOURCE_SYSTEM
        )
        _, site_key = await store.create(
            name="rosewood app", provider_id=PROVIDER, role=KeyRole.STAFF_APP,
            sites=["rosewood-house"],
        )  # fmt: skip
        _, other_site_key = await store.create(
            name="elm app", provider_id=PROVIDER, role=KeyRole.STAFF_APP, sites=["elm-court"]
        )
        other, other_provider_key = await store.create(
            name="other provider", provider_id="other-care", role=KeyRole.ADMIN
        )
        await engine.dispose()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            yield IntakeHarness(
                client=client,
                state=state,
                kafka=kafka,
                provider_key=provider_key,
                site_key=site_key,
                other_site_key=other_site_key,
                other_provider_key=other_provider_key,
                other_provider_key_id=other.key_id,
            )


@pytest.fixture
async def intake(kafka_settings: KafkaSettings, sqlite_url: str) -> AsyncIterator[IntakeHarness]:
    async for harness in make_harness(kafka_settings, sqlite_url):
        yield harness


async def read_topic(
    kafka: KafkaSettings, topic: str
) -> list[tuple[bytes, bytes, dict[str, bytes]]]:
    """Every record on ``topic`` right now: (key, value, headers)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka.bootstrap_servers, enable_auto_commit=False,
        isolation_level="read_committed",
    )  # fmt: skip
    admin = admin_client(kafka)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    partitions = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[tuple[bytes, bytes, dict[str, bytes]]] = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(timeout_ms=1000)
            for messages in batch.values():
                for m in messages:
                    records.append((m.key, m.value, dict(m.headers)))
        return records
    finally:
        await consumer.stop()
