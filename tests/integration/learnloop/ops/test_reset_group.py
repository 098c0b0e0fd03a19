"""`ops reset-group`: refused while a member polls, applied (and verifiable) once it left."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from learnloop.ops.group_reset import ResetKind, ResetTarget, apply_reset, plan_reset
from shared.provisioning import admin_client
from shared.settings import KafkaSettings
from tests.integration.learnloop.ops.conftest import Topics, invoke, produce

pytestmark = pytest.mark.kafka
HOUR_MS = 3_600_000


async def committed(kafka: KafkaSettings, group: str) -> dict[tuple[str, int], int]:
    admin = admin_client(kafka)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    return {(tp.topic, tp.partition): meta.offset for tp, meta in offsets.items()}


async def poll_forever(consumer: AIOKafkaConsumer) -> None:
    """Keep the member alive the way a service does: fetch, commit, repeat."""
    while True:
        batch = await consumer.getmany(timeout_ms=200)
        if batch:
            await consumer.commit()


async def test_refused_while_a_member_polls_then_reset_after_it_leaves(
    kafka_settings: KafkaSettings, topics: Topics, cli_env: dict[str, str]
) -> None:
    group = f"ops-reset-{uuid.uuid4().hex[:8]}"
    start = int(time.time() * 1000) - 10 * HOUR_MS
    for hour in range(6):  # one record per hour on partition 0, so times map to offsets
        await produce(
            kafka_settings, topics.source, [b"%d" % hour], timestamp_ms=start + hour * HOUR_MS
        )
    member = AIOKafkaConsumer(
        topics.source, bootstrap_servers=kafka_settings.bootstrap_servers, group_id=group,
        enable_auto_commit=False, auto_offset_reset="earliest",
    )  # fmt: skip
    await member.start()
    polling = asyncio.create_task(poll_forever(member))
    try:
        deadline = time.monotonic() + 30
        while (await committed(kafka_settings, group)).get((topics.source, 0)) != 6:
            assert time.monotonic() < deadline, "the member did not consume and commit"
            await asyncio.sleep(0.2)

        refused = await invoke(["reset-group", group, "--to-earliest", "--yes"], cli_env)
        assert refused.exit_code == 1
        assert "is active" in refused.stderr and "stop its consumers first" in refused.stderr
        assert (await committed(kafka_settings, group))[(topics.source, 0)] == 6
    finally:
        polling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await polling
        await member.stop()  # leaves the group

    reset = await invoke(["reset-group", group, "--to-earliest", "--yes", "--json"], cli_env)
    assert reset.exit_code == 0, reset.output
    rows = {row["partition"]: row for row in json.loads(reset.stdout)}
    assert (rows[0]["before"], rows[0]["after"], rows[0]["committed"]) == (6, 0, 0)
    assert (await committed(kafka_settings, group))[(topics.source, 0)] == 0

    at = datetime.fromtimestamp((start + 2 * HOUR_MS + 1) / 1000, UTC)  # just after record 2
    plan = await plan_reset(kafka_settings, group, ResetTarget(ResetKind.DATETIME, at=at))
    after = await apply_reset(kafka_settings, group, plan)
    assert after[TopicPartition(topics.source, 0)] == 3
    assert after[TopicPartition(topics.source, 1)] == 0  # nothing there: the end, which is 0

    for target, expected in ((ResetTarget(ResetKind.OFFSET, offset=4), 4),
                             (ResetTarget(ResetKind.OFFSET, offset=99), 6),
                             (ResetTarget(ResetKind.LATEST), 6)):  # fmt: skip
        plan = await plan_reset(kafka_settings, group, target)
        await apply_reset(kafka_settings, group, plan)
        assert (await committed(kafka_settings, group))[(topics.source, 0)] == expected

    table = await invoke(
        ["reset-group", group, "--to-offset", "1", "--topic", "incidents.v1", "--yes"], cli_env
    )
    assert table.exit_code == 0, table.output
    assert (await committed(kafka_settings, group))[(topics.source, 0)] == 1


async def test_a_group_without_offsets_needs_topics(
    kafka_settings: KafkaSettings, topics: Topics, cli_env: dict[str, str]
) -> None:
    group = f"ops-new-{uuid.uuid4().hex[:8]}"
    refused = await invoke(["reset-group", group, "--to-latest", "--yes"], cli_env)
    assert refused.exit_code == 1 and "name topics with --topic" in refused.stderr
    missing = await invoke(
        ["reset-group", group, "--to-latest", "--topic", "x.y", "--yes"], cli_env
    )
    assert missing.exit_code == 1 and "no such topic: x.y" in missing.stderr
