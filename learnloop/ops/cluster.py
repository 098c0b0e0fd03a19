"""Short-lived Kafka clients for operator commands, and reading a bounded range of a topic.

Every client is built from ``shared.broker.client_options`` so TLS/SASL settings apply, and every
client is closed when the command is done: operator commands never leave members in a group.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.broker import client_options, producer_options
from shared.provisioning import admin_client
from shared.settings import KafkaSettings


@asynccontextmanager
async def admin_session(settings: KafkaSettings) -> AsyncIterator[AIOKafkaAdminClient]:
    """A started admin client, closed on exit."""
    admin = admin_client(settings)
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


@asynccontextmanager
async def reader(settings: KafkaSettings, *, group_id: str | None = None) -> AsyncIterator[Any]:
    """A consumer that never joins a group and never commits unless asked (``group_id`` set).

    It reads with ``read_committed``, as the services do, so aborted records are never shown.
    """
    consumer = AIOKafkaConsumer(
        **client_options(settings, client_id="ops"),
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await consumer.start()
    try:
        yield consumer
    finally:
        # aiokafka's no-group coordinator task raises CancelledError from stop() when it never
        # got to run (start then stop without an await between): let it start first.
        await asyncio.sleep(0)
        await consumer.stop()


@asynccontextmanager
async def safe_producer(settings: KafkaSettings) -> AsyncIterator[AIOKafkaProducer]:
    """The services' producer settings: acks=all and idempotence, so a replay is never half-done."""
    producer = AIOKafkaProducer(
        **client_options(settings, client_id="ops"), **producer_options(settings)
    )
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


async def partitions_of(
    admin: AIOKafkaAdminClient, topics: Iterable[str]
) -> dict[str, list[TopicPartition]]:
    """The partitions of each topic that exists; topics that do not exist are left out.

    Topics are filtered with ``list_topics`` first because a metadata request for an unknown
    topic may create it when the broker allows auto-creation.
    """
    wanted = set(topics)
    existing = sorted(wanted & set(await admin.list_topics()))
    if not existing:
        return {}
    found: dict[str, list[TopicPartition]] = {}
    for described in await admin.describe_topics(existing):
        if described["error_code"] == 0:
            found[described["topic"]] = sorted(
                (
                    TopicPartition(described["topic"], p["partition"])
                    for p in described["partitions"]
                ),
                key=lambda tp: tp.partition,
            )
    return found


async def read_range(
    consumer: Any,
    ranges: dict[TopicPartition, tuple[int, int]],
    *,
    timeout_s: float,
) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
    """Yield the records in ``[start, end)`` of each partition, in offset order per partition.

    ``consumer`` is a started :func:`reader`. Raises ``TimeoutError`` when the broker does not
    deliver the range in time (e.g. a partition leader is down).
    """
    pending = {tp: span for tp, span in ranges.items() if span[0] < span[1]}
    if not pending:
        return
    consumer.assign(list(pending))
    for tp, (start, _) in pending.items():
        consumer.seek(tp, start)
    deadline = asyncio.get_running_loop().time() + timeout_s
    while pending:
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(
                f"records not delivered in {timeout_s}s: {sorted(map(str, pending))}"
            )
        batch = await consumer.getmany(*pending, timeout_ms=500)
        for tp, records in batch.items():
            end = pending.get(tp, (0, 0))[1]
            for record in records:
                if record.offset < end:
                    yield record
        for tp in list(pending):
            # Position, not the last record, decides: transaction markers take offsets too.
            if await consumer.position(tp) >= pending[tp][1]:
                del pending[tp]
