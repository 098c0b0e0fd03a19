"""The AsyncAPI document: each fact topic with its event schema; the checked-in copy is current."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.intake.asyncapi import DOCUMENT_PATH, asyncapi_document, render_asyncapi
from shared.events import EVENT_TYPES, IncidentReported
from shared.publishing import STRUCTURED_CONTENT_TYPE
from shared.topics import FACT_TOPICS


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return asyncapi_document()


def resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


@pytest.mark.parametrize("topic", FACT_TOPICS, ids=lambda topic: topic.name)
def test_every_fact_topic_is_a_channel_carrying_its_event(
    document: dict[str, Any], topic: Any
) -> None:
    address = topic.full_name("learnloop")
    [channel] = [c for c in document["channels"].values() if c["address"] == address]
    assert "keyed by site id" in channel["description"]
    assert STRUCTURED_CONTENT_TYPE in channel["description"]
    assert f"{address}.dlq" in channel["description"]
    [message_ref] = channel["messages"].values()
    message = resolve(document, message_ref["$ref"])
    assert message["contentType"] == STRUCTURED_CONTENT_TYPE
    assert message["bindings"]["kafka"]["key"]["type"] == "string"
    refs = [
        {"$ref": f"#/components/schemas/{EVENT_TYPES[event_type].__name__}"}
        for event_type in topic.event_types
    ]
    assert message["payload"] == (refs[0] if len(refs) == 1 else {"oneOf": refs})
    operations = [op for op in document["operations"].values() if op["action"] == "send"]
    assert any(resolve(document, op["channel"]["$ref"]) == channel for op in operations)


def test_payload_schemas_are_the_event_contracts(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    incident = schemas["IncidentReported"]
    assert set(IncidentReported.model_fields) <= set(incident["properties"])
    assert incident["properties"]["data"] == {"$ref": "#/components/schemas/Incident"}
    assert "physical_harm" in schemas["Incident"]["properties"]
    assert "score" in schemas["Audit"]["properties"]  # on the wire, derived on input
    targets = {ref.split('"')[0] for ref in json.dumps(document).split('"$ref": "')[1:]}
    assert all(resolve(document, target) for target in targets), "every $ref resolves"


def test_the_checked_in_document_is_current() -> None:
    assert DOCUMENT_PATH.read_text(encoding="utf-8") == render_asyncapi(), (
        "docs/asyncapi/intake.json is out of date: run `python -m services.intake.asyncapi`"
    )
