"""Dead letters as written by ``shared.consuming``: read, count, find and purge them.

A dead letter keeps the original key, value and headers and adds ``dlq-*`` headers saying why and
where from. Values and error texts may hold personal data (free text of incidents, complaints), so
nothing here prints them: callers decide, and error texts are masked by :func:`mask_error`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.admin import RecordsToDelete

from learnloop.ops.cluster import admin_session, partitions_of, read_range, reader
from shared.broker import topic_name
from shared.settings import KafkaSettings
from shared.topics import DEAD_LETTER_SUFFIX, TopicKind, all_topics

DLQ_HEADER_PREFIX = "dlq-"
HIDDEN = "[hidden]"
# Parts of exception texts that echo the input: pydantic's input_value=... and bytes literals.
_ECHOED_INPUT = (
    (re.compile(r"input_value=.*?(?=, input_type=)"), f"input_value={HIDDEN}"),
    (re.compile(r"""b'(?:[^'\\]|\\.)*'|b"(?:[^"\\]|\\.)*\""""), f"b'{HIDDEN}'"),
)


@dataclass(frozen=True)
class DeadLetter:
    """One record of a dead-letter topic."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    @classmethod
    def from_record(cls, record: ConsumerRecord[bytes, bytes]) -> DeadLetter:
        """Wrap a consumed record."""
        return cls(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            timestamp_ms=record.timestamp,
            key=record.key,
            value=record.value,
            headers=tuple((k, bytes(v)) for k, v in record.headers or ()),
        )

    @property
    def ref(self) -> str:
        """``topic:partition:offset``: where this dead letter is, as an operator types it."""
        return f"{self.topic}:{self.partition}:{self.offset}"

    def header(self, name: str) -> str | None:
        """The last value of header ``name``, decoded (None when absent)."""
        values = [v for k, v in self.headers if k == name]
        return values[-1].decode("utf-8", errors="replace") if values else None

    def original_headers(self) -> list[tuple[str, bytes]]:
        """The headers the record had before it was dead-lettered."""
        return [(k, v) for k, v in self.headers if not k.startswith(DLQ_HEADER_PREFIX)]

    @property
    def source_topic(self) -> str | None:
        """The topic the record was consumed from (the replay target)."""
        return self.header("dlq-source-topic")

    @property
    def source_position(self) -> str:
        """``topic:partition:offset`` of the original record, as far as the headers tell."""
        return ":".join(
            self.header(f"dlq-source-{part}") or "?" for part in ("topic", "partition", "offset")
        )


@dataclass(frozen=True)
class DeadLetterCount:
    """Records stored on a dead-letter topic now, and written to it ever (sum of end offsets)."""

    topic: str
    stored: int
    written: int


def mask_error(error: str) -> str:
    """Hide the parts of an exception text that echo the record's content."""
    for pattern, replacement in _ECHOED_INPUT:
        error = pattern.sub(replacement, error)
    return error


def dead_letter_topics(settings: KafkaSettings) -> list[str]:
    """Broker-side names of every dead-letter topic in the registry."""
    return [
        topic_name(topic, settings) for topic in all_topics() if topic.kind is TopicKind.DEAD_LETTER
    ]


def resolve_dead_letter_topic(settings: KafkaSettings, name: str) -> str:
    """Accept ``incidents.v1.dlq`` or ``<prefix>.incidents.v1.dlq``; refuse non-DLQ topics."""
    full = name if name in dead_letter_topics(settings) else f"{settings.topic_prefix}.{name}"
    if not full.endswith(DEAD_LETTER_SUFFIX) or full not in dead_letter_topics(settings):
        raise ValueError(f"{name!r} is not a dead-letter topic of prefix {settings.topic_prefix!r}")
    return full


async def _offsets(
    settings: KafkaSettings, topics: list[str]
) -> dict[TopicPartition, tuple[int, int]]:
    """``(beginning, end)`` of every partition of the topics that exist."""
    async with admin_session(settings) as admin:
        found = await partitions_of(admin, topics)
    every = [tp for tps in found.values() for tp in tps]
    if not every:
        return {}
    async with reader(settings) as consumer:
        begins = await consumer.beginning_offsets(every)
        ends = await consumer.end_offsets(every)
    return {tp: (begins[tp], ends[tp]) for tp in every}


async def count_dead_letters(
    settings: KafkaSettings, topics: list[str] | None = None
) -> list[DeadLetterCount]:
    """Stored and ever-written dead letters of each existing dead-letter topic."""
    spans = await _offsets(settings, topics or dead_letter_topics(settings))
    counts: dict[str, DeadLetterCount] = {}
    for tp, (begin, end) in spans.items():
        seen = counts.get(tp.topic, DeadLetterCount(tp.topic, 0, 0))
        counts[tp.topic] = DeadLetterCount(tp.topic, seen.stored + end - begin, seen.written + end)
    return [counts[name] for name in sorted(counts)]


async def read_dead_letters(
    settings: KafkaSettings,
    topic: str,
    *,
    partition: int | None = None,
    offset: int | None = None,
    newest: int | None = None,
    timeout_s: float = 10.0,
) -> list[DeadLetter]:
    """Dead letters of ``topic`` in time order: all, the ``newest`` N, or the one at an offset."""
    spans = await _offsets(settings, [topic])
    ranges: dict[TopicPartition, tuple[int, int]] = {}
    for tp, (begin, end) in spans.items():
        if partition is not None and tp.partition != partition:
            continue
        if offset is not None:
            begin, end = max(begin, offset), min(end, offset + 1)
        elif newest is not None:
            begin = max(begin, end - newest)
        ranges[tp] = (begin, end)
    found: list[DeadLetter] = []
    async with reader(settings) as consumer:
        async for record in read_range(consumer, ranges, timeout_s=timeout_s):
            found.append(DeadLetter.from_record(record))
    found.sort(key=lambda d: (d.timestamp_ms, d.partition, d.offset))
    return found[-newest:] if newest is not None else found


async def purge_dead_letters(settings: KafkaSettings, topic: str) -> dict[int, int]:
    """Delete every record of ``topic`` up to its end; records deleted per partition."""
    spans = await _offsets(settings, [topic])
    doomed = {tp: span for tp, span in spans.items() if span[1] > span[0]}
    if doomed:
        async with admin_session(settings) as admin:
            await admin.delete_records(
                {tp: RecordsToDelete(end) for tp, (_, end) in doomed.items()}
            )
    return {tp.partition: end - begin for tp, (begin, end) in sorted(doomed.items())}
