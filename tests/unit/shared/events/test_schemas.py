"""The checked-in JSON Schemas: in sync with the models, and describing the wire format."""

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from shared.events import (
    EVENT_TYPES,
    SCHEMA_DIRECTORY,
    export_json_schemas,
    render_json_schemas,
    schema_filename,
    sensitive_fields,
)
from shared.events.derived import DERIVED_EVENT_TYPES
from tests.unit.shared.events.examples import all_examples, as_json_dict, fall_incident

RE_EXPORT = "Event schemas are out of date: run `learnloop schemas export` and commit the result."


def validator_for(event_type: str) -> Draft202012Validator:
    filename = schema_filename(EVENT_TYPES[event_type])
    schema = json.loads((SCHEMA_DIRECTORY / filename).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def test_checked_in_schemas_match_the_models() -> None:
    rendered = render_json_schemas()
    checked_in = {path.name for path in SCHEMA_DIRECTORY.glob("*.schema.json")}
    assert checked_in == set(rendered), RE_EXPORT
    for filename, text in rendered.items():
        assert (SCHEMA_DIRECTORY / filename).read_text(encoding="utf-8") == text, (
            f"{filename}: {RE_EXPORT}"
        )


def test_one_schema_per_event_type_and_version() -> None:
    facts = [
        "audit.completed.v1.schema.json",
        "complaint.received.v1.schema.json",
        "complaint.resolved.v1.schema.json",
        "feedback.received.v1.schema.json",
        "incident.reported.v1.schema.json",
    ]
    derived = [f"{name}.v1.schema.json" for name in DERIVED_EVENT_TYPES]
    assert sorted(render_json_schemas()) == sorted(facts + derived)


def test_rendering_is_stable_pretty_and_sorted() -> None:
    first, second = render_json_schemas(), render_json_schemas()
    assert first == second
    for text in first.values():
        assert text.endswith("}\n")
        assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def test_export_writes_the_rendered_files_and_removes_stale_ones(tmp_path: Path) -> None:
    stale = tmp_path / "incident.reported.v0.schema.json"
    stale.write_text("{}\n", encoding="utf-8")
    unrelated = tmp_path / "README.md"
    unrelated.write_text("kept\n", encoding="utf-8")
    written = export_json_schemas(tmp_path)
    assert sorted(path.name for path in written) == sorted(render_json_schemas())
    assert not stale.exists()
    assert unrelated.exists()
    for path in written:
        assert path.read_text(encoding="utf-8") == render_json_schemas()[path.name]


@pytest.mark.parametrize("event", all_examples(), ids=lambda event: event.id)
def test_every_example_validates_against_its_schema(event: Any) -> None:
    validator_for(event.type).validate(json.loads(event.to_json_bytes()))


@pytest.mark.parametrize(
    "mutate",
    [
        pytest.param(lambda raw: raw.pop("id"), id="missing-id"),
        pytest.param(lambda raw: raw.pop("time"), id="missing-time"),
        pytest.param(lambda raw: raw.update(unexpected=True), id="extra-attribute"),
        pytest.param(lambda raw: raw.update(siteid="Rosewood House"), id="bad-site-id"),
        pytest.param(lambda raw: raw["data"].update(physical_harm="x"), id="bad-harm"),
        pytest.param(lambda raw: raw["data"]["people_involved"].clear(), id="nobody-involved"),
        pytest.param(lambda raw: raw["data"].update(description=""), id="empty-description"),
    ],
)
def test_schemas_reject_invalid_events(mutate: Any) -> None:
    raw = as_json_dict(fall_incident())
    mutate(raw)
    assert list(validator_for("incident.reported").iter_errors(raw))


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_sensitive_fields_are_flagged_in_the_schema(event_type: str) -> None:
    text = render_json_schemas()[schema_filename(EVENT_TYPES[event_type])]
    flagged = text.count('"x-sensitive": true')
    assert flagged == len(sensitive_fields(EVENT_TYPES[event_type])) > 0
