"""What has been replayed: a compacted Kafka topic, ``<prefix>.ops.replays``.

Why a topic and not a local file: operators run `learnloop ops` from laptops, bastions and CI jobs;
a JSON file on one of them would not stop a second replay from another. The topic lives next to the
data it guards, is replicated like it, is readable by every operator with the same credentials, and
with compaction it keeps exactly one entry per dead letter (key ``topic:partition:offset``).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass

from aiokafka import AIOKafkaProducer
from aiokafka.admin import NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from learnloop.ops.cluster import admin_session, partitions_of, read_range, reader
from learnloop.ops.dead_letters import DeadLetter
from shared.settings import KafkaSettings

LEDGER_TOPIC = "ops.replays"


@dataclass(frozen=True)
class ReplayEntry:
    """One replay: which dead letter, where it went, when and by whom."""

    dead_letter: str  # topic:partition:offset of the dead letter
    dead_letter_timestamp_ms: int  # tells a recreated DLQ topic's reused offsets apart
    target: str  # topic:partition:offset of the re-published record
    replayed_at: str
    operator: str


def ledger_topic(settings: KafkaSettings) -> str:
    """The ledger's broker-side name for this deployment's prefix."""
    return f"{settings.topic_prefix}.{LEDGER_TOPIC}"


def was_replayed(dead_letter: DeadLetter, ledger: dict[str, ReplayEntry]) -> ReplayEntry | None:
    """The ledger entry of this very record (same position and timestamp), if any."""
    entry = ledger.get(dead_letter.ref)
    if entry is not None and entry.dead_letter_timestamp_ms == dead_letter.timestamp_ms:
        return entry
    return None


async def ensure_ledger(settings: KafkaSettings) -> str:
    """Create the compacted ledger topic when it is missing; its name."""
    name = ledger_topic(settings)
    async with admin_session(settings) as admin:
        if name in await admin.list_topics():
            return name
        replicas = min(3, len((await admin.describe_cluster())["brokers"]))
        topic = NewTopic(
            name=name,
            num_partitions=1,
            replication_factor=replicas,
            topic_configs={
                "cleanup.policy": "compact",
                "min.insync.replicas": str(min(2, replicas)),
            },
        )
        try:
            await admin.create_topics([topic])
        except TopicAlreadyExistsError:
            return name  # another operator created it at the same moment
        for _ in range(300):  # creation is asynchronous in KRaft
            if await partitions_of(admin, [name]):
                return name
            await asyncio.sleep(0.1)
    raise TimeoutError(f"ledger topic {name} not visible after creation")


async def load_ledger(
    settings: KafkaSettings, *, timeout_s: float = 10.0
) -> dict[str, ReplayEntry]:
    """Every replay recorded so far, by dead-letter reference (empty when no ledger yet)."""
    name = ledger_topic(settings)
    async with admin_session(settings) as admin:
        partitions = (await partitions_of(admin, [name])).get(name, [])
    if not partitions:
        return {}
    entries: dict[str, ReplayEntry] = {}
    async with reader(settings) as consumer:
        begins = await consumer.beginning_offsets(partitions)
        ends = await consumer.end_offsets(partitions)
        ranges = {tp: (begins[tp], ends[tp]) for tp in partitions}
        async for record in read_range(consumer, ranges, timeout_s=timeout_s):
            if record.value is not None:  # a tombstone would un-record a replay
                entries[record.key.decode()] = ReplayEntry(**json.loads(record.value))
            elif record.key is not None:
                entries.pop(record.key.decode(), None)
    return entries


async def record_replay(
    producer: AIOKafkaProducer, settings: KafkaSettings, entry: ReplayEntry
) -> None:
    """Append ``entry`` to the ledger and wait until every in-sync replica has it."""
    await producer.send_and_wait(
        ledger_topic(settings),
        json.dumps(asdict(entry)).encode(),
        key=entry.dead_letter.encode(),
    )
