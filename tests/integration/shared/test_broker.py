"""Events published with the broker factory reach a real consumer group on the real broker, and a
CloudEvents implementation we did not write (the official Python SDK) reads them."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from cloudevents.core.bindings.kafka import KafkaMessage as CloudEventsKafkaMessage
from cloudevents.core.bindings.kafka import from_kafka
from cloudevents.core.formats.json import JSONFormat
from faststream.kafka import KafkaMessage

from shared.broker import consumer_options, kafka_broker, topic_name
from shared.events import IncidentReported, parse_fact_event
from shared.provisioning import admin_client, ensure_topics
from shared.publishing import publish_event
from shared.settings import KafkaSettings
from shared.topics import INCIDENTS
from tests.unit.shared.events.examples import fall_incident

pytestmark = pytest.mark.kafka


async def test_published_event_is_consumed_and_read_by_the_cloudevents_sdk(
    kafka_settings: KafkaSettings,
) -> None:
    await ensure_topics(kafka_settings, topics=[INCIDENTS])
    topic = topic_name(INCIDENTS, kafka_settings)
    group = f"test-group-{uuid.uuid4().hex[:8]}"
    broker = kafka_broker(kafka_settings, client_id="test")
    received: asyncio.Queue[KafkaMessage] = asyncio.Queue()

    @broker.subscriber(topic, **consumer_options(group))
    async def collect(message: KafkaMessage) -> None:
        await received.put(message)

    event = fall_incident().model_copy(update={"id": f"evt-{uuid.uuid4().hex}"})
    async with broker:
        await broker.start()
        await publish_event(broker, event, kafka_settings)
        message = await asyncio.wait_for(received.get(), timeout=30)

    record = message.raw_message
    assert isinstance(record, ConsumerRecord)
    headers = {name: value for name, value in record.headers}
    cloud_event = from_kafka(
        CloudEventsKafkaMessage(headers=headers, key=record.key, value=record.value), JSONFormat()
    )
    assert headers["content-type"].startswith(b"application/cloudevents+json")
    assert cloud_event.get_id() == event.id
    assert cloud_event.get_type() == "incident.reported"
    assert cloud_event.get_source() == event.source
    assert cloud_event.get_extension("siteid") == event.siteid
    assert cloud_event.get_extension("partitionkey") == event.siteid  # keyed by site
    assert parse_fact_event(record.value) == event
    assert isinstance(parse_fact_event(record.value), IncidentReported)


async def test_consumer_group_commits_only_after_the_handler_succeeded(
    kafka_settings: KafkaSettings,
) -> None:
    await ensure_topics(kafka_settings, topics=[INCIDENTS])
    topic = topic_name(INCIDENTS, kafka_settings)
    group = f"test-group-{uuid.uuid4().hex[:8]}"
    broker = kafka_broker(kafka_settings, client_id="test")
    attempts: list[str] = []
    done = asyncio.Event()

    @broker.subscriber(topic, **consumer_options(group))
    async def flaky(message: KafkaMessage) -> None:
        attempts.append(message.message_id)
        if len(attempts) == 1:
            raise RuntimeError("database unavailable")  # a transient fault: not committed
        done.set()

    event = fall_incident().model_copy(update={"id": f"evt-{uuid.uuid4().hex}"})
    async with broker:
        await broker.start()
        await publish_event(broker, event, kafka_settings)
        await asyncio.wait_for(done.wait(), timeout=30)
        offsets: dict[TopicPartition, int] = {}
        for _ in range(100):  # the commit follows the successful handler call
            offsets = await _committed(kafka_settings, group)
            if any(offset >= 1 for offset in offsets.values()):
                break
            await asyncio.sleep(0.1)

    assert attempts[0] == attempts[1]  # the same message again: redelivered, not skipped
    assert len(attempts) == 2
    [(tp, offset)] = [(tp, offset) for tp, offset in offsets.items() if offset > 0]
    assert tp.topic == topic
    assert offset == 1


async def _committed(settings: KafkaSettings, group: str) -> dict[TopicPartition, int]:
    admin = admin_client(settings)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
