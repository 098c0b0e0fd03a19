"""Kafka unavailable: 503 with Retry-After and nothing half-accepted. Rate limits: 429."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from learnloop.infra import kafka
from shared.broker import topic_name
from shared.events import parse_fact_event
from shared.settings import KafkaSettings
from shared.topics import INCIDENTS
from tests.conftest import STATE_DIR
from tests.integration.services.intake.conftest import make_harness, read_topic
from tests.integration.services.intake.test_api import new_incident

pytestmark = pytest.mark.kafka


async def test_rate_limit_answers_429_with_retry_after(
    kafka_settings: KafkaSettings, sqlite_url: str
) -> None:
    async for intake in make_harness(
        kafka_settings, sqlite_url, rate_limit_per_second=0.5, rate_limit_burst=2
    ):
        codes = []
        for _ in range(3):
            response = await intake.client.post(
                "/v1/incidents", json=new_incident(), headers=intake.headers()
            )
            codes.append(response.status_code)
        assert codes == [202, 202, 429]
        assert int(response.headers["Retry-After"]) >= 1
        # Another key has its own budget.
        other = await intake.client.post(
            "/v1/incidents", json=new_incident(), headers=intake.headers(intake.site_key)
        )
        assert other.status_code == 202


async def test_kafka_unreachable_from_the_start_gives_503_and_not_ready(
    kafka_settings: KafkaSettings, sqlite_url: str
) -> None:
    async for intake in make_harness(kafka_settings, sqlite_url):
        # Point the running app's publisher at a port where no broker listens.
        await intake.state.publisher.stop()
        intake.state.publisher._settings = KafkaSettings(bootstrap_servers="127.0.0.1:1")
        assert not intake.state.publisher.connected
        response = await intake.client.post(
            "/v1/incidents", json=new_incident(), headers=intake.headers()
        )
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        assert response.json()["error"]["code"] == "kafka_unavailable"
        ready = await intake.client.get("/readyz")
        assert ready.status_code == 503


@pytest.mark.slow
async def test_broker_stopped_mid_flight_gives_503_then_a_retry_lands_once(
    kafka_settings: KafkaSettings, sqlite_url: str
) -> None:
    dep = kafka.deployment(STATE_DIR, "single")
    async for intake in make_harness(kafka_settings, sqlite_url, publish_timeout_ms=2000):
        body = new_incident()
        try:
            await asyncio.to_thread(kafka.down, dep)
            response = await intake.client.post(
                "/v1/incidents", json=body, headers=intake.headers()
            )
            assert response.status_code == 503
            assert response.json()["error"]["id"] == body["id"]
        finally:
            await asyncio.to_thread(kafka.up, dep)
        topic = topic_name(INCIDENTS, intake.kafka)
        assert await read_topic(intake.kafka, topic) == []  # the refused event never appears

        retry = None
        for _ in range(30):  # the producer reconnects on its own
            retry = await intake.client.post("/v1/incidents", json=body, headers=intake.headers())
            if retry.status_code == 202:
                break
            await asyncio.sleep(1)
        assert retry is not None
        assert retry.status_code == 202
        assert retry.json()["status"] == "accepted"
        records = await read_topic(intake.kafka, topic)
        assert [parse_fact_event(value).id for _, value, _ in records] == [body["id"]]
    assert uuid


async def test_database_unavailable_gives_503_and_publishes_nothing(
    kafka_settings: KafkaSettings, sqlite_url: str
) -> None:
    from shared.database import create_engine
    from shared.settings import DatabaseSettings

    async for intake in make_harness(kafka_settings, sqlite_url):
        accepted = intake.state.intake._accepted
        working = accepted._engine
        # Nothing listens on port 1: every query fails to connect, as when PostgreSQL is down.
        accepted._engine = create_engine(
            DatabaseSettings(url="postgresql+asyncpg://u:p@127.0.0.1:1/none")
        )
        try:
            response = await intake.client.post(
                "/v1/incidents", json=new_incident(), headers=intake.headers()
            )
        finally:
            await accepted._engine.dispose()
            accepted._engine = working
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        assert response.json()["error"]["code"] == "database_unavailable"
        assert await read_topic(intake.kafka, topic_name(INCIDENTS, intake.kafka)) == []


async def test_database_pool_exhausted_gives_503_not_500(
    kafka_settings: KafkaSettings, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import TimeoutError as PoolTimeoutError

    async def pool_exhausted(*_args: object) -> None:
        raise PoolTimeoutError("QueuePool limit of size 10 overflow 10 reached")

    async for intake in make_harness(kafka_settings, sqlite_url):
        monkeypatch.setattr(intake.state.intake._accepted, "find", pool_exhausted)
        response = await intake.client.post(
            "/v1/incidents", json=new_incident(), headers=intake.headers()
        )
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "database_unavailable"
        assert await read_topic(intake.kafka, topic_name(INCIDENTS, intake.kafka)) == []
