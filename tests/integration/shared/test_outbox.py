"""The outbox relay on the real broker: each row becomes the record ``record_for`` gives its
event (topic, key, value, headers), on the partition ``AIOKafkaProducer.send()`` would choose for
its key, in row order within each partition; rows are marked published only once Kafka has them.
Record batches that fill up are sent and new ones started (a tiny batch size forces it)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import func, select

from learnloop.generator import ScenarioConfig, generate
from shared import outbox
from shared.broker import client_options, producer_options
from shared.database import create_engine
from shared.events.envelope import EventEnvelope
from shared.migrate import upgrade
from shared.provisioning import ensure_topics
from shared.publishing import record_for
from shared.settings import DatabaseSettings, KafkaSettings
from shared.tables import outbox as outbox_table

pytestmark = pytest.mark.kafka

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def _events() -> list[EventEnvelope[Any]]:
    facts = list(generate(ScenarioConfig(seed=11, sites=12, regions=2, months=2)))[:150]
    events: list[EventEnvelope[Any]] = []
    for i, fact in enumerate(facts):  # rows sharing their headers, and rows with their own
        fact = fact.model_copy(update={"traceparent": TRACEPARENT}) if i % 3 else fact
        events += [fact, fact.model_copy(update={"id": f"{fact.id}-2"})]
    return events


async def _read_back(settings: KafkaSettings, topics: set[str], count: int) -> list[Any]:
    consumer = AIOKafkaConsumer(
        *sorted(topics), **client_options(settings, client_id="outbox-test"),
        auto_offset_reset="earliest", enable_auto_commit=False, group_id=None,
    )  # fmt: skip
    await consumer.start()
    received: list[Any] = []
    try:
        for _ in range(60):
            batches = await consumer.getmany(timeout_ms=500)
            received += [record for records in batches.values() for record in records]
            if len(received) >= count:
                break
    finally:
        await consumer.stop()
    return received


async def _partitions_send_would_choose(
    settings: KafkaSettings, probes: dict[str, str], keys: set[bytes]
) -> dict[tuple[str, bytes], int]:
    """Where the producer's own partitioner puts each key: one record per key on each probe
    topic (``probes`` maps a topic to its probe, which has as many partitions)."""
    producer = AIOKafkaProducer(
        **client_options(settings, client_id="outbox-test"), **producer_options(settings)
    )
    await producer.start()
    try:
        chosen = {}
        for topic, probe in probes.items():
            for key in keys:
                metadata = await producer.send_and_wait(probe, b"-", key=key)
                chosen[(topic, key)] = metadata.partition
    finally:
        await producer.stop()
    return chosen


async def test_the_relay_sends_each_row_as_its_record_in_order(
    kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    await ensure_topics(kafka_settings)
    events = _events()
    expected = {event.id: record_for(event, kafka_settings) for event in events}
    topics = {record.topic for record in expected.values()}
    # Probe topics with the same partition count (6) as the real ones, made on first use.
    await ensure_topics(
        kafka_settings.model_copy(update={"topic_prefix": f"{kafka_settings.topic_prefix}.x"})
    )
    engine = create_engine(DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path}/r.db"))
    try:
        await upgrade(engine, ("shared",))
        async with engine.begin() as connection:
            await outbox.add(connection, events, kafka_settings)
        relay = outbox.OutboxRelay(engine, kafka_settings, batch_size=120)
        relay._producer = AIOKafkaProducer(  # record batches of ~2 events: many fill up
            **client_options(kafka_settings, client_id="outbox"),
            **{**producer_options(kafka_settings), "max_batch_size": 2048},
        )
        await relay._producer.start()
        try:
            while await relay.relay_once():
                pass
        finally:
            await relay.stop()
        async with engine.connect() as connection:
            unpublished = await connection.scalar(
                select(func.count())
                .select_from(outbox_table)
                .where(outbox_table.c.published_at.is_(None))
            )
    finally:
        await engine.dispose()
    assert relay.published == len(events)
    assert unpublished == 0

    received = await _read_back(kafka_settings, topics, len(events))
    assert sorted(r.value for r in received) == sorted(e.value for e in expected.values())
    by_value = {record.value: record for record in expected.values()}
    for record in received:
        sent = by_value[record.value]
        assert (record.topic, record.key) == (sent.topic, sent.key)
        assert dict((name, value.decode()) for name, value in record.headers) == sent.headers

    order = {record_for(event, kafka_settings).value: n for n, event in enumerate(events)}
    per_partition: dict[tuple[str, int], list[int]] = defaultdict(list)
    for record in sorted(received, key=lambda r: (r.topic, r.partition, r.offset)):
        per_partition[(record.topic, record.partition)].append(order[record.value])
    assert len(per_partition) > 3
    assert all(rows == sorted(rows) for rows in per_partition.values())

    prefix = kafka_settings.topic_prefix
    probes = {topic: f"{prefix}.x.{topic.removeprefix(prefix + '.')}" for topic in topics}
    chosen = await _partitions_send_would_choose(
        kafka_settings, probes, {record.key for record in received}
    )
    for record in received:
        assert record.partition == chosen[(record.topic, record.key)], (record.topic, record.key)
