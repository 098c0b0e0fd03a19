"""Recognise the one known way a consumer stalls after a leader change, with evidence.

aiokafka 0.14's fetcher resets the position of a partition without a committed offset by asking
the partition's leader (ListOffsets). When its cached metadata names a former leader, the answer
is NotLeaderForPartition; ``Fetcher._update_fetch_positions`` logs "Failed fetch offsets from N"
and asks the same node again every 100 ms *without refreshing metadata* (its sibling
``_retrieve_offsets`` does refresh). The consumer then makes no progress on any partition until
the periodic metadata refresh (``metadata_max_age_ms``, 5 minutes by default).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.faults.pipeline import FaultPipeline

SIGNATURE = re.compile(
    r"Failed fetch offsets from (\d+): \[Error 6\] NotLeaderForPartitionError: "
    r"TopicPartition\(topic='([^']+)', partition=(\d+)\)"
)
CONSUMING_SERVICES = ("learning", "reporting")


@dataclass(frozen=True)
class Stall:
    """A consumer asking a node that is no longer the leader, over and over."""

    service: str
    asked_node: int
    topic: str
    partition: int
    leader: int | None
    repeats: int

    def __str__(self) -> str:
        return (
            f"{self.service} asked node {self.asked_node} for the offsets of "
            f"{self.topic}[{self.partition}] {self.repeats} times (NotLeaderForPartition); "
            f"the cluster names node {self.leader} as its leader"
        )


def _recent_signatures(log: Path, within: timedelta) -> list[tuple[str, str, str]]:
    """(node, topic, partition) of each signature line logged in the last ``within``."""
    if not log.exists():
        return []
    since = datetime.now(UTC) - within
    found = []
    for line in log.read_text(errors="replace").splitlines():
        match = SIGNATURE.search(line)
        if match is None:
            continue
        try:
            at = datetime.fromisoformat(json.loads(line)["timestamp"])
        except (ValueError, KeyError, TypeError):
            continue
        if at >= since:
            found.append((match[1], match[2], match[3]))
    return found


async def diagnose(pipeline: FaultPipeline) -> list[Stall]:
    """The consuming services caught in the stale-leader loop right now (still logging it),
    checked against the leader the cluster names."""
    stalls = []
    for service in CONSUMING_SERVICES:
        found = _recent_signatures(pipeline.processes[service].log_file, timedelta(seconds=10))
        if not found:
            continue
        node, topic, partition = found[-1]
        leader = await pipeline.watch.leader(topic, int(partition))
        if leader != int(node):
            stalls.append(Stall(service, int(node), topic, int(partition), leader, len(found)))
    return stalls
