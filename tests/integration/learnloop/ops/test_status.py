"""`ops status` and the exporter against the real broker: lag in messages and seconds."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from learnloop.ops.exporter import start_exporter
from learnloop.ops.lag import group_lag
from learnloop.ops.settings import OpsSettings
from shared.settings import KafkaSettings
from tests.integration.learnloop.ops.conftest import Topics, invoke, produce

pytestmark = pytest.mark.kafka
AGE_S = 120


async def consume_and_commit(kafka: KafkaSettings, group: str, tp: TopicPartition, n: int) -> None:
    """A member of ``group`` reads ``n`` records of ``tp``, commits after them and leaves."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka.bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        seen: list[ConsumerRecord[bytes, bytes]] = []
        while len(seen) < n:
            batch = await consumer.getmany(tp, timeout_ms=1000, max_records=n - len(seen))
            seen += batch.get(tp, [])
        await consumer.commit({tp: seen[-1].offset + 1})
    finally:
        await consumer.stop()


async def test_lag_while_behind_and_zero_when_caught_up(
    kafka_settings: KafkaSettings,
    topics: Topics,
    ops_settings: OpsSettings,
    cli_env: dict[str, str],
) -> None:
    group = f"ops-status-{uuid.uuid4().hex[:8]}"
    tp = TopicPartition(topics.source, 0)
    old = int((time.time() - AGE_S) * 1000)
    await produce(kafka_settings, topics.source, [b"%d" % i for i in range(10)], timestamp_ms=old)
    await consume_and_commit(kafka_settings, group, tp, 4)

    [behind] = await group_lag(kafka_settings, [group])
    rows = {p.partition: p for p in behind.partitions}
    assert set(rows) == {0, 1}  # every partition of the topic the group committed on
    assert (rows[0].committed, rows[0].end, rows[0].lag_messages) == (4, 10, 6)
    assert rows[0].lag_seconds is not None and AGE_S - 5 < rows[0].lag_seconds < AGE_S + 60
    assert (rows[1].committed, rows[1].lag_messages, rows[1].lag_seconds) == (None, 0, 0.0)
    assert behind.state == "Empty" and behind.members == 0

    result = await invoke(["status", "--group", group, "--json"], cli_env)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["kafka_error"] is None
    assert shown["groups"][0]["lag_messages"] == 6
    assert {s["service"]: s["health"] for s in shown["services"]} == {
        "intake": "down",
        "learning": "down",
        "reporting": "down",
    }

    server = start_exporter(ops_settings, port=0, host="127.0.0.1", groups=[group])
    try:
        async with httpx.AsyncClient() as client:
            scraped = await client.get(f"http://127.0.0.1:{server.server_port}/metrics", timeout=60)
    finally:
        await asyncio.to_thread(server.shutdown)
        server.server_close()
    labels = f'group="{group}",partition="0",topic="{topics.source}"'
    assert f"learnloop_consumer_lag_messages{{{labels}}} 6.0" in scraped.text
    assert 'learnloop_service_up{service="learning"} 0.0' in scraped.text
    assert "learnloop_ops_kafka_up 1.0" in scraped.text

    await consume_and_commit(kafka_settings, group, tp, 10)
    [caught_up] = await group_lag(kafka_settings, [group])
    assert caught_up.lag_messages == 0 and caught_up.lag_seconds == 0.0
    assert all(p.lag_seconds == 0.0 for p in caught_up.partitions)


async def test_a_group_that_never_committed_has_no_rows(
    kafka_settings: KafkaSettings, topics: Topics
) -> None:
    [unknown] = await group_lag(kafka_settings, [f"never-{uuid.uuid4().hex[:8]}"])
    assert unknown.partitions == () and unknown.lag_messages == 0
