"""Structured JSON logging with event id and correlation id bound, free text never logged."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import structlog
from opentelemetry import trace

from shared import tracing

# Free-text fields of the event contracts: personal data may hide in them, so they never reach logs.
SENSITIVE_KEYS = frozenset(
    {"description", "summary", "text", "comment", "desired_outcome", "immediate_actions", "data"}
)
REDACTED = "[redacted]"
# Loggers that follow the configured level down to DEBUG. Libraries stay at INFO or above: at
# DEBUG aiokafka prints record values and aiosqlite SQL parameters, i.e. care records.
OWN_LOGGERS = ("shared", "services", "learnloop", "benchmarks")


def redact_sensitive(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: mask values of keys that may carry free text."""
    for key in SENSITIVE_KEYS.intersection(event_dict):
        event_dict[key] = REDACTED
    return event_dict


def add_trace_context(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: the active span's trace and span ids, when tracing is on."""
    if tracing.enabled():
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            event_dict["trace_id"] = f"{context.trace_id:032x}"
            event_dict["span_id"] = f"{context.span_id:016x}"
    return event_dict


def configure_logging(
    *, level: str = "INFO", fmt: str = "json", service: str = "learnloop"
) -> None:
    """Route structlog and the standard library through one JSON (or console) renderer.

    Lines below ``level`` are dropped before any processor runs, so a DEBUG call costs one level
    check at INFO; DEBUG applies to LearnLoop's own loggers only (``OWN_LOGGERS``). Every
    process calls this once at start-up, so it also switches tracing on when the environment
    asks for it (``shared.tracing.configure_tracing``).
    """
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_trace_context,
        redact_sensitive,
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    numeric = logging.getLevelNamesMapping()[level.upper()]
    root.setLevel(max(numeric, logging.INFO))
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(numeric)
    structlog.contextvars.bind_contextvars(service=service)
    tracing.configure_tracing(service)


@contextmanager
def bound_event(
    *, event_id: str, correlation_id: str | None = None, **extra: Any
) -> Iterator[None]:
    """Bind an event's id and correlation id to every log line written inside the block."""
    values = {"event_id": event_id, "correlation_id": correlation_id or event_id, **extra}
    with structlog.contextvars.bound_contextvars(**values):
        yield


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A structlog logger named after its module."""
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
