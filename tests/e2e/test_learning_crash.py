"""kill -9 the learning service in the middle of a batch, restart it: nothing is lost and nothing
is duplicated in the database; every derived event is on its topic (duplicates only by id)."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from learnloop.generator import ScenarioConfig, generate
from learnloop.processes import ServiceProcess, free_port
from services.learning.adapters.tables import facts
from shared.broker import topic_name
from shared.database import create_engine
from shared.provisioning import ensure_topics
from shared.settings import DatabaseSettings, KafkaSettings
from shared.tables import outbox, processed_events
from shared.topics import DERIVED_TOPICS
from tests.integration.services.intake.conftest import read_topic
from tests.integration.services.learning.test_learning_service import publish_events

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def count(url: str, table: object) -> int:
    engine = create_engine(DatabaseSettings(url=url))
    try:
        async with engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]
    finally:
        await engine.dispose()


async def test_kill_mid_batch_loses_and_duplicates_nothing(
    kafka_settings: KafkaSettings, postgres_url: str, tmp_path: Path
) -> None:
    await ensure_topics(kafka_settings)
    events = list(generate(ScenarioConfig(seed=7, sites=12, regions=2, months=3)))
    await publish_events(kafka_settings, events)
    port = free_port()
    env = {
        "LEARNLOOP_KAFKA__BOOTSTRAP_SERVERS": kafka_settings.bootstrap_servers,
        "LEARNLOOP_KAFKA__TOPIC_PREFIX": kafka_settings.topic_prefix,
        "LEARNLOOP_DATABASE__URL": postgres_url,
        "LEARNLOOP_LEARNING__PORT": str(port),
        "LEARNLOOP_LEARNING__GROUP_ID": f"learning-{uuid.uuid4().hex[:8]}",
        "LEARNLOOP_LEARNING__MAX_BATCH": "200",
        "LEARNLOOP_LEARNING__KEYS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}",
    }
    service = ServiceProcess("learning", env, tmp_path / "learning.log")
    service.start()
    try:
        await asyncio.to_thread(service.wait_healthy, port)
        for _ in range(600):  # kill once some, but not all, facts are applied
            applied = await count(postgres_url, facts)
            if applied > 0:
                break
            await asyncio.sleep(0.05)
        service.kill()
        killed_at = await count(postgres_url, facts)
        assert 0 < killed_at < len(events), "the kill should land mid-stream"

        service.start()
        await asyncio.to_thread(service.wait_healthy, port)
        for _ in range(1200):
            if await count(postgres_url, facts) == len(events):
                pending = await _pending(postgres_url)
                if pending == 0:
                    break
            await asyncio.sleep(0.1)
    finally:
        service.stop()

    assert await count(postgres_url, facts) == len(events)
    assert await count(postgres_url, processed_events) == len(events)
    stored = await _outbox_ids(postgres_url)
    published: list[str] = []
    for topic in DERIVED_TOPICS:
        for _, value, _ in await read_topic(kafka_settings, topic_name(topic, kafka_settings)):
            published.append(json.loads(value)["id"])
    assert set(published) == stored  # none lost, none invented
    print(
        f"killed after {killed_at}/{len(events)} facts; {len(stored)} derived events; "
        f"{len(published) - len(set(published))} duplicate deliveries (absorbed by id)"
    )


async def _pending(url: str) -> int:
    engine = create_engine(DatabaseSettings(url=url))
    try:
        async with engine.connect() as connection:
            query = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            return int(await connection.scalar(query) or 0)
    finally:
        await engine.dispose()


async def _outbox_ids(url: str) -> set[str]:
    engine = create_engine(DatabaseSettings(url=url))
    try:
        async with engine.connect() as connection:
            return set((await connection.execute(select(outbox.c.event_id))).scalars().all())
    finally:
        await engine.dispose()
