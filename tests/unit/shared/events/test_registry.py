"""The registry of fact event types and parsing any of them from the wire."""

import json
from typing import Any

import pytest
from pydantic import ValidationError

from shared.events import (
    EVENT_TYPES,
    FACT_EVENT_ADAPTER,
    AuditCompleted,
    ComplaintReceived,
    ComplaintResolved,
    FeedbackReceived,
    IncidentReported,
    UnknownEventTypeError,
    event_class_for,
    event_type_name,
    parse_fact_event,
    schema_version,
)
from tests.unit.shared.events.examples import (
    all_examples,
    as_json_dict,
    changed,
    error_locs,
    fall_incident,
    without,
)

EXAMPLES = all_examples()


def test_every_event_type_is_registered_under_its_cloudevents_type() -> None:
    expected = {
        "incident.reported": IncidentReported,
        "complaint.received": ComplaintReceived,
        "audit.completed": AuditCompleted,
        "feedback.received": FeedbackReceived,
        "complaint.resolved": ComplaintResolved,
    }
    registered = dict(EVENT_TYPES)
    assert registered == expected
    for type_name, event_class in EVENT_TYPES.items():
        assert event_type_name(event_class) == type_name
        assert schema_version(event_class) == 1


def test_event_class_for_looks_up_by_type() -> None:
    assert event_class_for("audit.completed") is AuditCompleted
    with pytest.raises(UnknownEventTypeError, match=r"incident\.deleted"):
        event_class_for("incident.deleted")


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda event: event.id)
@pytest.mark.parametrize("form", ["bytes", "str", "dict"])
def test_parse_fact_event_returns_the_concrete_event(event: Any, form: str) -> None:
    wire = event.to_json_bytes()
    raw: Any = {"bytes": wire, "str": wire.decode(), "dict": json.loads(wire)}[form]
    parsed = parse_fact_event(raw)
    assert type(parsed) is type(event)
    assert parsed == event


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda event: event.id)
def test_the_discriminated_union_accepts_every_example(event: Any) -> None:
    assert FACT_EVENT_ADAPTER.validate_json(event.to_json_bytes()) == event


def test_field_errors_are_plain_paths_without_the_union_tag() -> None:
    raw = changed(fall_incident(), ["data", "physical_harm"], "catastrophic")
    for form in (raw, json.dumps(raw), json.dumps(raw).encode()):
        with pytest.raises(ValidationError) as caught:
            parse_fact_event(form)
        assert error_locs(caught.value) == [("data", "physical_harm")]


@pytest.mark.parametrize(
    ("raw", "error_type", "loc"),
    [
        (changed(fall_incident(), ["type"], "incident.deleted"), "union_tag_invalid", ("type",)),
        (changed(fall_incident(), ["type"], 7), "union_tag_invalid", ("type",)),
        (without(fall_incident(), ["type"]), "missing", ("type",)),
        (b"{not json", "json_invalid", ()),
        (b"[1, 2]", "model_attributes_type", ()),
        ("null", "model_attributes_type", ()),
    ],
)
def test_unparseable_or_unknown_events_raise_validation_errors(
    raw: Any, error_type: str, loc: tuple[str, ...]
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_fact_event(raw)
    [error] = caught.value.errors()
    assert error["type"] == error_type
    assert error["loc"] == loc


def test_examples_cover_every_event_type() -> None:
    assert {event.type for event in EXAMPLES} == set(EVENT_TYPES)
    assert all(as_json_dict(event)["type"] in EVENT_TYPES for event in EXAMPLES)
