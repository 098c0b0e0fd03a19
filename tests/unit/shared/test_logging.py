"""Logs are JSON with the event and correlation ids bound, and never carry free text."""

from __future__ import annotations

import json
import logging

import pytest

from shared.logging import bound_event, configure_logging, get_logger


def test_json_log_lines_carry_ids_and_redact_free_text(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="INFO", fmt="json", service="intake")
    log = get_logger("test")
    with bound_event(event_id="evt-1", correlation_id="corr-9"):
        log.info("incident accepted", description="Mrs Smith fell in room 4", siteid="s-1")
    log.info("outside")
    lines = [json.loads(line) for line in capsys.readouterr().err.strip().splitlines()]
    inside, outside = lines[-2], lines[-1]
    assert inside["event"] == "incident accepted"
    assert inside["event_id"] == "evt-1"
    assert inside["correlation_id"] == "corr-9"
    assert inside["service"] == "intake"
    assert inside["description"] == "[redacted]"
    assert "Smith" not in json.dumps(lines)
    assert "event_id" not in outside
    logging.getLogger().handlers.clear()
