"""The AsyncAPI document of the fact topics the intake publishes, generated with FastStream.

FastStream declares one publisher per fact topic and lays out servers, channels, operations and
messages. Two things are then set from the project's own contracts rather than FastStream's
defaults: message payloads are the wire schemas checked in under ``shared/events/schemas``
(serialisation mode, so an audit's derived ``score`` is there), and message content type,
headers and key follow ``shared.publishing`` (CloudEvents structured mode, keyed by site id).

Regenerate the checked-in document with ``python -m services.intake.asyncapi``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from faststream import FastStream
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from shared.broker import topic_name
from shared.events import EVENT_TYPES
from shared.events.schemas import event_json_schema
from shared.publishing import STRUCTURED_CONTENT_TYPE
from shared.settings import KafkaSettings
from shared.topics import FACT_TOPICS, Topic

DOCUMENT_PATH = Path(__file__).resolve().parents[2] / "docs" / "asyncapi" / "intake.json"
COMPONENT_REF = "#/components/schemas/"
HEADERS = {
    "type": "object",
    "properties": {
        "content-type": {"type": "string", "const": STRUCTURED_CONTENT_TYPE},
        "correlation-id": {
            "type": "string",
            "description": "The event's correlationid, when it has one.",
        },
        "traceparent": {
            "type": "string",
            "description": "W3C trace context: the event's traceparent, when it has one.",
        },
        "learnloop-redactions": {
            "type": "string",
            "description": "JSON: identifiers masked in free text, per field and kind.",
        },
    },
    "required": ["content-type"],
}
KEY = {"type": "string", "description": "The event's siteid: one site's events stay in order."}


def asyncapi_app(settings: KafkaSettings | None = None) -> FastStream:
    """A FastStream app declaring one publisher per fact topic, with its event as payload."""
    settings = settings or KafkaSettings()  # the default topic prefix: learnloop
    broker = KafkaBroker(
        settings.bootstrap_servers,
        description="The deployment's Kafka cluster (acks=all, idempotent producers).",
    )
    for topic in FACT_TOPICS:
        # A topic carrying several event types gets a oneOf payload in asyncapi_document().
        broker.publisher(
            topic_name(topic, settings),
            title=topic_name(topic, settings),
            description=_description(topic, settings),
            schema=EVENT_TYPES[topic.event_types[0]],
        )
    specification = AsyncAPI(
        title="LearnLoop intake events",
        version="1",
        description="Fact events accepted by the intake service (HTTP API, form and imports), "
        "as published to Kafka. Consumers must be idempotent by event id.",
    )
    return FastStream(broker, specification=specification)


def _description(topic: Topic, settings: KafkaSettings) -> str:
    return (
        f"{topic.description} Events: {', '.join(topic.event_types)}. "
        "Records are keyed by site id (siteid), so each site's events stay in order on one "
        f"partition. Values are CloudEvents 1.0 in structured mode (content-type "
        f"{STRUCTURED_CONTENT_TYPE}). Messages a consumer cannot process are parked on the "
        f"dead-letter topic {topic_name(topic.dead_letter(), settings)}."
    )


def asyncapi_document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document of the intake's fact topics, as JSON-ready data."""
    document: dict[str, Any] = asyncapi_app().schema.to_specification().to_jsonable()
    document["defaultContentType"] = STRUCTURED_CONTENT_TYPE
    components = document.setdefault("components", {})
    for message in components.get("messages", {}).values():
        message["contentType"] = STRUCTURED_CONTENT_TYPE
        message["headers"] = HEADERS
        message["correlationId"] = {"location": "$message.header#/correlation-id"}
        message["bindings"] = {"kafka": {"key": KEY, "bindingVersion": "0.4.0"}}
    components["schemas"] = _wire_schemas()
    _payloads_of_multi_type_topics(document)
    return document


def _payloads_of_multi_type_topics(document: dict[str, Any]) -> None:
    """A channel whose topic carries several event types: its payload is one of them."""
    by_address = {topic_name(topic, KafkaSettings()): topic for topic in FACT_TOPICS}
    messages = document["components"].get("messages", {})
    for channel in document.get("channels", {}).values():
        topic = by_address.get(channel.get("address", ""))
        if topic is None or len(topic.event_types) < 2:
            continue
        for reference in channel.get("messages", {}).values():
            name = reference["$ref"].rsplit("/", 1)[-1]
            messages[name]["payload"] = {
                "oneOf": [
                    {"$ref": f"{COMPONENT_REF}{EVENT_TYPES[event_type].__name__}"}
                    for event_type in topic.event_types
                ]
            }


def _wire_schemas() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for event_class in EVENT_TYPES.values():
        schema = event_json_schema(event_class)
        schema.pop("$schema")
        schemas.update(schema.pop("$defs", {}))
        schemas[event_class.__name__] = schema
    with_refs: dict[str, Any] = _with_component_refs(schemas)
    return with_refs


def _with_component_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: value.replace("#/$defs/", COMPONENT_REF)
            if key == "$ref" and isinstance(value, str)
            else _with_component_refs(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_with_component_refs(item) for item in node]
    return node


def render_asyncapi() -> str:
    """The document as checked in: indented, keys sorted, a trailing newline."""
    return json.dumps(asyncapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    """Write the document to docs/asyncapi/intake.json."""
    DOCUMENT_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOCUMENT_PATH.write_text(render_asyncapi(), encoding="utf-8")
    print(f"wrote {DOCUMENT_PATH}")


if __name__ == "__main__":
    main()
