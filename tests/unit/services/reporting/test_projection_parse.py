"""parse_record's one-pass parse gives what the field-by-field parse gave, poison included."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiokafka import ConsumerRecord

from learnloop.generator import ScenarioConfig, generate
from services.reporting import projection
from services.reporting.projection import parse_record
from shared.events import EVENT_TYPES
from shared.events.derived import DERIVED_EVENT_TYPES
from tests.integration.services.reporting.derived_fixture import derived
from tests.integration.services.reporting.fixture import facts
from tests.unit.shared.events.examples import all_examples


def record(value: bytes) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("t", 0, 0, 0, 0, b"k", value, None, 0, 0, [])


def events() -> list[Any]:
    generated = list(generate(ScenarioConfig(seed=3, sites=6, regions=2, months=2)))
    return [*all_examples(), *generated, *facts(), *derived()]


def test_every_event_parses_as_before() -> None:
    seen = set()
    for event in events():
        value = event.to_json_bytes()
        parsed = parse_record(record(value))
        assert type(parsed) is type(event)
        assert parsed == event == projection._parse_slowly(value)
        seen.add(event.type)
    assert seen == {*EVENT_TYPES, *DERIVED_EVENT_TYPES}  # every type went the one-pass way


def _broken() -> list[bytes]:
    incident = json.loads(all_examples()[0].to_json_bytes())
    alert = json.loads(derived()[-1].to_json_bytes())
    return [
        b'{"type": "theme.unlinked"}', b"[1, 2]", b"not json", b"\xff\xfe", b"",
        json.dumps({**incident, "extra": 1}).encode(),
        json.dumps({**incident, "data": {**incident["data"], "physical_harm": "x"}}).encode(),
        json.dumps({**alert, "time": "2025-06-01T10:00:00"}).encode(),  # naive
        json.dumps({**alert, "data": {}}).encode(),
    ]  # fmt: skip


@pytest.mark.parametrize("value", _broken())
def test_poison_is_refused_with_the_same_error(value: bytes) -> None:
    with pytest.raises(ValueError) as before:
        projection._parse_slowly(value)
    with pytest.raises(ValueError) as now:
        parse_record(record(value))
    assert type(now.value) is type(before.value)
    assert str(now.value) == str(before.value)
