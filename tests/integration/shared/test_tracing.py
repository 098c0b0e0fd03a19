"""One incident followed by its trace: the intake request, the Kafka record, the learning batch
and the reporting batch, all three services in-process on the real broker, spans in memory."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.learning.app import running as learning_running
from services.learning.settings import LearningOptions, LearningSettings
from shared import tracing
from shared.settings import DatabaseSettings, KafkaSettings
from shared.topics import INCIDENTS
from tests.conftest import delete_topics_with_prefix
from tests.integration.services.intake.conftest import make_harness, read_topic
from tests.integration.services.reporting.harness import (
    make_keys,
    serving,
    settings_for,
    wait_for,
)
from tests.unit.shared.events.examples import as_json_dict, fall_incident

pytestmark = [pytest.mark.kafka]


@dataclass(frozen=True)
class Followed:
    """The spans recorded while one incident went through the pipeline."""

    spans: list[ReadableSpan]
    request: ReadableSpan  # intake's POST /v1/incidents
    header: str | None  # the Kafka record's traceparent header
    topic: str  # the incidents topic
    learning_group: str
    reporting_group: str

    @property
    def trace_id(self) -> int:
        trace_id: int = self.request.context.trace_id
        return trace_id

    def named(self, name: str) -> list[ReadableSpan]:
        return [span for span in self.spans if span.name == name]

    def in_trace(self, name: str) -> ReadableSpan:
        [span] = [span for span in self.named(name) if span.context.trace_id == self.trace_id]
        return span


def linked_to(span: ReadableSpan, other: ReadableSpan) -> bool:
    ids = (other.context.trace_id, other.context.span_id)
    return any((link.context.trace_id, link.context.span_id) == ids for link in span.links)


@pytest.fixture(scope="module")
async def followed(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Followed]:
    """Tracing on in memory; one incident posted to intake, learned from and reported on."""
    kafka = KafkaSettings(
        bootstrap_servers=kafka_bootstrap, topic_prefix=f"test-{uuid.uuid4().hex[:12]}"
    )
    directory: Path = tmp_path_factory.mktemp("traced")
    exporter = InMemorySpanExporter()
    provider = tracing.new_tracer_provider("test", environ={})
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use_tracer_provider(provider)
    learning_group, reporting_group = (f"{s}-{uuid.uuid4().hex[:8]}" for s in ("ln", "rp"))
    learning = LearningSettings(
        kafka=kafka,
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{directory / 'learning.db'}"),
        learning=LearningOptions(group_id=learning_group),
    )
    (directory / "reporting").mkdir()
    keys_url, _ = await make_keys(directory / "reporting")
    reporting = settings_for(
        kafka, f"sqlite+aiosqlite:///{directory / 'reporting.db'}", keys_url,
        directory / "reporting", group=reporting_group,
    )  # fmt: skip
    incident = fall_incident().model_copy(update={"id": f"traced-{uuid.uuid4().hex[:8]}"})
    try:
        async for intake in make_harness(kafka, f"sqlite+aiosqlite:///{directory / 'intake.db'}"):
            response = await intake.client.post(
                "/v1/incidents", json=as_json_dict(incident), headers=intake.headers()
            )
            assert response.status_code == 202, response.text
        async with learning_running(learning) as runtime:

            async def learned() -> bool:
                return runtime.pipeline.applied == 1 and await runtime.relay.pending() == 0

            await wait_for(learned)
        async with serving(reporting) as served:

            async def reported() -> bool:
                lag = await served.runtime.probe.lag(served.runtime.group_id)
                return served.runtime.projection.projected > 1 and not any(lag.values())

            await wait_for(reported)
        topic = INCIDENTS.full_name(kafka.topic_prefix)
        [(_, _, headers)] = await read_topic(kafka, topic)
        spans = list(exporter.get_finished_spans())
        [request] = [span for span in spans if span.name == "POST /v1/incidents"]
        header = headers["traceparent"].decode() if "traceparent" in headers else None
        yield Followed(spans, request, header, topic, learning_group, reporting_group)
    finally:
        tracing.use_tracer_provider(None)
        await delete_topics_with_prefix(kafka)


def test_the_intake_request_span_is_carried_by_the_event_and_its_kafka_header(
    followed: Followed,
) -> None:
    request = followed.request
    assert request.kind is SpanKind.SERVER
    assert request.attributes is not None
    assert request.attributes["http.response.status_code"] == 202
    assert followed.header == tracing.format_traceparent(request.context)


def test_learning_and_reporting_batches_continue_the_trace_of_the_incident(
    followed: Followed,
) -> None:
    request = followed.request
    for group in (followed.learning_group, followed.reporting_group):
        batch = followed.named(f"{group} process")
        assert any(linked_to(span, request) for span in batch), f"{group}: no batch links it"
        child = followed.in_trace(f"{group} process incident.reported")
        assert child.parent is not None and child.parent.span_id == request.context.span_id
        assert child.attributes is not None
        assert child.attributes["messaging.consumer.group.name"] == group
        assert child.attributes["messaging.destination.name"] == followed.topic
        assert any(linked_to(child, span) for span in batch)  # and to its batch


def test_what_learning_derived_is_reported_in_the_same_trace(followed: Followed) -> None:
    derived = followed.in_trace(f"{followed.reporting_group} process theme.linked")
    learning = followed.in_trace(f"{followed.learning_group} process incident.reported")
    assert derived.parent is not None
    assert derived.parent.span_id in (learning.context.span_id, followed.request.context.span_id)
