"""Consumer lag per group and partition, in messages and in seconds.

Lag in seconds is the age of the oldest record the group has not consumed yet: that one record is
fetched with a throwaway consumer (no group, nothing committed) and its timestamp compared with
now. A caught-up partition has lag 0 in both units.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiokafka import TopicPartition

from learnloop.ops.cluster import admin_session, partitions_of, reader
from learnloop.ops.groups import committed_offsets, describe_group
from shared.settings import KafkaSettings


@dataclass(frozen=True)
class PartitionLag:
    """How far one group is behind on one partition."""

    group: str
    topic: str
    partition: int
    committed: int | None  # None: the group never committed here (it starts at the beginning)
    end: int
    lag_messages: int
    lag_seconds: float | None  # None: the next record could not be fetched in time


@dataclass(frozen=True)
class GroupLag:
    """A group's state, members and lag on every partition of the topics it has committed on."""

    group: str
    state: str
    members: int
    partitions: tuple[PartitionLag, ...]

    @property
    def lag_messages(self) -> int:
        """Records the group has still to consume, over all partitions."""
        return sum(p.lag_messages for p in self.partitions)

    @property
    def lag_seconds(self) -> float:
        """Age of the oldest unconsumed record over all partitions (0 when caught up)."""
        return max((p.lag_seconds or 0.0 for p in self.partitions), default=0.0)


async def group_lag(
    settings: KafkaSettings,
    groups: list[str],
    *,
    fetch_timeout_s: float = 10.0,
    clock: Callable[[], float] = time.time,
) -> list[GroupLag]:
    """Lag of each group on every partition of every topic it has committed offsets on."""
    async with admin_session(settings) as admin:
        described = {group: await describe_group(admin, group) for group in groups}
        committed = {group: await committed_offsets(admin, group) for group in groups}
        topics = {tp.topic for offsets in committed.values() for tp in offsets}
        partitions = await partitions_of(admin, topics)
    every = [tp for tps in partitions.values() for tp in tps]
    result: list[GroupLag] = []
    async with reader(settings) as consumer:
        begins = await consumer.beginning_offsets(every) if every else {}
        ends = await consumer.end_offsets(every) if every else {}
        for group in groups:
            positions = {
                tp: max(committed[group].get(tp, begins[tp]), begins[tp])
                for topic in sorted({tp.topic for tp in committed[group]})
                for tp in partitions.get(topic, [])
            }
            lagging = {tp: pos for tp, pos in positions.items() if pos < ends[tp]}
            ages = await _ages(consumer, lagging, ends, fetch_timeout_s, clock)
            rows = tuple(
                PartitionLag(
                    group=group,
                    topic=tp.topic,
                    partition=tp.partition,
                    committed=committed[group].get(tp),
                    end=ends[tp],
                    lag_messages=max(0, ends[tp] - pos),
                    lag_seconds=ages.get(tp) if tp in lagging else 0.0,
                )
                for tp, pos in sorted(positions.items(), key=lambda i: (i[0].topic, i[0].partition))
            )
            description = described[group]
            result.append(
                GroupLag(group, description.state, len(description.members), partitions=rows)
            )
    return result


async def _ages(
    consumer: Any,
    starts: dict[TopicPartition, int],
    ends: dict[TopicPartition, int],
    timeout_s: float,
    clock: Callable[[], float],
) -> dict[TopicPartition, float]:
    """Age in seconds of the first record at or after each start offset."""
    if not starts:
        return {}
    consumer.assign(list(starts))
    for tp, offset in starts.items():
        consumer.seek(tp, offset)
    waiting = set(starts)
    ages: dict[TopicPartition, float] = {}
    deadline = asyncio.get_running_loop().time() + timeout_s
    while waiting and asyncio.get_running_loop().time() < deadline:
        batch = await consumer.getmany(*waiting, timeout_ms=500, max_records=len(waiting) * 50)
        for tp, records in batch.items():
            if records and tp in waiting:
                ages[tp] = max(0.0, clock() - records[0].timestamp / 1000)
                waiting.discard(tp)
        for tp in list(waiting):
            # Only transaction markers left before the end: nothing to consume, so no age.
            if await consumer.position(tp) >= ends[tp]:
                ages[tp] = 0.0
                waiting.discard(tp)
    return ages
