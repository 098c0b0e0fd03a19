"""The shared batch consumer: a transient fault is retried with backoff on the same batch -
nothing dropped, nothing reordered, nothing committed until the handler succeeds."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord, TopicPartition

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


async def produce_numbers(kafka_settings: KafkaSettings, count: int) -> str:
    await ensure_topics(kafka_settings, topics=[INCIDENTS])
    topic = INCIDENTS.full_name(kafka_settings.topic_prefix)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_settings.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for number in range(count):
            await producer.send_and_wait(topic, str(number).encode(), key=b"one-site")
    finally:
        await producer.stop()
    return topic


async def test_a_batch_that_cannot_be_processed_is_read_again_not_skipped(
    kafka_settings: KafkaSettings,
) -> None:
    topic = await produce_numbers(kafka_settings, 20)
    applied: list[int] = []
    broken = {"left": 1}

    def parse(record: ConsumerRecord[bytes, bytes]) -> int:
        if int(record.value) == 5 and broken["left"]:
            broken["left"] -= 1
            raise RuntimeError("not a poison record: a fault outside the handler")
        return int(record.value)

    async def handle(batch: Sequence[Incoming]) -> None:
        applied.extend(item.value for item in batch)

    consumer = BatchConsumer(
        kafka_settings, group_id=f"rewind-{uuid.uuid4().hex[:8]}", topics=[topic],
        parse=parse, handle=handle, max_records=7,
    )  # fmt: skip
    await consumer.start()
    task = asyncio.create_task(consumer.run())
    try:
        for _ in range(300):
            if len(applied) >= 20:
                break
            await asyncio.sleep(0.1)
        still_running = not task.done()
    finally:
        await consumer.stop()
        task.cancel()
    assert applied == list(range(20))  # the failed batch came back, nothing skipped
    assert consumer.stats.last_error == "RuntimeError"
    assert still_running  # the loop survived the failure


async def test_partitions_lost_during_a_batch_do_not_stop_the_consumer(
    kafka_settings: KafkaSettings,
) -> None:
    topic = await produce_numbers(kafka_settings, 3)
    handled: list[int] = []

    async def handle(batch: Sequence[Incoming]) -> None:
        handled.extend(item.value for item in batch)

    consumer = BatchConsumer(
        kafka_settings, group_id=f"lost-{uuid.uuid4().hex[:8]}", topics=[topic],
        parse=lambda record: int(record.value), handle=handle,
    )  # fmt: skip
    await consumer.start()
    try:
        for _ in range(100):
            if consumer.assignment():
                break
            await asyncio.sleep(0.1)
        owned = sorted(consumer.assignment())[0]
        gone = TopicPartition(topic + "-moved", 0)  # as if a rebalance took it mid-batch
        record = ConsumerRecord(
            topic=gone.topic, partition=0, offset=41, timestamp=0, timestamp_type=0,
            key=b"k", value=b"7", checksum=None, serialized_key_size=1,
            serialized_value_size=1, headers=(),
        )  # fmt: skip
        mine = ConsumerRecord(
            topic=owned.topic, partition=owned.partition, offset=0, timestamp=0,
            timestamp_type=0, key=b"k", value=b"8", checksum=None, serialized_key_size=1,
            serialized_value_size=1, headers=(),
        )  # fmt: skip
        await consumer.process({gone: [record], owned: [mine]})  # raised IllegalStateError
    finally:
        await consumer.stop()
    assert handled == [7, 8]
    assert consumer.stats.committed == {owned: 1}  # what it still owns is committed
