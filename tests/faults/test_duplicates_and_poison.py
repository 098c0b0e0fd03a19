"""Duplicate deliveries, replays and poison messages mixed into the flow: the same events again
straight to Kafka and again through intake change nothing; each poison record is dead-lettered
once by each consumer group, with its original bytes, and nothing valid is."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from shared.broker import client_options, producer_options, topic_name
from shared.events import AnyFactEvent
from shared.publishing import record_for
from shared.topics import FACT_TOPICS
from tests.faults import scenario
from tests.faults.pipeline import FaultPipeline, Infrastructure
from tests.faults.publisher import Publisher
from tests.faults.report import ScenarioResult
from tests.faults.verdict import Poison

pytestmark = [pytest.mark.slow, pytest.mark.faults, pytest.mark.timeout(420)]
RESUBMITTED = 200


def _breaking(
    change: Callable[[dict[str, Any]], None],
) -> Callable[[AnyFactEvent], bytes]:
    """A real event, given a new id and then changed so that it breaks the contract."""

    def make(event: AnyFactEvent) -> bytes:
        payload = json.loads(event.to_json_bytes())
        payload["id"] = str(uuid.uuid4())
        change(payload)
        return json.dumps(payload).encode()

    return make


def _set(path: tuple[str, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(payload: dict[str, Any]) -> None:
        target = payload
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


# Poison of every kind a consumer may meet: bytes that are not JSON, JSON that is not an event,
# and events that break the contract (unknown type, missing or impossible fields).
POISON: list[tuple[str, Callable[[AnyFactEvent], bytes]]] = [
    ("garbage bytes", lambda _: b"\x00\x9c\xfe\xff garbage \x80\x81"),
    ("truncated JSON", lambda event: event.to_json_bytes()[:57]),
    ("empty value", lambda _: b""),
    ("JSON array", lambda _: b"[1, 2, 3]"),
    ("unknown type", _breaking(_set(("type",), "incident.deleted"))),
    ("no site", _breaking(lambda payload: payload.pop("siteid"))),
    ("no data", _breaking(lambda payload: payload.pop("data"))),
    ("wrong data", _breaking(_set(("data",), {"rating": 11, "kind": "complaint?"}))),
]


async def replay_straight_to_kafka(pipeline: FaultPipeline, events: list[AnyFactEvent]) -> None:
    """Another system publishing events again with the same ids, bypassing intake."""
    producer = AIOKafkaProducer(
        **client_options(pipeline.kafka, client_id="faults-replay"),
        **producer_options(pipeline.kafka),
    )
    await producer.start()
    try:
        sent = []
        for event in events:
            record = record_for(event, pipeline.kafka)
            headers = [(name, value.encode()) for name, value in record.headers.items()]
            sent.append(
                await producer.send(record.topic, record.value, key=record.key, headers=headers)
            )
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def resubmit_through_intake(
    pipeline: FaultPipeline, events: list[AnyFactEvent]
) -> Counter[str]:
    """A client retrying requests that had in fact succeeded: intake answers 'duplicate'."""
    statuses: Counter[str] = Counter()
    headers = {"X-API-Key": pipeline.api_key, "Content-Type": "application/x-ndjson"}
    async with httpx.AsyncClient(base_url=pipeline.base_url("intake"), timeout=30) as client:
        for start in range(0, len(events), 100):
            body = b"\n".join(e.to_json_bytes() for e in events[start : start + 100])
            response = await client.post("/v1/events:batch", content=body, headers=headers)
            response.raise_for_status()
            statuses.update(item["status"] for item in response.json()["items"])
    return statuses


async def publish_poison(pipeline: FaultPipeline, examples: list[AnyFactEvent]) -> list[Poison]:
    """Every kind of poison onto every fact topic, keyed like real events."""
    producer = AIOKafkaProducer(
        **client_options(pipeline.kafka, client_id="faults-poison"),
        **producer_options(pipeline.kafka),
    )
    await producer.start()
    poison = []
    try:
        for index, (_, make) in enumerate(POISON):
            topic = topic_name(FACT_TOPICS[index % len(FACT_TOPICS)], pipeline.kafka)
            example = examples[index % len(examples)]
            value = make(example)
            sent = await producer.send_and_wait(topic, value, key=example.siteid.encode())
            poison.append(Poison(topic, sent.partition, sent.offset, value))
    finally:
        await producer.stop()
    return poison


async def test_duplicates_replays_and_poison(
    infrastructure: Infrastructure, workdir: Path, fault_results: list[ScenarioResult]
) -> None:
    async def inject(
        pipeline: FaultPipeline, publisher: Publisher, events: list[AnyFactEvent]
    ) -> scenario.Fault:
        await asyncio.wait_for(publisher.wait_for_share(0.5), timeout=120)
        accepted = [event for event in events if event.id in publisher.accepted]
        await replay_straight_to_kafka(pipeline, accepted)
        poison = await publish_poison(pipeline, accepted)
        statuses = await resubmit_through_intake(pipeline, accepted[:RESUBMITTED])
        assert statuses == {"duplicate": min(RESUBMITTED, len(accepted))}, statuses
        return scenario.Fault(
            ended_at=time.monotonic(),
            poison=poison,
            notes=[
                f"{len(accepted)} accepted events published again straight to Kafka; "
                f"{min(RESUBMITTED, len(accepted))} submitted again through intake "
                f"(answered {dict(statuses)}); {len(poison)} poison records: "
                + ", ".join(label for label, _ in POISON)
            ],
        )

    outcome = await scenario.run(
        name="duplicates + poison", seed=501, infra=infrastructure, workdir=workdir,
        results=fault_results, inject=inject,
    )  # fmt: skip
    outcome.assert_sound()
