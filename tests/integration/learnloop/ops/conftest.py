"""Small topics on the real broker, dead letters written the way consumers write them, the CLI.

Topics have two partitions (not six) to keep the shared test broker light; the ops tools read the
partition count from the cluster, so nothing depends on it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from typer.testing import CliRunner, Result

from learnloop.ops.settings import OpsOptions, OpsSettings
from learnloop.ops_cli import ops_app
from shared.broker import topic_name
from shared.consuming import dead_letter_headers
from shared.provisioning import ensure_topics
from shared.settings import KafkaSettings
from shared.topics import DEAD_LETTER_SUFFIX, INCIDENTS

SOURCE = dataclasses.replace(INCIDENTS, partitions=2)
NOWHERE = "http://127.0.0.1:9"  # nothing listens: services are reported down


@dataclass(frozen=True)
class Topics:
    """Broker-side names of the source topic and its dead-letter topic."""

    source: str
    dead_letters: str


@pytest.fixture
async def topics(kafka_settings: KafkaSettings) -> Topics:
    await ensure_topics(kafka_settings, topics=[SOURCE, SOURCE.dead_letter()])
    source = topic_name(SOURCE, kafka_settings)
    return Topics(source=source, dead_letters=source + DEAD_LETTER_SUFFIX)


@pytest.fixture
def ops_settings(kafka_settings: KafkaSettings) -> OpsSettings:
    return OpsSettings(
        kafka=kafka_settings,
        ops=OpsOptions(intake_url=NOWHERE, learning_url=NOWHERE, reporting_url=NOWHERE),
    )


@pytest.fixture
def cli_env(kafka_settings: KafkaSettings) -> dict[str, str]:
    """Environment for `learnloop ops` run in-process against this test's topics."""
    return {
        "LEARNLOOP_KAFKA__BOOTSTRAP_SERVERS": kafka_settings.bootstrap_servers,
        "LEARNLOOP_KAFKA__TOPIC_PREFIX": kafka_settings.topic_prefix,
        "LEARNLOOP_OPS__INTAKE_URL": NOWHERE,
        "LEARNLOOP_OPS__LEARNING_URL": NOWHERE,
        "LEARNLOOP_OPS__REPORTING_URL": NOWHERE,
    }


async def invoke(args: list[str], env: dict[str, str]) -> Result:
    """Run `learnloop ops ARGS` with CliRunner in a thread (the commands run their own loop)."""
    runner = CliRunner()
    return await asyncio.to_thread(lambda: runner.invoke(ops_app, args, env=env))


async def produce(
    kafka: KafkaSettings,
    topic: str,
    values: list[bytes],
    *,
    partition: int | None = 0,
    key: bytes | None = b"rosewood-house",
    headers: list[tuple[str, bytes]] | None = None,
    timestamp_ms: int | None = None,
) -> list[int]:
    """Publish ``values``; the partition each landed on (``partition=None``: chosen by key)."""
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, acks="all")
    await producer.start()
    try:
        landed = []
        for value in values:
            sent = await producer.send_and_wait(
                topic, value, key=key, partition=partition, headers=headers,
                timestamp_ms=timestamp_ms,
            )  # fmt: skip
            landed.append(sent.partition)
        return landed
    finally:
        await producer.stop()


async def read_partition(
    kafka: KafkaSettings, tp: TopicPartition
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of one partition right now."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        end = (await consumer.end_offsets([tp]))[tp]
        records: list[ConsumerRecord[bytes, bytes]] = []
        while await consumer.position(tp) < end:
            for batch in (await consumer.getmany(tp, timeout_ms=1000)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


async def dead_letter(
    kafka: KafkaSettings, topics: Topics, value: bytes, *, error: str, key: bytes
) -> ConsumerRecord[bytes, bytes]:
    """Publish ``value`` to the source topic, consume it, and park it as BatchConsumer does.

    Both records are partitioned by key, as in the services, so the dead letter sits on the
    same partition number of the DLQ topic as the original on the source topic.
    """
    original = [("ce_id", b"evt-42"), ("correlation-id", b"corr-7")]
    [partition] = await produce(
        kafka, topics.source, [value], partition=None, key=key, headers=original
    )
    record = (await read_partition(kafka, TopicPartition(topics.source, partition)))[-1]
    await produce(
        kafka,
        topics.dead_letters,
        [value],
        partition=None,
        key=record.key,
        headers=dead_letter_headers(
            record, consumer="learnloop-learning", reason="contract_violation", error=error
        ),
    )
    return record
