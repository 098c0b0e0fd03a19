"""Consumer lag per partition: end offset minus the group's committed offset.

A client of its own (no group) reads end offsets, and the admin API reads the group's committed
offsets, so lag is known for every partition - not only those this member owns - and without
touching the consuming client.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.broker import client_options
from shared.provisioning import admin_client
from shared.settings import KafkaSettings


class LagProbe:
    """Reads end, beginning and committed offsets of ``topics``."""

    def __init__(self, kafka: KafkaSettings, topics: Sequence[str]) -> None:
        self._topics = list(topics)
        self._consumer = AIOKafkaConsumer(
            **client_options(kafka, client_id="reporting-lag"), enable_auto_commit=False
        )
        self._admin = admin_client(kafka)
        self._partitions: list[TopicPartition] = []

    async def start(self) -> None:
        """Connect both clients."""
        await self._consumer.start()
        await self._admin.start()

    async def stop(self) -> None:
        """Close both clients."""
        await self._consumer.stop()
        await self._admin.close()

    async def partitions(self) -> list[TopicPartition]:
        """Every partition of the topics (cached once all topics are found)."""
        if not self._partitions:
            described = await self._admin.describe_topics(self._topics)
            found = [
                TopicPartition(topic["topic"], partition["partition"])
                for topic in described
                if topic["error_code"] == 0
                for partition in topic["partitions"]
            ]
            if len({tp.topic for tp in found}) < len(self._topics):
                return sorted(found)
            self._partitions = sorted(found)
        return self._partitions

    async def end_offsets(self) -> dict[TopicPartition, int]:
        """The offset the next record of each partition will get."""
        partitions = await self.partitions()
        return dict(await self._consumer.end_offsets(partitions)) if partitions else {}

    async def beginning_offsets(self) -> dict[TopicPartition, int]:
        """The first offset still held by each partition."""
        partitions = await self.partitions()
        return dict(await self._consumer.beginning_offsets(partitions)) if partitions else {}

    async def committed(self, group_id: str) -> dict[TopicPartition, int]:
        """The group's committed offsets (partitions it never committed are absent)."""
        offsets = await self._admin.list_consumer_group_offsets(group_id)
        return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}

    async def lag(self, group_id: str) -> dict[TopicPartition, int]:
        """Records each partition holds beyond what the group has committed."""
        ends = await self.end_offsets()
        beginnings = await self.beginning_offsets()
        committed = await self.committed(group_id)
        return {
            tp: max(0, end - committed.get(tp, beginnings.get(tp, 0))) for tp, end in ends.items()
        }
