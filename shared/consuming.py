"""A batch consumer with LearnLoop's delivery guarantees, shared by learning and reporting.

- Records are fetched in batches from a consumer group; offsets are committed only after the
  batch's database transaction committed (never auto-commit).
- A record that cannot be parsed or breaks the contract goes to the source topic's dead-letter
  topic with the reason, the original bytes and headers; the partition moves on.
- A transient fault (database down) is retried with backoff on the same batch: nothing is dropped,
  and a site's events (one partition) are never reordered.
- The handler is idempotent by event id (see ``shared.ledger``), so redelivery changes nothing.

Logs carry ids, never content: a DEBUG line per record (event id, correlation id, topic,
partition, offset; skipped entirely unless DEBUG is on), the batch's first and last event ids and
size bound to every line written while it is handled (the handler's own lines too), and a failing
batch names the event ids involved (the first ``FAILED_IDS_LOGGED``). With tracing on
(``shared.tracing``), each batch gets a span linked to every record's trace context, and each
sampled event a child span in its own trace.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.coordinator.assignors.range import RangePartitionAssignor
from aiokafka.errors import CommitFailedError, IllegalStateError
from pydantic import ValidationError

from shared import tracing
from shared.broker import client_options, producer_options
from shared.events.envelope import EventEnvelope
from shared.logging import get_logger
from shared.settings import KafkaSettings
from shared.topics import DEAD_LETTER_SUFFIX

log = get_logger(__name__)
_stdlib_log = logging.getLogger(__name__)  # asked once per batch whether DEBUG is on
FAILED_IDS_LOGGED = 20


class PoisonMessage(Exception):
    """A record that can never be processed (unparseable, breaks the contract)."""


@dataclass(frozen=True)
class Incoming:
    """One consumed record with its parsed value.

    ``traceparent`` is the W3C trace context that events derived from this one should carry:
    the consumer's child span for it when tracing is on, else the event's own.
    """

    record: ConsumerRecord[bytes, bytes]
    value: Any
    traceparent: str | None = None

    @property
    def event_id(self) -> str | None:
        """The event's id, when the value is an event."""
        return self.value.id if isinstance(self.value, EventEnvelope) else None

    @property
    def correlation_id(self) -> str | None:
        """The event's correlation id (its own id when it has none), when the value is an event."""
        if isinstance(self.value, EventEnvelope):
            return self.value.correlationid or self.value.id
        return None


@dataclass
class ConsumerStats:
    """Counters exposed as metrics and read by tests."""

    batches: int = 0
    records: int = 0
    dead_lettered: int = 0
    retries: int = 0
    last_error: str | None = None
    committed: dict[TopicPartition, int] = field(default_factory=dict)


Parser = Callable[[ConsumerRecord[bytes, bytes]], Any]
BatchHandler = Callable[[Sequence[Incoming]], Awaitable[None]]


def dead_letter_headers(
    record: ConsumerRecord[bytes, bytes], *, consumer: str, reason: str, error: str
) -> list[tuple[str, bytes]]:
    """The original headers plus where the record came from and why it was parked."""
    original = [(k, v) for k, v in (record.headers or ()) if not k.startswith("dlq-")]
    return [
        *original,
        ("dlq-reason", reason.encode()),
        ("dlq-error", error[:4000].encode()),
        ("dlq-consumer", consumer.encode()),
        ("dlq-source-topic", record.topic.encode()),
        ("dlq-source-partition", str(record.partition).encode()),
        ("dlq-source-offset", str(record.offset).encode()),
    ]


class BatchConsumer:
    """Consume ``topics`` in group ``group_id``; parse, dead-letter poison, handle, commit."""

    def __init__(
        self,
        settings: KafkaSettings,
        *,
        group_id: str,
        topics: Sequence[str],
        parse: Parser,
        handle: BatchHandler,
        max_records: int = 1000,
        retry_backoff: tuple[float, float] = (0.5, 30.0),
    ) -> None:
        self._settings = settings
        self._group_id = group_id
        self._topics = list(topics)
        self._parse = parse
        self._handle = handle
        self._max_records = max_records
        self._backoff_min, self._backoff_max = retry_backoff
        self._consumer: AIOKafkaConsumer | None = None
        self._dead_letters: AIOKafkaProducer | None = None
        self._stopping = asyncio.Event()
        self.stats = ConsumerStats()

    async def start(self) -> None:
        """Join the group and open the dead-letter producer."""
        self._dead_letters = AIOKafkaProducer(
            **client_options(self._settings, client_id=f"{self._group_id}-dlq"),
            **producer_options(self._settings),
        )
        await self._dead_letters.start()
        self._consumer = AIOKafkaConsumer(
            *self._topics,
            **client_options(self._settings, client_id=self._group_id),
            group_id=self._group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_poll_records=self._max_records,
            max_poll_interval_ms=600_000,  # a batch may wait out a database outage
            # Range assignment gives a member the same partition numbers of every topic, and a
            # site's key maps to the same number on each: a site's facts stay with one member.
            partition_assignment_strategy=(RangePartitionAssignor,),
            # After a partition leader moves, aiokafka 0.14 can keep asking the old leader while
            # resetting a partition without committed offsets, until metadata is refreshed:
            # refresh every 30 s instead of 5 min so such a stall is short (fault suite).
            metadata_max_age_ms=30_000,
        )
        await self._consumer.start()

    def assignment(self) -> set[TopicPartition]:
        """The partitions this member owns right now."""
        return set(self._consumer.assignment()) if self._consumer is not None else set()

    async def stop(self) -> None:
        """Leave the group (after the batch in hand is committed) and close clients."""
        self._stopping.set()
        if self._consumer is not None:
            await self._consumer.stop()
        if self._dead_letters is not None:
            await self._dead_letters.stop()

    async def run(self) -> None:
        """Process batches until :meth:`stop` is called."""
        consumer = self._consumer
        if consumer is None:
            raise RuntimeError("call start() first")
        while not self._stopping.is_set():
            try:
                batch = await consumer.getmany(timeout_ms=500, max_records=self._max_records)
            except Exception as exc:
                if self._stopping.is_set():
                    return
                log.warning("fetch failed", error=type(exc).__name__)
                await asyncio.sleep(1)
                continue
            if not batch:
                continue
            try:
                await self.process(batch)
            except Exception as exc:
                if self._stopping.is_set():
                    return
                # E.g. Kafka down while parking a poison record. The consumer's position has
                # moved past the batch: go back to its start, or its records would be skipped.
                self.stats.last_error = type(exc).__name__
                log.error("batch not processed, reading it again", error=type(exc).__name__)
                self._rewind(batch)
                await asyncio.sleep(1)

    def _rewind(self, batch: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]) -> None:
        """Seek back to the first record of each partition of ``batch`` this member still owns
        (one it lost is re-read from the last commit by its new owner)."""
        assert self._consumer is not None
        owned = self._consumer.assignment()
        for tp, records in batch.items():
            if records and tp in owned:
                self._consumer.seek(tp, records[0].offset)

    async def process(
        self, batch: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]
    ) -> None:
        """Parse, dead-letter, handle (retrying transient faults) and commit one batch."""
        incoming: list[Incoming] = []
        dead_before = self.stats.dead_lettered
        for records in batch.values():
            for record in records:
                try:
                    value = self._parse(record)
                except (PoisonMessage, ValidationError, ValueError, UnicodeDecodeError) as exc:
                    await self._dead_letter(record, exc)
                    continue
                incoming.append(Incoming(record, value, getattr(value, "traceparent", None)))
        if _stdlib_log.isEnabledFor(logging.DEBUG):
            _log_records(incoming)
        spans = _open_spans(self._group_id, incoming) if tracing.enabled() else None
        if spans is not None:
            contexts = spans.traceparents()
            incoming = [
                replace(item, traceparent=tp) for item, tp in zip(incoming, contexts, strict=True)
            ]
        ids = [item.event_id for item in incoming if item.event_id is not None]
        error: BaseException | None = None
        with structlog.contextvars.bound_contextvars(
            batch_size=len(incoming), first_event_id=ids[0] if ids else None,
            last_event_id=ids[-1] if ids else None,
        ):  # fmt: skip
            try:
                with tracing.batch_context(spans):
                    await self._handle_with_retry(incoming, ids, spans)
                offsets = {tp: records[-1].offset + 1 for tp, records in batch.items() if records}
                committed = await self._commit(offsets)
            except BaseException as exc:
                error = exc
                raise
            finally:
                if spans is not None:
                    spans.end(error)
            records_in_batch = sum(len(records) for records in batch.values())
            self.stats.batches += 1
            self.stats.records += records_in_batch
            if committed:
                log.info(
                    "batch committed", records=records_in_batch,
                    dead_lettered=self.stats.dead_lettered - dead_before,
                )  # fmt: skip

    async def _handle_with_retry(
        self, incoming: list[Incoming], ids: list[str], spans: tracing.BatchSpans | None
    ) -> None:
        delay = self._backoff_min
        while True:
            try:
                await self._handle(incoming)
                return
            except Exception as exc:
                if self._stopping.is_set():
                    raise
                self.stats.retries += 1
                self.stats.last_error = type(exc).__name__
                if spans is not None:
                    spans.retrying(exc)
                log.warning(
                    "batch failed, retrying", error=type(exc).__name__, retry_in_s=round(delay, 1),
                    event_ids=ids[:FAILED_IDS_LOGGED],
                )  # fmt: skip
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._backoff_max)

    async def _dead_letter(self, record: ConsumerRecord[bytes, bytes], exc: Exception) -> None:
        assert self._dead_letters is not None
        reason = "unparseable"
        if isinstance(exc, ValidationError) and all(
            error["type"] != "json_invalid" for error in exc.errors()
        ):
            reason = "contract_violation"
        error = str(exc) if isinstance(exc, ValidationError | PoisonMessage) else repr(exc)
        await self._dead_letters.send_and_wait(
            record.topic + DEAD_LETTER_SUFFIX,
            record.value,
            key=record.key,
            headers=dead_letter_headers(
                record, consumer=self._group_id, reason=reason, error=error
            ),
        )
        self.stats.dead_lettered += 1
        log.warning(
            "record dead-lettered",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            reason=reason,
        )

    async def _commit(self, offsets: dict[TopicPartition, int]) -> bool:
        assert self._consumer is not None
        # A rebalance during the batch may have moved some partitions to another member, which
        # re-reads their records from the last commit and, idempotent by event id, changes
        # nothing. Commit what this member still owns.
        owned = self._consumer.assignment()
        kept = {tp: offset for tp, offset in offsets.items() if tp in owned}
        if len(kept) < len(offsets):
            log.info("partitions lost during the batch", lost=len(offsets) - len(kept))
        if not kept:
            return False
        try:
            await self._consumer.commit(kept)
        except (CommitFailedError, IllegalStateError):
            # The group rebalanced (again) while committing: the same holds for all of them.
            log.info("commit skipped after rebalance")
            return False
        self.stats.committed.update(kept)
        return True


def _log_records(incoming: Sequence[Incoming]) -> None:
    """A DEBUG line per record: ids and position only, never content."""
    for item in incoming:
        record = item.record
        log.debug(
            "record received", event_id=item.event_id, correlation_id=item.correlation_id,
            topic=record.topic, partition=record.partition, offset=record.offset,
        )  # fmt: skip


def _open_spans(group: str, incoming: Sequence[Incoming]) -> tracing.BatchSpans | None:
    records = [
        tracing.ConsumedRecord(
            traceparent=item.traceparent,
            topic=item.record.topic,
            partition=item.record.partition,
            offset=item.record.offset,
            event_id=item.event_id,
            event_type=item.value.type if isinstance(item.value, EventEnvelope) else None,
        )
        for item in incoming
    ]
    return tracing.open_batch_spans(group, records)


async def run_until_cancelled(consumer: BatchConsumer) -> None:
    """Start, run and always stop a consumer (for service entry points)."""
    await consumer.start()
    try:
        await consumer.run()
    finally:
        with contextlib.suppress(Exception):
            await consumer.stop()
