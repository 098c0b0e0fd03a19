"""The shared batch consumer: a transient fault is retried with backoff on the same batch -
nothing dropped, nothing reordered, nothing committed until the handler succeeds."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

import pytest
from aiokafka import AIOKafkaProducer

from shared.consuming import BatchConsumer, Incoming
from shared.provisioning import ensure_topics
from shared.settings import KafkaSettings
from shared.topics import INCIDENTS

pytestmark = pytest.mark.kafka


async def test_transient_failures_are_retried_in_order_before_committing(
    kafka_settings: KafkaSettings,
) -> None:
    await ensure_topics(kafka_settings, topics=[INCIDENTS])
    topic = INCIDENTS.full_name(kafka_settings.topic_prefix)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_settings.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for number in range(20):
            await producer.send_and_wait(topic, str(number).encode(), key=b"one-site")
    finally:
        await producer.stop()

    applied: list[int] = []
    failures = {"left": 3}
    committed_during_outage: list[int] = []

    async def handle(batch: Sequence[Incoming]) -> None:
        if failures["left"] > 0:
            failures["left"] -= 1
            committed_during_outage.append(sum(consumer.stats.committed.values()))
            raise ConnectionError("database unavailable")
        applied.extend(item.value for item in batch)

    consumer = BatchConsumer(
        kafka_settings,
        group_id=f"retry-{uuid.uuid4().hex[:8]}",
        topics=[topic],
        parse=lambda record: int(record.value),
        handle=handle,
        retry_backoff=(0.05, 0.2),
    )
    await consumer.start()
    task = asyncio.create_task(consumer.run())
    try:
        for _ in range(300):
            if len(applied) == 20:
                break
            await asyncio.sleep(0.1)
    finally:
        await consumer.stop()
        task.cancel()
    assert applied == list(range(20))  # one site's events: all of them, in order, once
    assert consumer.stats.retries == 3
    assert committed_during_outage == [0, 0, 0]  # nothing committed while failing
    assert sum(consumer.stats.committed.values()) == 20
