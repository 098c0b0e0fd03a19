"""Dead-letter records: header parsing, masking, topic names, replay headers and refusals."""

from __future__ import annotations

import pytest

from learnloop.ops import render
from learnloop.ops.dead_letters import (
    DeadLetter,
    dead_letter_topics,
    mask_error,
    resolve_dead_letter_topic,
)
from learnloop.ops.replay import REPLAYED_FROM_HEADER, replay_headers
from learnloop.ops.replay_ledger import ReplayEntry, was_replayed
from shared.settings import KafkaSettings

SETTINGS = KafkaSettings(topic_prefix="acme")
PYDANTIC_ERROR = (
    "1 validation error for IncidentReported\ndata.description\n  String should have at most "
    "4000 characters [type=string_too_long, input_value='Mrs Jones (NHS 943 476 5919) fell "
    "in the lounge', input_type=str]"
)


def letter(**overrides: object) -> DeadLetter:
    values: dict[str, object] = {
        "topic": "acme.incidents.v1.dlq",
        "partition": 1,
        "offset": 7,
        "timestamp_ms": 1_700_000_000_000,
        "key": b"rosewood-house",
        "value": b'{"id": "evt-1"}',
        "headers": (
            ("ce_id", b"evt-1"),
            (REPLAYED_FROM_HEADER, b"acme.incidents.v1.dlq:0:1"),
            ("dlq-reason", b"contract_violation"),
            ("dlq-error", PYDANTIC_ERROR.encode()),
            ("dlq-consumer", b"learnloop-learning"),
            ("dlq-source-topic", b"acme.incidents.v1"),
            ("dlq-source-partition", b"1"),
            ("dlq-source-offset", b"42"),
        ),
    }
    values.update(overrides)
    return DeadLetter(**values)  # type: ignore[arg-type]


def test_headers_describe_the_source_and_the_reason() -> None:
    d = letter()
    assert d.ref == "acme.incidents.v1.dlq:1:7"
    assert d.source_topic == "acme.incidents.v1"
    assert d.source_position == "acme.incidents.v1:1:42"
    assert d.header("dlq-reason") == "contract_violation"
    assert d.header("missing") is None
    assert [k for k, _ in d.original_headers()] == ["ce_id", REPLAYED_FROM_HEADER]


def test_mask_error_hides_echoed_input_but_keeps_the_diagnosis() -> None:
    masked = mask_error(PYDANTIC_ERROR)
    assert "Mrs Jones" not in masked and "943" not in masked
    assert "string_too_long" in masked and "data.description" in masked
    unicode = "UnicodeDecodeError('utf-8', b'\\xff Mr Smith\\'s fall', 0, 1, 'invalid start byte')"
    assert "Smith" not in mask_error(unicode)
    assert "invalid start byte" in mask_error(unicode)


def test_dead_letter_topic_names_follow_the_registry_and_prefix() -> None:
    names = dead_letter_topics(SETTINGS)
    assert "acme.incidents.v1.dlq" in names and all(n.endswith(".dlq") for n in names)
    assert resolve_dead_letter_topic(SETTINGS, "incidents.v1.dlq") == "acme.incidents.v1.dlq"
    assert resolve_dead_letter_topic(SETTINGS, "acme.themes.v1.dlq") == "acme.themes.v1.dlq"
    for wrong in ("incidents.v1", "other.incidents.v1.dlq", "acme.nothing.dlq"):
        with pytest.raises(ValueError, match="not a dead-letter topic"):
            resolve_dead_letter_topic(SETTINGS, wrong)


def test_replay_headers_drop_dlq_headers_and_mark_this_replay_once() -> None:
    headers = replay_headers(letter())
    assert headers == [("ce_id", b"evt-1"), (REPLAYED_FROM_HEADER, b"acme.incidents.v1.dlq:1:7")]


def test_ledger_match_needs_the_same_position_and_timestamp() -> None:
    d = letter()
    entry = ReplayEntry(
        d.ref, d.timestamp_ms, "acme.incidents.v1:1:50", "2026-01-01T00:00:00", "op"
    )
    assert was_replayed(d, {d.ref: entry}) == entry
    recreated = letter(timestamp_ms=d.timestamp_ms + 1)  # same offset on a recreated topic
    assert was_replayed(recreated, {d.ref: entry}) is None
    assert was_replayed(d, {}) is None


def test_terminal_output_is_literal_and_hides_the_payload(
    capsys: pytest.CaptureFixture[str],
) -> None:
    error = b"bad [bold]x[/bold] [type=t, input_value='Mrs Jones', input_type=str]"
    headers = (("dlq-error", error), ("dlq-source-topic", b"acme.incidents.v1"))
    out = render.console()
    for part in render.dead_letter_detail(letter(headers=headers), payload=False):
        out.print(part)
    shown = capsys.readouterr().out
    assert "[bold]x[/bold]" in shown  # broker text is not read as rich markup
    assert "input_value=[hidden]" in shown and "Mrs Jones" not in shown
    assert "evt-1" not in shown and "payload hidden (15 bytes" in shown
