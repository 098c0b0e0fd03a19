"""Records are parsed as a fact or a derived event by their type; anything else is poison."""

from __future__ import annotations

import json

import pytest
from aiokafka import ConsumerRecord

from services.reporting.projection import parse_record
from shared.consuming import PoisonMessage
from shared.events import IncidentReported
from shared.events.derived import AlertRaised
from tests.unit.shared.events.examples import fall_incident


def record(value: bytes | None) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("t", 0, 0, 0, 0, b"k", value, None, 0, 0, [])


def test_facts_and_derived_events_are_told_apart() -> None:
    assert isinstance(parse_record(record(fall_incident().to_json_bytes())), IncidentReported)
    alert = {
        "id": "a1", "type": "alert.raised", "source": "/learnloop/learning",
        "providerid": "p", "siteid": "s", "region": "r",
        "data": {"alert_id": "x", "theme_id": "falls", "site_ids": ["s", "t"],
                 "event_count": 3, "window_days": 30},
    }  # fmt: skip
    assert isinstance(parse_record(record(json.dumps(alert).encode())), AlertRaised)


@pytest.mark.parametrize("value", [b'{"type": "theme.unlinked"}', b"[1, 2]", b"not json"])
def test_unknown_or_broken_records_raise_value_error(value: bytes) -> None:
    with pytest.raises(ValueError):
        parse_record(record(value))


def test_an_empty_record_is_poison() -> None:
    with pytest.raises(PoisonMessage):
        parse_record(record(None))
