"""The generic CloudEvents envelope: attributes, defaults, serialisation and rejection."""

import json
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from shared.events import EVENT_TYPES, EventEnvelope, IncidentReported
from tests.unit.shared.events.examples import (
    PROVIDER,
    SOURCE,
    all_examples,
    as_json_dict,
    assert_only_errors_at,
    changed,
    fall_incident,
    without,
)

CORE_ATTRIBUTES = {
    "specversion", "id", "source", "type", "time",
    "subject", "datacontenttype", "dataschema", "data",
}  # fmt: skip


class Ping(BaseModel):
    """A minimal payload for exercising the generic envelope."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    note: str


def ping(**attributes: Any) -> EventEnvelope[Ping]:
    return EventEnvelope[Ping](
        source=SOURCE, type="test.ping", **PROVIDER, data=Ping(note="hi"), **attributes
    )


def test_defaults_fill_required_cloudevents_attributes() -> None:
    event = ping()
    assert event.specversion == "1.0"
    assert event.datacontenttype == "application/json"
    assert event.schemaversion == 1
    assert uuid.UUID(event.id).version == 4
    assert event.time.tzinfo is not None
    assert abs(datetime.now(UTC) - event.time) < timedelta(minutes=1)
    assert ping().id != event.id


def test_generic_envelope_round_trips_through_json() -> None:
    event = ping(subject="pings/1", correlationid="corr-1")
    assert EventEnvelope[Ping].from_json_bytes(event.to_json_bytes()) == event


def test_time_with_an_offset_is_normalised_to_utc() -> None:
    bst = timezone(timedelta(hours=1))
    event = ping(time=datetime(2025, 7, 1, 0, 30, tzinfo=bst))
    assert event.time == datetime(2025, 6, 30, 23, 30, tzinfo=UTC)
    assert event.time.utcoffset() == timedelta(0)
    assert json.loads(event.to_json_bytes())["time"] == "2025-06-30T23:30:00Z"


def test_json_omits_absent_optional_attributes() -> None:
    wire = json.loads(fall_incident().to_json_bytes())
    assert "dataschema" not in wire
    assert "correlationid" not in wire
    assert wire["type"] == "incident.reported"
    assert wire["specversion"] == "1.0"
    assert set(wire) >= {"id", "source", "time", "providerid", "siteid", "region", "data"}


def test_events_are_immutable() -> None:
    event = fall_incident()
    with pytest.raises(ValidationError):
        event.siteid = "another-site"  # type: ignore[misc]


@pytest.mark.parametrize("event_class", [EventEnvelope, *EVENT_TYPES.values()])
def test_extension_attribute_names_follow_the_cloudevents_naming_rule(
    event_class: type[BaseModel],
) -> None:
    extensions = set(event_class.model_fields) - CORE_ATTRIBUTES
    assert extensions == {"providerid", "siteid", "region", "schemaversion", "correlationid",
                          "traceparent"}  # fmt: skip
    for name in extensions:
        assert re.fullmatch(r"[a-z0-9]{1,20}", name), name


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", ""),
        ("id", "has space"),
        ("id", "x" * 129),
        ("source", ""),
        ("source", "/providers/harbour care"),
        ("specversion", "0.3"),
        ("datacontenttype", "application/xml"),
        ("time", "2025-03-14T02:40:00"),
        ("time", "not a time"),
        ("providerid", "Harbour Care"),
        ("siteid", "rosewood_house"),
        ("siteid", "-rosewood"),
        ("siteid", ""),
        ("region", "r" * 64),
        ("schemaversion", 2),
        ("type", "complaint.received"),
        ("correlationid", "corr 1"),
        ("subject", ""),
        ("unexpected", "value"),
    ],
)
def test_invalid_attributes_are_rejected_at_the_attribute(field: str, value: object) -> None:
    raw = changed(fall_incident(), [field], value)
    with pytest.raises(ValidationError) as caught:
        IncidentReported.model_validate(raw)
    assert_only_errors_at(caught.value, (field,))


@pytest.mark.parametrize("field", ["source", "providerid", "siteid", "region", "data"])
def test_missing_required_attributes_are_reported(field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        IncidentReported.model_validate(without(fall_incident(), [field]))
    assert caught.value.errors()[0]["type"] == "missing"
    assert_only_errors_at(caught.value, (field,))


@pytest.mark.parametrize("event", all_examples(), ids=lambda event: event.type)
def test_events_are_readable_by_the_cloudevents_sdk(event: Any) -> None:
    json_format = pytest.importorskip("cloudevents.core.formats.json")
    cloud_event = json_format.JSONFormat().read(None, event.to_json_bytes())
    assert cloud_event.get_type() == event.type
    assert cloud_event.get_id() == event.id
    assert cloud_event.get_extension("siteid") == event.siteid
    assert cloud_event.get_data() == as_json_dict(event)["data"]
    rewritten = json_format.JSONFormat().write(cloud_event)
    assert type(event).from_json_bytes(rewritten) == event
