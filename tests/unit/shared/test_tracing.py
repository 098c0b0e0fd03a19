"""Optional tracing: off by default, the envelope's W3C traceparent, HTTP server spans, and the
spans of a consumed batch (links to every record, children for sampled events)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import ValidationError

from shared import tracing
from shared.events import IncidentReported
from shared.publishing import record_for
from shared.settings import KafkaSettings
from tests.unit.shared.events.examples import as_json_dict, fall_incident

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
UNSAMPLED = f"00-{TRACE_ID}-00f067aa0ba902b8-00"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Tracing on, into memory, for one test."""
    exporter = InMemorySpanExporter()
    provider = tracing.new_tracer_provider("test", environ={})
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use_tracer_provider(provider)
    yield exporter
    tracing.use_tracer_provider(None)


def with_traceparent(value: object) -> dict[str, Any]:
    raw = as_json_dict(fall_incident())
    raw["traceparent"] = value
    return raw


def test_the_envelope_carries_a_valid_traceparent_to_the_wire_and_the_kafka_header() -> None:
    event = IncidentReported.model_validate(with_traceparent(TRACEPARENT))
    assert json.loads(event.to_json_bytes())["traceparent"] == TRACEPARENT
    assert record_for(event, KafkaSettings()).headers["traceparent"] == TRACEPARENT
    assert "traceparent" not in record_for(fall_incident(), KafkaSettings()).headers


@pytest.mark.parametrize(
    "value",
    [
        TRACEPARENT.upper(),  # W3C: lowercase hex only
        f"ff-{TRACE_ID}-00f067aa0ba902b7-01",  # version ff is invalid
        f"00-{'0' * 32}-00f067aa0ba902b7-01",  # all-zero trace id
        f"00-{TRACE_ID}-{'0' * 16}-01",  # all-zero parent id
        f"00-{TRACE_ID}-00f067aa0ba902b7",  # no flags
        f"00-{TRACE_ID[:-1]}-00f067aa0ba902b7-01",
        "",
        5,
    ],
)
def test_an_invalid_traceparent_is_refused(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        IncidentReported.model_validate(with_traceparent(value))
    assert [error["loc"] for error in caught.value.errors()] == [("traceparent",)]


def test_tracing_is_off_unless_the_environment_names_an_exporter(tmp_path: Path) -> None:
    assert tracing.configure_tracing("intake", environ={}) is False
    assert tracing.configure_tracing("intake", environ={"OTEL_TRACES_EXPORTER": "none"}) is False
    disabled = {"OTEL_TRACES_EXPORTER": "console", "OTEL_SDK_DISABLED": "true"}
    assert tracing.configure_tracing("intake", environ=disabled) is False
    assert not tracing.enabled()
    event = fall_incident()
    assert tracing.stamp(event) is event  # nothing done, nothing copied
    assert tracing.current_traceparent() is None
    assert tracing.open_batch_spans("group", []) is None


def test_an_unknown_exporter_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="unknown exporter 'jaeger'"):
        tracing.configure_tracing("intake", environ={"OTEL_TRACES_EXPORTER": "jaeger"})
    assert not tracing.enabled()


def test_the_file_exporter_writes_one_json_span_per_line(tmp_path: Path) -> None:
    path = tmp_path / "spans.jsonl"
    environ = {"OTEL_TRACES_EXPORTER": "file", "LEARNLOOP_TRACES_FILE": str(path)}
    try:
        assert tracing.configure_tracing("learning", environ=environ) is True
        tracer = tracing.tracer()
        assert tracer is not None
        with tracer.start_as_current_span("work"):
            pass
        tracing.flush()
        [line] = path.read_text(encoding="utf-8").splitlines()
        span = json.loads(line)
        assert span["name"] == "work"
        assert span["resource"]["attributes"]["service.name"] == "learnloop-learning"
    finally:
        tracing.use_tracer_provider(None)


def test_intake_stamps_the_active_span_unless_the_event_brings_its_own(
    spans: InMemorySpanExporter,
) -> None:
    event = fall_incident()
    assert tracing.stamp(event) is event  # no active span
    tracer = tracing.tracer()
    assert tracer is not None
    with tracer.start_as_current_span("request") as span:
        stamped = tracing.stamp(event)
        own = IncidentReported.model_validate(with_traceparent(TRACEPARENT))
        assert tracing.stamp(own) is own
    context = span.get_span_context()
    assert stamped.traceparent is not None
    assert stamped.traceparent.startswith(f"00-{context.trace_id:032x}-{context.span_id:016x}-")
    assert int(stamped.traceparent[-2:], 16) & 1  # sampled
    assert IncidentReported.model_validate_json(stamped.to_json_bytes()) == stamped


async def test_a_request_gets_a_server_span_named_by_its_route_continuing_the_caller(
    spans: InMemorySpanExporter,
) -> None:
    app = FastAPI()
    app.add_middleware(tracing.TracingMiddleware)

    @app.post("/v1/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str | None]:
        return {"traceparent": tracing.current_traceparent()}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post(
            "/v1/things/42?key=secret", headers={"traceparent": TRACEPARENT}
        )
    [span] = spans.get_finished_spans()
    assert span.name == "POST /v1/things/{thing_id}"
    assert span.kind is trace.SpanKind.SERVER
    assert span.attributes is not None
    assert span.attributes["http.response.status_code"] == 200
    assert "secret" not in json.dumps(dict(span.attributes))  # no query string
    assert f"{span.context.trace_id:032x}" == TRACE_ID  # the caller's trace goes on
    assert span.parent is not None and f"{span.parent.span_id:016x}" == "00f067aa0ba902b7"
    assert response.json()["traceparent"] == tracing.format_traceparent(span.context)


async def test_a_failing_request_records_the_error_type_never_its_message(
    spans: InMemorySpanExporter,
) -> None:
    app = FastAPI()
    app.add_middleware(tracing.TracingMiddleware)

    @app.get("/v1/boom")
    async def boom() -> None:
        raise RuntimeError("note text: resident's fall in the lounge")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/v1/boom")
    assert response.status_code == 500
    [span] = [s for s in spans.get_finished_spans() if s.kind is trace.SpanKind.SERVER]
    assert span.status.status_code is trace.StatusCode.ERROR
    assert span.attributes is not None and span.attributes["error.type"] == "RuntimeError"
    assert not span.events  # no exception event with its message and stack
    assert "lounge" not in json.dumps(dict(span.attributes)) + str(span.status.description)


def test_a_batch_span_links_every_record_and_sampled_events_get_child_spans(
    spans: InMemorySpanExporter,
) -> None:
    records = [
        tracing.ConsumedRecord(TRACEPARENT, "t", 0, 1, "e-1", "incident.reported"),
        tracing.ConsumedRecord(UNSAMPLED, "t", 0, 2, "e-2", "incident.reported"),
        tracing.ConsumedRecord(None, "t", 1, 7, "e-3", "audit.completed"),
    ]
    batch = tracing.open_batch_spans("learnloop-learning", records)
    assert batch is not None
    continued = batch.traceparents()
    batch.retrying(ConnectionError("database down"))
    batch.end()
    finished = {span.name: span for span in spans.get_finished_spans()}
    assert set(finished) == {
        "learnloop-learning process",
        "learnloop-learning process incident.reported",
    }  # the unsampled and the untraced records get no child span
    parent = finished["learnloop-learning process"]
    assert [f"{link.context.span_id:016x}" for link in parent.links] == [
        "00f067aa0ba902b7", "00f067aa0ba902b8"
    ]  # fmt: skip
    assert [event.name for event in parent.events] == ["batch failed, retrying"]
    child = finished["learnloop-learning process incident.reported"]
    assert f"{child.context.trace_id:032x}" == TRACE_ID
    assert child.parent is not None and f"{child.parent.span_id:016x}" == "00f067aa0ba902b7"
    assert child.attributes is not None and child.attributes["messaging.message.id"] == "e-1"
    assert [link.context for link in child.links] == [parent.context]
    # Derived events continue from the child span, else from the record's own context.
    assert continued == [tracing.format_traceparent(child.context), UNSAMPLED, None]
