"""Consumer lag measured from outside the services, robust to a broker that is down or paused.

Lag counts every partition of a group's topics: a partition the group never committed counts
from its first offset (the topics are fresh and keep everything), so a partition nobody was
assigned cannot hide behind a lag of 0.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.broker import client_options
from shared.settings import KafkaSettings

Offsets = dict[TopicPartition, int]
CALL_TIMEOUT_S = 8.0
Call = Callable[[AIOKafkaAdminClient, AIOKafkaConsumer], Awaitable[Any]]


class OffsetWatch:
    """End offsets of topics and committed offsets of groups, with clients that reconnect."""

    def __init__(self, kafka: KafkaSettings, groups: dict[str, Sequence[str]]) -> None:
        self._kafka = kafka.model_copy(update={"request_timeout_ms": 5000})
        self.groups = {group: list(topics) for group, topics in groups.items()}
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._partitions: dict[str, list[TopicPartition]] = {}

    async def _call(self, call: Call) -> Any:
        """Run one client call; on any failure the clients are reopened next time -> None."""
        try:
            if self._admin is None or self._consumer is None:
                self._admin = AIOKafkaAdminClient(
                    **client_options(self._kafka, client_id="faults-admin")
                )
                self._consumer = AIOKafkaConsumer(
                    **client_options(self._kafka, client_id="faults-offsets"),
                    enable_auto_commit=False,
                )
                await asyncio.wait_for(self._admin.start(), CALL_TIMEOUT_S)
                await asyncio.wait_for(self._consumer.start(), CALL_TIMEOUT_S)
            return await asyncio.wait_for(call(self._admin, self._consumer), CALL_TIMEOUT_S)
        except Exception:
            await self.close()
            return None

    async def close(self) -> None:
        """Close both clients (they are reopened on the next call)."""
        admin, consumer = self._admin, self._consumer
        self._admin = self._consumer = None
        for closing in (admin.close() if admin else None, consumer.stop() if consumer else None):
            if closing is not None:
                # A client stuck on a dead broker is dropped anyway.
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(closing, CALL_TIMEOUT_S)

    async def partitions(self, topics: Sequence[str]) -> list[TopicPartition] | None:
        """Every partition of ``topics`` (None while the cluster does not answer)."""
        missing = [topic for topic in topics if topic not in self._partitions]
        if missing:
            described = await self._call(lambda admin, _: admin.describe_topics(missing))
            if described is None:
                return None
            for topic in described:
                if topic["error_code"] == 0 and topic["partitions"]:
                    self._partitions[topic["topic"]] = [
                        TopicPartition(topic["topic"], p["partition"]) for p in topic["partitions"]
                    ]
            if any(topic not in self._partitions for topic in topics):
                return None
        return [tp for topic in topics for tp in self._partitions[topic]]

    async def leader(self, topic: str, partition: int) -> int | None:
        """The node the cluster names as the partition's leader right now."""
        described = await self._call(lambda admin, _: admin.describe_topics([topic]))
        for found in described or ():
            for entry in found["partitions"]:
                if entry["partition"] == partition:
                    return int(entry["leader"])
        return None

    async def end_offsets(self, topics: Sequence[str]) -> Offsets | None:
        """The offset the next record of each partition will get."""
        partitions = await self.partitions(topics)
        if partitions is None:
            return None
        ends = await self._call(lambda _, consumer: consumer.end_offsets(partitions))
        return None if ends is None else dict(ends)

    async def committed(self, group: str) -> Offsets | None:
        """The group's committed offsets (partitions it never committed are absent)."""
        offsets = await self._call(lambda admin, _: admin.list_consumer_group_offsets(group))
        if offsets is None:
            return None
        return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}

    async def snapshot(self) -> dict[str, Offsets] | None:
        """End offsets of every group's topics right now (what "caught up" is measured against)."""
        targets: dict[str, Offsets] = {}
        for group, topics in self.groups.items():
            ends = await self.end_offsets(topics)
            if ends is None:
                return None
            targets[group] = ends
        return targets

    async def lag(self, group: str, targets: Offsets | None = None) -> int | None:
        """Records of the group's topics not committed yet, against ``targets`` (default: now)."""
        if targets is None:
            targets = await self.end_offsets(self.groups[group])
            if targets is None:
                return None
        committed = await self.committed(group)
        if committed is None:
            return None
        return sum(max(0, end - committed.get(tp, 0)) for tp, end in targets.items())

    async def total_lag(self, targets: dict[str, Offsets] | None = None) -> int | None:
        """Lag summed over every group (None when the cluster does not answer)."""
        total = 0
        for group in self.groups:
            lag = await self.lag(group, None if targets is None else targets[group])
            if lag is None:
                return None
            total += lag
        return total
