"""How an event becomes a Kafka record: CloudEvents Kafka binding, structured mode, site key."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from faststream.kafka import KafkaBroker

from shared.events.envelope import EventEnvelope
from shared.settings import KafkaSettings
from shared.topics import topic_for_event_type

STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"


@dataclass(frozen=True)
class KafkaRecord:
    """A record ready to send: topic, partition key (site id), value and headers."""

    topic: str
    key: bytes
    value: bytes
    headers: dict[str, str]


def record_for(event: EventEnvelope[Any], settings: KafkaSettings) -> KafkaRecord:
    """The record for ``event`` on its fact or derived topic, keyed by site so order holds."""
    return KafkaRecord(
        topic=topic_for(event, settings),
        key=event.siteid.encode(),
        value=event.to_json_bytes(),
        headers=headers_for(event),
    )


def topic_for(event: EventEnvelope[Any], settings: KafkaSettings) -> str:
    """The broker-side name of the topic ``event`` is published to (its record's topic)."""
    return _topic(event.type, settings.topic_prefix)


def headers_for(event: EventEnvelope[Any]) -> dict[str, str]:
    """The headers of ``event``'s record."""
    headers = {"content-type": STRUCTURED_CONTENT_TYPE}
    if event.correlationid:
        headers["correlation-id"] = event.correlationid
    if event.traceparent:  # W3C trace context, for consumers that do not parse the value
        headers["traceparent"] = event.traceparent
    return headers


@lru_cache(maxsize=512)
def _topic(event_type: str, prefix: str) -> str:
    """The broker-side name of the topic carrying ``event_type`` (``topic_name`` of
    ``topic_for_event_type``), looked up once per type and prefix; unknown types raise KeyError."""
    return topic_for_event_type(event_type).full_name(prefix)


async def publish_event(
    broker: KafkaBroker, event: EventEnvelope[Any], settings: KafkaSettings
) -> None:
    """Publish and wait until the brokers acknowledged it (acks=all); raises when they did not."""
    record = record_for(event, settings)
    await broker.publish(
        record.value,
        topic=record.topic,
        key=record.key,
        headers=record.headers,
        correlation_id=event.correlationid or event.id,
    )
