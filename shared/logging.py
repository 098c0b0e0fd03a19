"""Structured JSON logging with event id and correlation id bound, free text never logged."""

from __future__ import annotations

import contextvars
import logging
import sys
from collections.abc import Mapping, MutableMapping
from types import TracebackType
from typing import Any, TextIO

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
        processors=[structlog.stdlib.filter_by_level, *shared, render_or_hand_over],
        logger_factory=DirectLoggerFactory(ignore_frame_names=[__name__]),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = LogHandler(sys.stderr, renderer)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    numeric = logging.getLevelNamesMapping()[level.upper()]
    root.setLevel(max(numeric, logging.INFO))
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(numeric)
    structlog.contextvars.bind_contextvars(service=service)
    tracing.configure_tracing(service)


class LogHandler(logging.StreamHandler[TextIO]):
    """The handler :func:`configure_logging` installs: a ``StreamHandler`` with its formatter's
    renderer at hand, so structlog lines can be rendered without a ``LogRecord``."""

    def __init__(self, stream: TextIO, renderer: Any) -> None:
        super().__init__(stream)
        self.renderer = renderer

    def write_line(self, line: str) -> None:
        """Write a rendered line as :meth:`emit` writes a formatted record."""
        self.acquire()
        try:
            self.stream.write(line + self.terminator)
            self.stream.flush()
        except RecursionError:
            raise
        except Exception:  # as emit does: report it on stderr and carry on
            self.handleError(logging.makeLogRecord({"msg": line}))
        finally:
            self.release()


# The keyword with which render_or_hand_over passes a rendered line's handler to DirectLogger.
_HANDLER = "_learnloop_handler"
_LEVELS = {
    "debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
    "warn": logging.WARNING, "error": logging.ERROR, "exception": logging.ERROR,
    "critical": logging.CRITICAL, "fatal": logging.CRITICAL, "msg": logging.INFO,
}  # fmt: skip


def render_or_hand_over(logger: Any, method_name: str, event_dict: Any) -> Any:
    """structlog's last processor: render the line here when the standard library would only
    pass it to a :class:`LogHandler` unchanged (no other handler, no filter), else hand it over
    for ``ProcessorFormatter`` to render (``wrap_for_formatter``). The line is the same either
    way; rendering here skips two ``LogRecord`` objects and a formatter pass, about half the
    CPU of a line."""
    level = _LEVELS.get(method_name)
    if level is not None and isinstance(logger, DirectLogger):
        handler = _sole_handler(logger.stdlib_logger, level)
        if handler is not None:
            try:
                line = handler.renderer(logger, method_name, event_dict)
            except Exception:  # the standard library route reports it (handleError)
                line = None
            if isinstance(line, str):
                return (line,), {_HANDLER: handler}
    return structlog.stdlib.ProcessorFormatter.wrap_for_formatter(logger, method_name, event_dict)


def _sole_handler(logger: logging.Logger, level: int) -> LogHandler | None:
    """The LogHandler that alone would take a record of ``logger`` unfiltered, if there is one."""
    if logger.filters:
        return None
    current: logging.Logger | None = logger
    while current is not None:
        handlers = current.handlers
        if handlers:
            if current.parent is not None or len(handlers) != 1:
                return None
            [handler] = handlers
            if type(handler) is not LogHandler or handler.filters or level < handler.level:
                return None
            return handler
        if not current.propagate:
            return None
        current = current.parent
    return None


class DirectLogger:
    """The standard library logger structlog wraps, taking lines rendered already.

    A line :func:`render_or_hand_over` rendered is written by its handler directly; any other
    call, and every other attribute, is the standard library logger's.
    """

    def __init__(self, logger: logging.Logger) -> None:
        self.stdlib_logger = logger
        self.name = logger.name

    @property
    def disabled(self) -> bool:
        return self.stdlib_logger.disabled

    def isEnabledFor(self, level: int) -> bool:  # the standard library logger's name
        return self.stdlib_logger.isEnabledFor(level)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stdlib_logger, name)

    def _log(self, method_name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        handler: LogHandler | None = kwargs.pop(_HANDLER, None)
        if handler is not None:
            handler.write_line(args[0])
        else:
            getattr(self.stdlib_logger, method_name)(*args, **kwargs)

    def debug(self, *args: Any, **kwargs: Any) -> None:
        self._log("debug", args, kwargs)

    def info(self, *args: Any, **kwargs: Any) -> None:
        self._log("info", args, kwargs)

    def warning(self, *args: Any, **kwargs: Any) -> None:
        self._log("warning", args, kwargs)

    def warn(self, *args: Any, **kwargs: Any) -> None:
        self._log("warning", args, kwargs)

    def error(self, *args: Any, **kwargs: Any) -> None:
        self._log("error", args, kwargs)

    def exception(self, *args: Any, **kwargs: Any) -> None:
        self._log("exception", args, kwargs)

    def critical(self, *args: Any, **kwargs: Any) -> None:
        self._log("critical", args, kwargs)

    def fatal(self, *args: Any, **kwargs: Any) -> None:
        self._log("critical", args, kwargs)

    def msg(self, *args: Any, **kwargs: Any) -> None:
        self._log("info", args, kwargs)


class DirectLoggerFactory(structlog.stdlib.LoggerFactory):
    """structlog's standard library logger factory, its loggers wrapped in DirectLogger."""

    def __call__(self, *args: Any) -> Any:
        return DirectLogger(super().__call__(*args))


class BoundEvent:
    """The context manager :func:`bound_event` returns."""

    __slots__ = ("_tokens", "_values")

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values
        self._tokens: Mapping[str, contextvars.Token[Any]] = {}

    def __enter__(self) -> None:
        self._tokens = structlog.contextvars.bind_contextvars(**self._values)

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        try:
            structlog.contextvars.reset_contextvars(**self._tokens)
        except (ValueError, RuntimeError):  # left in another context than entered
            structlog.contextvars.unbind_contextvars(*self._values)


def bound_event(*, event_id: str, correlation_id: str | None = None, **extra: Any) -> BoundEvent:
    """Bind an event's id and correlation id to every log line written inside the block
    (``with bound_event(...)``); afterwards the names hold what they held before, or nothing.
    """
    return BoundEvent({"event_id": event_id, "correlation_id": correlation_id or event_id, **extra})


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A structlog logger named after its module."""
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
