"""Move a consumer group's committed offsets to a time or an offset, only while it is inactive.

A group with members would overwrite the new offsets with its own next commit (and may be halfway
through a batch), so the reset is refused while the coordinator lists any member. The broker
enforces the same rule at commit time: an offset commit without a generation is rejected for a
group that has members, which closes the gap between our check and the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from aiokafka import TopicPartition

from learnloop.ops.cluster import admin_session, partitions_of, reader
from learnloop.ops.groups import GroupDescription, committed_offsets, describe_group
from shared.settings import KafkaSettings


class ResetKind(StrEnum):
    """Where to move the offsets."""

    EARLIEST = "earliest"
    LATEST = "latest"
    DATETIME = "datetime"
    OFFSET = "offset"


@dataclass(frozen=True)
class ResetTarget:
    """A reset destination: ``offset`` for OFFSET, ``at`` (timezone-aware) for DATETIME."""

    kind: ResetKind
    offset: int | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class OffsetChange:
    """One partition's committed offset before and after the reset."""

    topic: str
    partition: int
    before: int | None
    after: int


class GroupActiveError(RuntimeError):
    """The group has members (or is rebalancing): resetting it now would be undone or unsafe."""

    def __init__(self, description: GroupDescription) -> None:
        members = ", ".join(description.members) or "none listed"
        super().__init__(
            f"group {description.group!r} is active (state {description.state}, members: "
            f"{members}); stop its consumers first"
        )
        self.description = description


async def plan_reset(
    settings: KafkaSettings, group: str, target: ResetTarget, *, topics: list[str] | None = None
) -> list[OffsetChange]:
    """The offsets a reset would commit, per partition; nothing is changed yet."""
    async with admin_session(settings) as admin:
        description = await describe_group(admin, group)
        if description.active:
            raise GroupActiveError(description)
        committed = await committed_offsets(admin, group)
        names = sorted(set(topics or {tp.topic for tp in committed}))
        if not names:
            raise ValueError(f"group {group!r} has no committed offsets: name topics with --topic")
        found = await partitions_of(admin, names)
    if missing := sorted(set(names) - set(found)):
        raise ValueError(f"no such topic: {', '.join(missing)}")
    partitions = [tp for name in names for tp in found[name]]
    async with reader(settings) as consumer:
        begins = await consumer.beginning_offsets(partitions)
        ends = await consumer.end_offsets(partitions)
        destinations = await _destinations(consumer, target, partitions, begins, ends)
    return [
        OffsetChange(tp.topic, tp.partition, committed.get(tp), destinations[tp])
        for tp in partitions
    ]


async def _destinations(
    consumer: Any,
    target: ResetTarget,
    partitions: list[TopicPartition],
    begins: dict[TopicPartition, int],
    ends: dict[TopicPartition, int],
) -> dict[TopicPartition, int]:
    if target.kind is ResetKind.EARLIEST:
        return dict(begins)
    if target.kind is ResetKind.LATEST:
        return dict(ends)
    if target.kind is ResetKind.OFFSET:
        if target.offset is None:
            raise ValueError("an offset reset needs an offset")
        return {tp: min(max(target.offset, begins[tp]), ends[tp]) for tp in partitions}
    if target.at is None:
        raise ValueError("a datetime reset needs a datetime")
    at = target.at if target.at.tzinfo else target.at.replace(tzinfo=UTC)
    millis = int(at.timestamp() * 1000)
    found = await consumer.offsets_for_times({tp: millis for tp in partitions})
    # No record at or after the time: the group starts after the last record.
    return {tp: found[tp].offset if found.get(tp) else ends[tp] for tp in partitions}


async def apply_reset(
    settings: KafkaSettings, group: str, changes: list[OffsetChange]
) -> dict[TopicPartition, int]:
    """Commit the planned offsets for ``group``; the committed offsets read back afterwards."""
    async with admin_session(settings) as admin:
        description = await describe_group(admin, group)
        if description.active:
            raise GroupActiveError(description)
    offsets = {TopicPartition(c.topic, c.partition): c.after for c in changes}
    async with reader(settings, group_id=group) as consumer:
        consumer.assign(list(offsets))
        await consumer.commit(offsets)
    async with admin_session(settings) as admin:
        committed = await committed_offsets(admin, group)
    return {tp: committed[tp] for tp in offsets if tp in committed}
