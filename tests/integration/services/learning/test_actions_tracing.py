"""With tracing on, a manager's change and the governance clock's escalations are traced: the
learning API's request span, the clock's tick span, the derived events carrying their context,
and reporting's span for each of those events in the same trace (real broker, spans in memory)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from services.learning.app import LearningRuntime, create_app
from services.learning.governance_clock import TICK_SPAN
from services.learning.settings import LearningOptions, LearningSettings
from shared import tracing
from shared.provisioning import ensure_topics
from shared.settings import DatabaseSettings, KafkaSettings
from tests.conftest import delete_topics_with_prefix
from tests.integration.services.learning.test_actions_api import after_the_first_tick, make_keys
from tests.integration.services.learning.test_learning_service import (
    derived_records,
    fresh,
    publish_events,
    wait_for,
)
from tests.integration.services.reporting.harness import serving, settings_for
from tests.unit.shared.events.examples import fall_incident, pressure_ulcer_incident

pytestmark = [pytest.mark.kafka]

ASSIGN = "POST /v1/actions/{action_id}/assign"
MET = "POST /v1/obligations/{obligation_id}/met"
REVIEW = "POST /v1/governance/review"
# What the governance clock derives (nothing here closes an action, so outcomes are its too).
CLOCK_TYPES = (
    "action.escalated", "obligation.overdue", "action.reviewed", "lesson.shared",
    "outcome.published",
)  # fmt: skip


@dataclass(frozen=True)
class Traced:
    """What learning derived and the spans recorded on the way."""

    spans: list[ReadableSpan]
    derived: dict[str, list[dict[str, Any]]]  # payloads by event type
    action_id: str
    obligation_id: str
    queued_by_review: int  # what POST /v1/governance/review answered
    reporting_group: str

    def request(self, name: str) -> ReadableSpan:
        [span] = [span for span in self.spans if span.name == name]
        return span

    def named(self, name: str) -> list[ReadableSpan]:
        return [span for span in self.spans if span.name == name]


def context_of(span: ReadableSpan) -> str:
    return tracing.format_traceparent(span.context)


def parent_of(span: ReadableSpan) -> tuple[int, int] | None:
    return None if span.parent is None else (span.parent.trace_id, span.parent.span_id)


def ids_of(span: ReadableSpan) -> tuple[int, int]:
    return span.context.trace_id, span.context.span_id


@pytest.fixture(scope="module")
async def traced(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Traced]:
    """Tracing on in memory; facts learned from; an action assigned, an obligation met and the
    clock run over HTTP; then reporting consumes what learning derived."""
    kafka = KafkaSettings(
        bootstrap_servers=kafka_bootstrap, topic_prefix=f"test-{uuid.uuid4().hex[:12]}"
    )
    directory: Path = tmp_path_factory.mktemp("traced-actions")
    exporter = InMemorySpanExporter()
    provider = tracing.new_tracer_provider("test", environ={})
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use_tracer_provider(provider)
    try:
        await ensure_topics(kafka)
        keys_url = f"sqlite+aiosqlite:///{directory / 'keys.db'}"
        manager, _ = await make_keys(keys_url)
        settings = LearningSettings(
            kafka=kafka,
            database=DatabaseSettings(url=f"sqlite+aiosqlite:///{directory / 'learning.db'}"),
            learning=LearningOptions(
                group_id=f"ln-{uuid.uuid4().hex[:8]}", keys_database_url=keys_url
            ),
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            runtime: LearningRuntime = app.state.runtime
            await wait_for(after_the_first_tick(runtime))
            # Published without a trace context: what the pipeline derives starts no trace, so
            # every traced derived event below comes from the API or the clock.
            facts = [*(fresh(fall_incident()) for _ in range(3)), fresh(pressure_ulcer_incident())]
            await publish_events(kafka, facts)

            async def settled() -> bool:
                return runtime.pipeline.applied == 4 and await runtime.relay.pending() == 0

            await wait_for(settled)
            derived = await derived_records(kafka)
            [opened] = [d for d in derived["action.opened"] if d["data"].get("theme_id") == "falls"]
            [obligation] = [
                d for d in derived["obligation.flagged"] if d["data"]["kind"] == "cqc_notification"
            ]
            action_id = opened["data"]["action_id"]
            obligation_id = obligation["data"]["obligation_id"]
            headers = {"X-API-Key": manager}
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://learning") as client:
                assigned = await client.post(
                    f"/v1/actions/{action_id}/assign",
                    json={"owner_role": "registered_manager"}, headers=headers,
                )  # fmt: skip
                assert assigned.status_code == 200, assigned.text
                met = await client.post(
                    f"/v1/obligations/{obligation_id}/met", json={}, headers=headers
                )
                assert met.status_code == 200, met.text
                review = await client.post("/v1/governance/review", headers=headers)
                assert review.status_code == 200, review.text

            async def relayed() -> bool:
                return await runtime.relay.pending() == 0

            await wait_for(relayed)
        derived = await derived_records(kafka)
        reporting_group = f"rp-{uuid.uuid4().hex[:8]}"
        (directory / "reporting").mkdir()
        reporting = settings_for(
            kafka, f"sqlite+aiosqlite:///{directory / 'reporting.db'}", keys_url,
            directory / "reporting", group=reporting_group,
        )  # fmt: skip
        async with serving(reporting) as served:

            async def reported() -> bool:
                lag = await served.runtime.probe.lag(served.runtime.group_id)
                return served.runtime.projection.projected > 0 and not any(lag.values())

            await wait_for(reported)
        yield Traced(
            spans=list(exporter.get_finished_spans()),
            derived=derived,
            action_id=action_id,
            obligation_id=obligation_id,
            queued_by_review=review.json()["events_queued"],
            reporting_group=reporting_group,
        )
    finally:
        tracing.use_tracer_provider(None)
        await delete_topics_with_prefix(kafka)


def test_a_managers_change_carries_the_span_of_the_request_that_made_it(traced: Traced) -> None:
    assign = traced.request(ASSIGN)
    assert assign.kind is SpanKind.SERVER
    assert assign.attributes is not None
    assert assign.attributes["http.response.status_code"] == 200
    [update] = [
        d for d in traced.derived["action.updated"] if d["data"]["action_id"] == traced.action_id
    ]
    assert update["traceparent"] == context_of(assign)
    [met] = traced.derived["obligation.met"]
    assert met["data"]["obligation_id"] == traced.obligation_id
    assert met["traceparent"] == context_of(traced.request(MET))


def test_the_clocks_escalations_carry_the_span_of_its_tick(traced: Traced) -> None:
    ticks = {context_of(span): span for span in traced.named(TICK_SPAN)}
    from_clock = [d for kind in CLOCK_TYPES for d in traced.derived.get(kind, [])]
    assert traced.derived["action.escalated"] and traced.derived["obligation.overdue"]
    assert all(d["traceparent"] in ticks for d in from_clock), "a clock event without its tick"
    queued = [(span.attributes or {}).get("learnloop.events_queued", 0) for span in ticks.values()]
    assert sum(n for n in queued if isinstance(n, int)) == len(from_clock)
    # The tick run over HTTP is a child of its request and its events carry the tick's context.
    # The example facts' deadlines are in 2025, so the review finds them overdue.
    review = traced.request(REVIEW)
    [tick] = [span for span in ticks.values() if parent_of(span) == ids_of(review)]
    assert traced.queued_by_review > 0
    assert sum(d["traceparent"] == context_of(tick) for d in from_clock) == traced.queued_by_review


def test_reporting_follows_them_in_the_same_trace(traced: Traced) -> None:
    group = traced.reporting_group
    assign = traced.request(ASSIGN)
    [updated] = traced.named(f"{group} process action.updated")
    assert parent_of(updated) == ids_of(assign)
    [met] = traced.named(f"{group} process obligation.met")
    assert parent_of(met) == ids_of(traced.request(MET))
    ticks = {ids_of(span) for span in traced.named(TICK_SPAN)}
    escalations = traced.named(f"{group} process action.escalated")
    assert escalations and all(parent_of(span) in ticks for span in escalations)
