"""Logs are JSON with the event and correlation ids bound, and never carry free text."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from shared.logging import OWN_LOGGERS, LogHandler, bound_event, configure_logging, get_logger


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


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.contextvars.clear_contextvars()


def write_lines(log: Any) -> None:
    with bound_event(event_id="evt-1", correlation_id="corr-9", key_id="k-1"):
        log.info("event accepted", event_id="evt-2", event_type="incident.reported", code=None)
        log.warning("odd", description="Mrs Smith fell", count=3, ids=["a", "b"], at=object)
        try:
            raise ValueError("boom")
        except ValueError:
            log.exception("failed", step="publish")
    log.error("outside", codes={"x": 1})
    log.debug("dropped at INFO")
    logging.getLogger("aiokafka").warning("foreign %s", "line")


def without_times(lines: list[str], fmt: str) -> list[Any]:
    if fmt == "json":
        return [{k: v for k, v in json.loads(line).items() if k != "timestamp"} for line in lines]
    return [re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+Z", "(time)", line) for line in lines]


@pytest.mark.parametrize("fmt", ["json", "console"])
def test_lines_rendered_directly_are_the_lines_the_formatter_renders(
    fmt: str, capsys: pytest.CaptureFixture[str], restored_logging: None
) -> None:
    configure_logging(level="INFO", fmt=fmt, service="intake")
    log = get_logger("services.test_direct")
    write_lines(log)
    direct = capsys.readouterr().err.splitlines()
    [handler] = logging.getLogger().handlers
    handler.addFilter(lambda _record: True)  # a filter: lines take the standard library route
    write_lines(log)
    formatted = capsys.readouterr().err.splitlines()
    assert without_times(direct, fmt) == without_times(formatted, fmt)
    assert len(direct) > 4
    if fmt == "json":  # (a console traceback shows source lines, the test's included)
        assert "Mrs Smith" not in "\n".join(direct)
        [first, _, failed, _, foreign] = [json.loads(line) for line in direct]
        assert first["event_id"] == "evt-2"
        assert first["correlation_id"] == "corr-9"
        assert first["key_id"] == "k-1"
        assert failed["exc_info"] is True
        assert foreign["event"] == "foreign line"


def test_another_handler_gets_structlog_lines_too(
    capsys: pytest.CaptureFixture[str], restored_logging: None
) -> None:
    configure_logging(level="INFO", fmt="json", service="intake")
    seen: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    logging.getLogger().addHandler(Collect())
    get_logger("services.test_direct").info("hello", n=1)
    [line] = capsys.readouterr().err.splitlines()
    assert json.loads(line)["event"] == "hello"
    [record] = seen
    assert isinstance(record.msg, dict)
    assert record.msg["event"] == "hello"


def test_debug_follows_the_configured_level_of_own_loggers(
    capsys: pytest.CaptureFixture[str], restored_logging: None
) -> None:
    configure_logging(level="DEBUG", fmt="json", service="intake")
    get_logger("services.test_direct").debug("kept")
    get_logger("aiokafka.test_direct").debug("dropped")  # libraries stay at INFO
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["event"] for line in lines] == ["kept"]
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)


def test_a_failing_stream_is_reported_not_raised(
    capsys: pytest.CaptureFixture[str], restored_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure_logging(level="INFO", fmt="json", service="intake")
    [handler] = logging.getLogger().handlers
    assert isinstance(handler, LogHandler)

    class Broken(io.StringIO):
        def write(self, _text: str) -> int:
            raise OSError("gone")

    reported: list[logging.LogRecord] = []
    monkeypatch.setattr(handler, "stream", Broken())
    monkeypatch.setattr(handler, "handleError", reported.append)
    get_logger("services.test_direct").info("lost", n=1)  # does not raise
    [record] = reported
    assert "lost" in record.getMessage()


def test_bound_event_restores_what_was_bound_before() -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(correlation_id="outer")
    with bound_event(event_id="e-1", key_id="k-1"):
        assert structlog.contextvars.get_contextvars() == {
            "correlation_id": "e-1", "event_id": "e-1", "key_id": "k-1"
        }  # fmt: skip
        with bound_event(event_id="e-2", correlation_id="c-2"):
            assert structlog.contextvars.get_contextvars()["event_id"] == "e-2"
        assert structlog.contextvars.get_contextvars()["correlation_id"] == "e-1"
    assert structlog.contextvars.get_contextvars() == {"correlation_id": "outer"}
    structlog.contextvars.clear_contextvars()


async def test_bound_event_left_in_another_context_unbinds() -> None:
    structlog.contextvars.clear_contextvars()
    binding = bound_event(event_id="e-1")
    await asyncio.create_task(asyncio.to_thread(binding.__enter__))  # entered elsewhere
    binding.__exit__(None, None, None)
    assert structlog.contextvars.get_contextvars() == {}
