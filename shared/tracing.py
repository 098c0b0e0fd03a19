"""Optional OpenTelemetry tracing: one event followed from the intake request to the report.

Off unless the environment asks for it with the standard ``OTEL_TRACES_EXPORTER`` variable
(``otlp``, ``console``, ``file``, comma-separated; unset or ``none``: off). Off, every hook here
returns at its first line: no spans, no context look-ups, and the SDK is never imported.

An event carries its trace context by the CloudEvents distributed-tracing extension: intake
stamps the active span's W3C ``traceparent`` on each event it accepts (an event that brings its
own keeps it), and the Kafka record repeats it as a ``traceparent`` header
(``shared.publishing``). Consumers (``shared.consuming``) open one span per batch, linked to each
record's context, and a child span per sampled event inside the event's own trace; an event
derived from a fact carries on the fact's context, so the report joins the same trace.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from opentelemetry import trace
from opentelemetry.trace import Link, Span, SpanContext, SpanKind, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

TRACER_NAME = "learnloop"
TRACES_FILE_VARIABLE = "LEARNLOOP_TRACES_FILE"
DEFAULT_TRACES_FILE = "learnloop-traces.jsonl"
# A batch span links every record it consumed; the SDK keeps 128 links unless told otherwise,
# and a batch holds up to 10,000 records (``max_batch``).
MAX_LINKS = 10_000

_propagator = TraceContextTextMapPropagator()
_tracer: Tracer | None = None
_provider: TracerProvider | None = None


class Traced(Protocol):
    """An event that may carry a trace context (the envelope's ``traceparent`` attribute)."""

    @property
    def traceparent(self) -> str | None: ...

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Any: ...


EventT = TypeVar("EventT", bound=Traced)


def enabled() -> bool:
    """True when spans are being recorded in this process."""
    return _tracer is not None


def tracer() -> Tracer | None:
    """LearnLoop's tracer, when tracing is on."""
    return _tracer


def use_tracer_provider(provider: TracerProvider | None) -> None:
    """Record spans with ``provider`` from now on (None: switch tracing off). Tests use it with
    an in-memory exporter; services go through :func:`configure_tracing`."""
    global _tracer, _provider
    _tracer = provider.get_tracer(TRACER_NAME) if provider is not None else None
    _provider = provider


def flush() -> None:
    """Export the spans still buffered (the provider also does at exit)."""
    if _provider is not None:
        _provider.force_flush()


def configure_tracing(service: str, environ: Mapping[str, str] = os.environ) -> bool:
    """Switch tracing on when ``OTEL_TRACES_EXPORTER`` names exporters; returns whether it did.

    ``otlp`` sends OTLP over HTTP (``OTEL_EXPORTER_OTLP_ENDPOINT`` and the exporter's other
    standard variables), ``console`` writes one JSON span per line to stdout and ``file`` appends
    them to ``LEARNLOOP_TRACES_FILE``. ``OTEL_SERVICE_NAME`` (default ``learnloop-<service>``),
    ``OTEL_TRACES_SAMPLER`` and ``OTEL_RESOURCE_ATTRIBUTES`` are honoured as usual.
    """
    if _tracer is not None:  # already on (a process configures logging once, tests twice)
        return True
    names = [n.strip().lower() for n in environ.get("OTEL_TRACES_EXPORTER", "").split(",")]
    names = [name for name in names if name and name != "none"]
    if not names or environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = new_tracer_provider(service, environ)
    for name in names:
        provider.add_span_processor(BatchSpanProcessor(_exporter(name, environ)))
    # Not installed as the global provider: FastAPI (0.16x) would then add spans of its own to
    # every request, next to TracingMiddleware's, and record validation failures with inputs.
    use_tracer_provider(provider)
    return True


def new_tracer_provider(service: str, environ: Mapping[str, str] = os.environ) -> TracerProvider:
    """A provider named after the service, keeping every link of a batch span."""
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import SpanLimits, TracerProvider

    attributes = {} if environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: f"learnloop-{service}"}
    own_limit = "OTEL_SPAN_LINK_COUNT_LIMIT" in environ
    return TracerProvider(
        resource=Resource.create(attributes),
        span_limits=SpanLimits(max_links=None if own_limit else MAX_LINKS),
    )


def _exporter(name: str, environ: Mapping[str, str]) -> SpanExporter:
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

    def one_line(span: Any) -> str:
        return str(span.to_json(indent=None)) + "\n"

    if name == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    if name == "console":
        return ConsoleSpanExporter(formatter=one_line)
    if name == "file":
        path = environ.get(TRACES_FILE_VARIABLE) or DEFAULT_TRACES_FILE
        spans = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the process's life
        return ConsoleSpanExporter(out=spans, formatter=one_line)
    raise ValueError(f"OTEL_TRACES_EXPORTER: unknown exporter {name!r} (otlp, console, file)")


# ---- W3C trace context ---------------------------------------------------------------------


def format_traceparent(context: SpanContext) -> str:
    """The W3C ``traceparent`` of a span context."""
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


def span_context_of(traceparent: str | None) -> SpanContext | None:
    """The remote span context a ``traceparent`` names (None when absent or invalid)."""
    if not traceparent:
        return None
    context = trace.get_current_span(_propagator.extract({"traceparent": traceparent}))
    span_context = context.get_span_context()
    return span_context if span_context.is_valid else None


def current_traceparent() -> str | None:
    """The ``traceparent`` of the active span, when tracing is on and a span is active."""
    if _tracer is None:
        return None
    context = trace.get_current_span().get_span_context()
    return format_traceparent(context) if context.is_valid else None


def stamp(event: EventT) -> EventT:
    """``event`` carrying the active span's context (intake, before publishing); unchanged when
    tracing is off, no span is active, or the event brings its own context."""
    if _tracer is None or event.traceparent is not None:
        return event
    traceparent = current_traceparent()
    if traceparent is None:
        return event
    stamped: EventT = event.model_copy(update={"traceparent": traceparent})
    return stamped


# ---- HTTP ----------------------------------------------------------------------------------

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class TracingMiddleware:
    """A SERVER span per HTTP request, continuing the caller's ``traceparent`` header.

    Named by the route template (``POST /v1/incidents``); records method, route and status,
    never the query string (it may carry a key) nor bodies.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tracer = _tracer
        if tracer is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        carrier = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope.get("headers", ())
            if name in (b"traceparent", b"tracestate")
        }
        method = scope.get("method", "GET")
        with tracer.start_as_current_span(
            method, context=_propagator.extract(carrier), kind=SpanKind.SERVER,
            attributes={"http.request.method": method},
            # An exception's message may quote a request's data (a note, a SQL parameter):
            # spans record only its type (below), never the message or the stack.
            record_exception=False, set_status_on_exception=False,
        ) as span:  # fmt: skip

            async def traced_send(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(StatusCode.ERROR)
                await send(message)

            try:
                await self.app(scope, receive, traced_send)
            except BaseException as exc:
                span.set_status(StatusCode.ERROR)
                span.set_attribute("error.type", type(exc).__name__)
                raise
            finally:
                route = getattr(scope.get("route"), "path", None)
                if route is not None:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)


# ---- consumers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsumedRecord:
    """What a batch span needs of one record: its context and where it came from."""

    traceparent: str | None
    topic: str
    partition: int
    offset: int
    event_id: str | None
    event_type: str | None


class BatchSpans:
    """The spans of one consumed batch: a CONSUMER span linked to every record's context, and a
    child span per sampled event in that event's trace, both ended by :meth:`end`."""

    def __init__(self, tracer: Tracer, group: str, records: Sequence[ConsumedRecord]) -> None:
        contexts = [span_context_of(record.traceparent) for record in records]
        self.batch: Span = tracer.start_span(
            f"{group} process", kind=SpanKind.CONSUMER,
            links=[Link(context) for context in contexts if context is not None],
            attributes={"messaging.system": "kafka", "messaging.consumer.group.name": group,
                        "messaging.batch.message_count": len(records)},
        )  # fmt: skip
        batch_link = [Link(self.batch.get_span_context())]
        self.children: list[Span | None] = []
        for record, context in zip(records, contexts, strict=True):
            if context is None or not context.trace_flags.sampled:
                self.children.append(None)
                continue
            parent = trace.set_span_in_context(trace.NonRecordingSpan(context))
            self.children.append(tracer.start_span(
                f"{group} process {record.event_type or 'record'}", context=parent,
                kind=SpanKind.CONSUMER, links=batch_link,
                attributes=_record_attributes(group, record),
            ))  # fmt: skip
        self._records = records

    def traceparents(self) -> list[str | None]:
        """Per record, the context its derived events continue: its child span's, else its own."""
        return [
            format_traceparent(child.get_span_context())
            if child is not None
            else record.traceparent
            for record, child in zip(self._records, self.children, strict=True)
        ]

    def retrying(self, error: BaseException) -> None:
        """Note a failed attempt on the batch span."""
        self.batch.add_event("batch failed, retrying", {"error": type(error).__name__})

    def end(self, error: BaseException | None = None) -> None:
        """End every span, marked failed when ``error`` is given."""
        for span in [*self.children, self.batch]:
            if span is None:
                continue
            if error is not None:
                span.set_status(StatusCode.ERROR, type(error).__name__)
            span.end()


def _record_attributes(group: str, record: ConsumedRecord) -> dict[str, str | int]:
    attributes: dict[str, str | int] = {
        "messaging.system": "kafka", "messaging.consumer.group.name": group,
        "messaging.destination.name": record.topic,
        "messaging.destination.partition.id": str(record.partition),
        "messaging.kafka.offset": record.offset,
    }  # fmt: skip
    if record.event_id is not None:
        attributes["messaging.message.id"] = record.event_id
    if record.event_type is not None:
        attributes["cloudevents.event_type"] = record.event_type
    return attributes


def open_batch_spans(group: str, records: Sequence[ConsumedRecord]) -> BatchSpans | None:
    """The spans of a batch about to be handled; None when tracing is off."""
    if _tracer is None:
        return None
    return BatchSpans(_tracer, group, records)


def batch_context(spans: BatchSpans | None) -> Any:
    """A context manager making the batch span current while the handler runs."""
    if spans is None:
        return contextlib.nullcontext()
    return trace.use_span(spans.batch, end_on_exit=False)
