"""The publisher on the real broker: each record's reported partition and offset are where it is."""

from __future__ import annotations

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.partitioner import murmur2

from services.intake.adapters.publisher import MIN_RECORDS_FOR_A_BATCH, EventPublisher
from shared.broker import topic_name
from shared.provisioning import ensure_topics
from shared.publishing import KafkaRecord
from shared.settings import KafkaSettings
from shared.topics import INCIDENTS

pytestmark = pytest.mark.kafka


async def records_at(
    kafka: KafkaSettings, topic: str, positions: list[tuple[int, int]]
) -> list[tuple[bytes, bytes]]:
    """(key, value) of the record at each (partition, offset)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        found = []
        for partition, offset in positions:
            tp = TopicPartition(topic, partition)
            consumer.assign([tp])
            consumer.seek(tp, offset)
            message = await consumer.getone()
            assert (message.partition, message.offset) == (partition, offset)
            found.append((message.key, message.value))
        return found
    finally:
        await consumer.stop()


async def test_every_record_is_where_its_outcome_says_in_batches_and_alone(
    kafka_settings: KafkaSettings,
) -> None:
    await ensure_topics(kafka_settings, topics=[INCIDENTS])
    topic = topic_name(INCIDENTS, kafka_settings)
    # Many records for one site (sent as whole batches, more than one as they are large), and a
    # few for other sites (sent one by one), interleaved.
    records = []
    for n in range(3 * MIN_RECORDS_FOR_A_BATCH):
        records.append(KafkaRecord(topic, b"rosewood-house", b"%d" % n + b"x" * 100_000, {}))
        if n % 8 == 0:
            records.append(KafkaRecord(topic, f"site-{n}".encode(), b"small %d" % n, {"h": "v"}))
    publisher = EventPublisher(kafka_settings, timeout_ms=5000)
    await publisher.start()
    try:
        outcomes = await publisher.publish(records)
    finally:
        await publisher.stop()
    positions = []
    for outcome in outcomes:
        assert not isinstance(outcome, Exception)
        assert outcome.topic == topic
        positions.append((outcome.partition, outcome.offset))
    assert len(set(positions)) == len(records)
    stored = await records_at(kafka_settings, topic, positions)
    assert stored == [(r.key, r.value) for r in records]
    # Keyed like any Kafka client (murmur2), so a site's events share one partition, in order.
    for record, (partition, _) in zip(records, positions, strict=True):
        assert partition == (murmur2(record.key) & 0x7FFFFFFF) % INCIDENTS.partitions
    site = [
        offset
        for r, (_, offset) in zip(records, positions, strict=True)
        if r.key == b"rosewood-house"
    ]
    assert site == sorted(site)
