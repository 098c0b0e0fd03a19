"""Publishing accepted events to Kafka: acks=all, idempotent, and nothing half-accepted.

The producer's request timeout bounds how long a record may wait: when Kafka is unreachable the
record expires inside the producer and its future fails, so a caller told "503, not accepted" can
never see that event appear later. A retry with the same event id is then safe.

Many records for one partition (a batch request) are framed into record batches here and handed
to the producer whole: one future per batch instead of one per record, ~7 us less per record.
A few records go through ``send`` and share the producer's lingering batches with concurrent
requests. Either way the producer assigns the idempotence sequence numbers when it sends.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, TypeAlias

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.structs import RecordMetadata

from shared.broker import client_options, producer_options
from shared.logging import get_logger
from shared.publishing import KafkaRecord
from shared.settings import KafkaSettings

log = get_logger(__name__)

# From this many records for one partition in a request on, they are sent as whole batches.
MIN_RECORDS_FOR_A_BATCH = 8
Outcome: TypeAlias = RecordMetadata | Exception


class KafkaUnavailableError(RuntimeError):
    """Kafka is not connected; nothing was sent."""


class EventPublisher:
    """One idempotent producer per process, (re)connected in the background."""

    def __init__(self, settings: KafkaSettings, *, timeout_ms: int) -> None:
        self._settings = settings
        self._timeout_ms = timeout_ms
        self._producer: AIOKafkaProducer | None = None
        self._connector: asyncio.Task[None] | None = None
        # The producer's own partitioner (murmur2 of the key, like Java clients), by topic size.
        self._partitioner = DefaultPartitioner()
        self._partitions: dict[tuple[str, int, bytes], int] = {}

    @property
    def connected(self) -> bool:
        return self._producer is not None

    async def start(self) -> None:
        """Connect now if Kafka is up, else keep trying in the background."""
        if not await self._try_connect():
            self._connector = asyncio.create_task(self._connect_forever())

    async def stop(self) -> None:
        """Flush what is in flight and disconnect."""
        if self._connector is not None:
            self._connector.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._connector
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def _try_connect(self) -> bool:
        options: dict[str, Any] = {
            **client_options(self._settings, client_id="intake"),
            **producer_options(self._settings),
            "request_timeout_ms": self._timeout_ms,
        }
        producer = AIOKafkaProducer(**options)
        try:
            await producer.start()
        except Exception as exc:
            log.warning("kafka not reachable", error=type(exc).__name__)
            await producer.stop()
            return False
        self._producer = producer
        log.info("kafka producer connected", bootstrap=self._settings.bootstrap_servers)
        return True

    async def _connect_forever(self) -> None:
        while True:
            if await self._try_connect():
                return
            await asyncio.sleep(2.0)

    async def is_ready(self) -> bool:
        """True when the producer can reach the cluster right now (metadata round trip)."""
        if self._producer is None:
            return False
        try:
            await asyncio.wait_for(self._producer.client.fetch_all_metadata(), timeout=2.0)
        except Exception:
            return False
        return True

    async def publish(self, records: list[KafkaRecord]) -> list[Outcome]:
        """Send all records at once; per record, its metadata once acknowledged or the error."""
        producer = self._producer
        if producer is None:
            raise KafkaUnavailableError("Kafka is not connected")
        outcomes: list[Outcome | None] = [None] * len(records)
        groups: dict[tuple[str, int], list[int]] = {}
        for index, record in enumerate(records):
            try:
                partition = await self._partition_for(producer, record)
            except Exception as exc:  # e.g. metadata timeout
                outcomes[index] = exc
                continue
            groups.setdefault((record.topic, partition), []).append(index)
        waiting: list[tuple[list[int], asyncio.Future[RecordMetadata], list[int] | None]] = []
        for (topic, partition), indexes in groups.items():
            if len(indexes) >= MIN_RECORDS_FOR_A_BATCH:
                waiting += await self._send_batches(producer, records, topic, partition, indexes)
                continue
            for index in indexes:
                record = records[index]
                try:
                    future = await producer.send(
                        topic, record.value, key=record.key, partition=partition,
                        headers=_headers(record),
                    )  # fmt: skip
                except Exception as exc:  # e.g. record too large, buffer timeout
                    outcomes[index] = exc
                    continue
                waiting.append(([index], future, None))
        if waiting:
            # The producer fails each future by its own request timeout; this guard only
            # protects the caller from a bug in that chain.
            await asyncio.wait([f for _, f, _ in waiting], timeout=self._timeout_ms / 1000 * 3)
        for indexes, future, relative_offsets in waiting:
            result = _outcome(future)
            for position, index in enumerate(indexes):
                if isinstance(result, Exception) or relative_offsets is None:
                    outcomes[index] = result
                else:
                    outcomes[index] = result._replace(
                        offset=result.offset + relative_offsets[position]
                    )
        return [o if o is not None else RuntimeError("not sent") for o in outcomes]

    async def _partition_for(self, producer: AIOKafkaProducer, record: KafkaRecord) -> int:
        partitions = await producer.partitions_for(record.topic)
        cache_key = (record.topic, len(partitions), record.key)
        partition = self._partitions.get(cache_key)
        if partition is None:
            if len(self._partitions) > 100_000:
                self._partitions.clear()
            ordered = sorted(partitions)
            partition = self._partitioner(record.key, ordered, ordered)
            self._partitions[cache_key] = partition
        return partition

    async def _send_batches(
        self,
        producer: AIOKafkaProducer,
        records: list[KafkaRecord],
        topic: str,
        partition: int,
        indexes: list[int],
    ) -> list[tuple[list[int], asyncio.Future[RecordMetadata], list[int] | None]]:
        """Frame ``indexes`` into as few batches as fit and hand them to the producer."""
        sent: list[tuple[list[int], asyncio.Future[RecordMetadata], list[int] | None]] = []
        members: list[int] = []
        offsets: list[int] = []
        builder = producer.create_batch()

        async def send() -> None:
            builder.close()  # complete: the producer sends it without lingering
            try:
                future = await producer.send_batch(builder, topic, partition=partition)
            except Exception as exc:  # e.g. the producer's queue did not drain in time
                failed: asyncio.Future[RecordMetadata] = asyncio.get_running_loop().create_future()
                failed.set_exception(exc)
                failed.exception()  # retrieved here; reported per record by the caller
                future = failed
            sent.append((members, future, offsets))

        for index in indexes:
            record = records[index]
            metadata = builder.append(
                timestamp=None, key=record.key, value=record.value, headers=_headers(record)
            )
            if metadata is None:  # full (an empty batch takes any record)
                await send()
                members, offsets, builder = [], [], producer.create_batch()
                metadata = builder.append(
                    timestamp=None, key=record.key, value=record.value, headers=_headers(record)
                )
            members.append(index)
            offsets.append(metadata.offset)
        await send()
        return sent


def _headers(record: KafkaRecord) -> list[tuple[str, bytes]]:
    return [(name, value.encode()) for name, value in record.headers.items()]


def _outcome(item: asyncio.Future[RecordMetadata] | Exception) -> RecordMetadata | Exception:
    if isinstance(item, Exception):
        return item
    if not item.done():
        return TimeoutError("Kafka did not acknowledge in time")
    exc = item.exception()
    return exc if isinstance(exc, Exception) else item.result()
