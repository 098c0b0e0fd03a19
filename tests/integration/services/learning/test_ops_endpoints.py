"""The learning service's ops endpoints (what `learnloop ops exporter`, Prometheus and the alert
rules read): health, readiness and metrics against the real broker."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx
import pytest

from services.learning.app import LearningRuntime, create_app
from services.learning.settings import LearningOptions, LearningSettings
from shared.broker import topic_name
from shared.provisioning import ensure_topics
from shared.settings import DatabaseSettings, KafkaSettings
from shared.topics import FACT_TOPICS, INCIDENTS
from tests.integration.services.learning.test_learning_service import (
    fresh,
    publish_events,
    publish_raw,
    wait_for,
)
from tests.unit.shared.events.examples import fall_incident, pressure_ulcer_incident

pytestmark = pytest.mark.kafka


def metric(text: str, name: str) -> float:
    found = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert found, f"{name} missing from /metrics"
    return float(found.group(1))


async def test_health_readiness_and_metrics(kafka_settings: KafkaSettings, tmp_path: Path) -> None:
    await ensure_topics(kafka_settings)
    facts = [fresh(fall_incident()), fresh(pressure_ulcer_incident())]
    await publish_events(kafka_settings, [*facts, facts[0]])  # the last is a duplicate
    poison = (topic_name(INCIDENTS, kafka_settings), b"rosewood-house", b"\x00 not json")
    await publish_raw(kafka_settings, [poison])
    settings = LearningSettings(
        kafka=kafka_settings,
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'learning.db'}"),
        learning=LearningOptions(group_id=f"learning-{uuid.uuid4().hex[:8]}"),
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://learning") as client,
    ):
        runtime: LearningRuntime = app.state.runtime
        assert (await client.get("/healthz")).json() == {"status": "ok"}

        async def settled() -> bool:
            caught_up = runtime.pipeline.applied == 2 and runtime.pipeline.skipped == 1
            done = caught_up and runtime.consumer.stats.dead_lettered == 1
            return done and await runtime.relay.pending() == 0

        await wait_for(settled)
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        partitions = sum(topic.partitions for topic in FACT_TOPICS)
        assert ready.json() == {"status": "ready", "partitions": partitions}
        response = await client.get("/metrics")
        assert response.headers["content-type"].startswith("text/plain")
        text = response.text

    assert metric(text, "learnloop_learning_events_applied") == 2
    assert metric(text, "learnloop_learning_events_skipped") == 1
    assert metric(text, "learnloop_learning_dead_letters") == 1
    assert metric(text, "learnloop_learning_batch_retries") == 0
    assert metric(text, "learnloop_learning_outbox_pending") == 0
