"""The learning service against the real broker, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select

import services.learning
from services.learning.adapters.tables import event_themes, facts, improvement_actions
from services.learning.app import running
from services.learning.domain.obligations import obligations_for
from services.learning.domain.rulebook import load_rulebook
from services.learning.domain.themes import classify
from services.learning.settings import LearningOptions, LearningSettings
from shared.broker import topic_name
from shared.database import create_engine
from shared.events import AnyFactEvent, ComplaintResolved
from shared.events.fact_time import fact_time
from shared.provisioning import ensure_topics
from shared.publishing import record_for
from shared.settings import DatabaseSettings, KafkaSettings
from shared.tables import outbox
from shared.topics import DERIVED_TOPICS, INCIDENTS
from tests.integration.services.intake.conftest import read_topic
from tests.unit.shared.events.examples import all_examples, complaint_received, fall_incident

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def fresh(event: AnyFactEvent) -> AnyFactEvent:
    return event.model_copy(update={"id": f"evt-{uuid.uuid4().hex}"})


async def publish_raw(kafka: KafkaSettings, records: list[tuple[str, bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for topic, key, value in records:
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()


async def publish_events(kafka: KafkaSettings, events: list[AnyFactEvent]) -> None:
    records = []
    for event in events:
        record = record_for(event, kafka)
        records.append((record.topic, record.key, record.value))
    await publish_raw(kafka, records)


async def wait_for(condition: Callable[[], Any], within_s: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + within_s
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.2)


async def derived_records(kafka: KafkaSettings) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for topic in DERIVED_TOPICS:
        for _, value, _ in await read_topic(kafka, topic_name(topic, kafka)):
            payload = json.loads(value)
            found.setdefault(payload["type"], []).append(payload)
    return found


async def test_facts_become_themes_obligations_and_dead_letters(
    kafka_settings: KafkaSettings, database_url: str
) -> None:
    await ensure_topics(kafka_settings)
    events = [fresh(event) for event in all_examples()]
    duplicate = events[0]
    incidents = topic_name(INCIDENTS, kafka_settings)
    await publish_events(kafka_settings, [*events, duplicate])
    await publish_raw(
        kafka_settings,
        [
            (incidents, b"rosewood-house", b"\x00\x01 not json"),
            (incidents, b"rosewood-house", b'{"type": "incident.reported", "id": "x"}'),
        ],
    )
    settings = LearningSettings(
        kafka=kafka_settings,
        database=DatabaseSettings(url=database_url),
        learning=LearningOptions(group_id=f"learning-{uuid.uuid4().hex[:8]}"),
    )
    async with running(settings) as runtime:

        async def caught_up() -> bool:
            done = runtime.pipeline.applied == len(events)
            return done and runtime.consumer.stats.dead_lettered == 2

        await wait_for(caught_up)

        async def relayed() -> bool:
            return await runtime.relay.pending() == 0

        await wait_for(relayed)
        assert runtime.pipeline.skipped == 1  # the duplicate changed nothing

    rulebook = load_rulebook()
    expected_themes = sum(len(classify(event, rulebook)) for event in events)
    expected_obligations = sum(len(obligations_for(event, rulebook)) for event in events)
    derived = await derived_records(kafka_settings)
    assert len(derived["theme.linked"]) == expected_themes
    assert len(derived.get("obligation.flagged", [])) == expected_obligations
    linked = {
        (d["data"]["source_event_id"], d["data"]["theme_id"]) for d in derived["theme.linked"]
    }
    assert len(linked) == expected_themes  # exactly once each

    dead = await read_topic(kafka_settings, incidents + ".dlq")
    assert len(dead) == 2
    reasons = sorted(headers["dlq-reason"] for _, _, headers in dead)
    assert reasons == [b"contract_violation", b"unparseable"]
    assert {value for _, value, _ in dead} >= {b"\x00\x01 not json"}
    assert all(headers["dlq-source-topic"] == incidents.encode() for _, _, headers in dead)

    engine = create_engine(DatabaseSettings(url=database_url))
    try:
        async with engine.connect() as connection:
            assert await connection.scalar(select(func.count()).select_from(facts)) == len(events)
            themes = await connection.scalar(select(func.count()).select_from(event_themes))
            assert themes == expected_themes
            unpublished = await connection.scalar(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
            assert unpublished == 0
    finally:
        await engine.dispose()


async def test_recurring_theme_opens_one_action_then_links_and_alerts_across_sites(
    kafka_settings: KafkaSettings, sqlite_url: str
) -> None:
    await ensure_topics(kafka_settings)
    falls: list[AnyFactEvent] = []
    sites = ["rosewood-house", "elm-court", "oak-lodge"]
    for site in sites:
        for _ in range(4):
            falls.append(fresh(fall_incident()).model_copy(update={"siteid": site}))
    await publish_events(kafka_settings, falls)
    settings = LearningSettings(
        kafka=kafka_settings,
        database=DatabaseSettings(url=sqlite_url),
        learning=LearningOptions(group_id=f"learning-{uuid.uuid4().hex[:8]}"),
    )
    async with running(settings) as runtime:

        async def done() -> bool:
            applied = runtime.pipeline.applied == len(falls)
            return applied and await runtime.relay.pending() == 0

        await wait_for(done)

    derived = await derived_records(kafka_settings)
    # The third fall at a site opens the action (3 in 30 days) with all three linked;
    # the fourth is linked to it.
    opened = [d for d in derived["action.opened"] if d["data"].get("theme_id") == "falls"]
    linked = [d for d in derived["action.linked"] if d["data"].get("theme_id") == "falls"]
    assert sorted(d["siteid"] for d in opened) == sorted(sites)
    assert sorted(d["siteid"] for d in linked) == sorted(sites)
    alerts = [d for d in derived["alert.raised"] if d["data"].get("theme_id") == "falls"]
    assert len(alerts) == 1
    assert sorted(alerts[0]["data"]["site_ids"]) == sorted(sites)

    engine = create_engine(DatabaseSettings(url=sqlite_url))
    try:
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(
                        improvement_actions.c.site_id, improvement_actions.c.linked_events
                    ).where(improvement_actions.c.theme_id == "falls")
                )
            ).all()
    finally:
        await engine.dispose()
    assert sorted(rows) == sorted((site, 4) for site in sites)


async def test_replaying_the_topics_changes_nothing(
    kafka_settings: KafkaSettings, sqlite_url: str
) -> None:
    await ensure_topics(kafka_settings)
    events = [fresh(event) for event in all_examples()]
    await publish_events(kafka_settings, events)
    for attempt in range(2):  # a second consumer group replays everything from the start
        settings = LearningSettings(
            kafka=kafka_settings,
            database=DatabaseSettings(url=sqlite_url),
            learning=LearningOptions(group_id=f"learning-{attempt}-{uuid.uuid4().hex[:8]}"),
        )
        async with running(settings) as runtime:

            async def consumed() -> bool:
                seen = runtime.pipeline.applied + runtime.pipeline.skipped
                return seen == len(events) and await runtime.relay.pending() == 0

            await wait_for(consumed)
            assert runtime.pipeline.applied == (len(events) if attempt == 0 else 0)
    derived = await derived_records(kafka_settings)
    ids = [d["id"] for records in derived.values() for d in records]
    assert len(ids) == len(set(ids))  # no derived event published twice


async def test_complaint_outcome_meets_the_response_deadline_and_opens_an_action(
    kafka_settings: KafkaSettings, sqlite_url: str
) -> None:
    await ensure_topics(kafka_settings)
    complaint = fresh(complaint_received())
    received = fact_time(complaint)
    answer = ComplaintResolved.model_validate(
        {
            "id": f"{complaint.id}-resolved", "source": complaint.source,
            "providerid": complaint.providerid, "siteid": complaint.siteid,
            "region": complaint.region,
            "data": {"complaint_event_id": complaint.id, "outcome": "upheld",
                     "responded_at": (received + timedelta(days=5)).isoformat()},
        }
    )  # fmt: skip
    await publish_events(kafka_settings, [complaint, answer])
    settings = LearningSettings(
        kafka=kafka_settings,
        database=DatabaseSettings(url=sqlite_url),
        learning=LearningOptions(group_id=f"learning-{uuid.uuid4().hex[:8]}"),
    )
    async with running(settings) as runtime:

        async def done() -> bool:
            return runtime.pipeline.applied == 2 and await runtime.relay.pending() == 0

        await wait_for(done)
    derived = await derived_records(kafka_settings)
    [met] = [d for d in derived["obligation.met"] if d["data"]["kind"] == "complaint_response"]
    assert met["data"]["source_event_id"] == complaint.id
    assert met["data"]["on_time"] is True
    [opened] = [
        d for d in derived["action.opened"] if d["data"]["rule_id"] == "action-upheld-complaint"
    ]
    assert opened["data"]["source_event_id"] == answer.id


async def test_a_provider_with_tailored_rules_gets_its_own_thresholds(
    kafka_settings: KafkaSettings, sqlite_url: str, tmp_path: Path
) -> None:
    # harbour-care opens a recurrence action at 2 falls in 30 days; other providers keep 3.
    tailored = tmp_path / "harbour-rules"
    shutil.copytree(Path(services.learning.__file__).parent / "rules", tailored)
    rules = json.loads((tailored / "actions.json").read_text())
    rules["theme_recurrence"]["events"] = 2
    (tailored / "actions.json").write_text(json.dumps(rules))
    await ensure_topics(kafka_settings)
    harbour = [fresh(fall_incident()) for _ in range(2)]
    other = [
        fresh(fall_incident()).model_copy(update={"providerid": "other-care"}) for _ in range(2)
    ]
    await publish_events(kafka_settings, [*harbour, *other])
    settings = LearningSettings(
        kafka=kafka_settings,
        database=DatabaseSettings(url=sqlite_url),
        learning=LearningOptions(
            group_id=f"learning-{uuid.uuid4().hex[:8]}",
            provider_rules_dirs={"harbour-care": tailored},
        ),
    )
    async with running(settings) as runtime:

        async def done() -> bool:
            return runtime.pipeline.applied == 4 and await runtime.relay.pending() == 0

        await wait_for(done)
    derived = await derived_records(kafka_settings)
    opened = [d for d in derived.get("action.opened", []) if d["data"].get("theme_id") == "falls"]
    assert [d["providerid"] for d in opened] == ["harbour-care"]
