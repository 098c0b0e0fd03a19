"""Consumer groups as the coordinator sees them: state, members and committed offsets."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

# COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR
_COORDINATOR_ERRORS = frozenset({14, 15, 16})


@dataclass(frozen=True)
class GroupDescription:
    """A group's state (Stable, Empty, Dead, PreparingRebalance...) and its members' client ids."""

    group: str
    state: str
    members: tuple[str, ...]

    @property
    def active(self) -> bool:
        """True while any member is joined or the group is rebalancing."""
        return bool(self.members) or self.state not in ("Empty", "Dead")


async def describe_group(
    admin: AIOKafkaAdminClient, group: str, *, attempts: int = 10
) -> GroupDescription:
    """The coordinator's view of ``group``; an unknown group is reported as ``Dead``.

    Coordinator errors right after a broker restart (loading, moved) are retried briefly.
    """
    for attempt in range(attempts):
        [response] = await admin.describe_consumer_groups([group])
        # DescribeGroupsResponse rows: error_code, group, state, protocol_type, protocol, members
        row = next((row for row in response.groups if row[1] == group), None)
        if row is None:
            return GroupDescription(group=group, state="Dead", members=())
        error_code, _, state, _, _, members = row[:6]
        if not error_code:
            # Member rows: member_id, client_id, client_host, metadata, assignment.
            return GroupDescription(
                group=group, state=state, members=tuple(f"{m[1]}@{m[2]}" for m in members)
            )
        if error_code not in _COORDINATOR_ERRORS or attempt == attempts - 1:
            break
        await asyncio.sleep(0.5)
    raise RuntimeError(f"describe group {group!r} failed with Kafka error code {error_code}")


async def committed_offsets(admin: AIOKafkaAdminClient, group: str) -> dict[TopicPartition, int]:
    """Every offset the group has committed (partitions it never committed are absent)."""
    offsets = await admin.list_consumer_group_offsets(group)
    return {tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
