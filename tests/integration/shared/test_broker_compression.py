"""Every producer compression LearnLoop may be configured with round-trips on the real broker:
the intake's publisher compresses (single records and whole record batches alike) and the
services' batch consumer reads the events back, none lost, none changed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Literal

import pytest
from aiokafka.codec import has_zstd

from services.intake.adapters.publisher import MIN_RECORDS_FOR_A_BATCH, EventPublisher
from shared.broker import producer_options, topic_name
from shared.consuming import BatchConsumer, Incoming
from shared.events import AnyFactEvent, parse_fact_event
from shared.provisioning import ensure_topics
from shared.publishing import record_for
from shared.settings import KafkaSettings
from shared.topics import INCIDENTS
from tests.unit.shared.events.examples import fall_incident

pytestmark = pytest.mark.kafka

Compression = Literal["gzip", "snappy", "lz4", "zstd"]


def test_zstd_is_installed() -> None:
    # aiokafka compresses zstd through cramjam (the aiokafka[zstd] dependency).
    assert has_zstd()


@pytest.mark.parametrize("compression", ["zstd", "gzip", "lz4", "snappy"])
async def test_compressed_events_are_read_back_by_the_batch_consumer(
    kafka_settings: KafkaSettings, compression: Compression
) -> None:
    settings = kafka_settings.model_copy(update={"compression_type": compression})
    assert producer_options(settings)["compression_type"] == compression
    await ensure_topics(settings, topics=[INCIDENTS])
    topic = topic_name(INCIDENTS, settings)
    template = fall_incident()
    events = [
        template.model_copy(update={"id": f"evt-{compression}-{n}-{uuid.uuid4().hex[:6]}"})
        for n in range(MIN_RECORDS_FOR_A_BATCH + 4)  # one site: framed as a whole batch
    ]
    single = template.model_copy(update={"id": f"evt-{compression}-single"})

    publisher = EventPublisher(settings, timeout_ms=10_000)
    await publisher.start()
    try:
        outcomes = [
            *await publisher.publish([record_for(event, settings) for event in events]),
            *await publisher.publish([record_for(single, settings)]),  # producer.send path
        ]
    finally:
        await publisher.stop()
    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]

    received: list[AnyFactEvent] = []

    async def handle(batch: Sequence[Incoming]) -> None:
        received.extend(item.value for item in batch)

    consumer = BatchConsumer(
        settings,
        group_id=f"compression-{compression}-{uuid.uuid4().hex[:8]}",
        topics=[topic],
        parse=lambda record: parse_fact_event(record.value),
        handle=handle,
    )
    await consumer.start()
    task = asyncio.create_task(consumer.run())
    try:
        for _ in range(300):
            if len(received) >= len(events) + 1:
                break
            await asyncio.sleep(0.1)
    finally:
        await consumer.stop()
        task.cancel()
    assert received == [*events, single]  # in order, unchanged
    assert consumer.stats.dead_lettered == 0
