"""Publishing accepted events to Kafka: acks=all, idempotent, and nothing half-accepted.

The producer's request timeout bounds how long a record may wait: when Kafka is unreachable the
record expires inside the producer and its future fails, so a caller told "503, not accepted" can
never see that event appear later. A retry with the same event id is then safe.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.structs import RecordMetadata

from shared.broker import client_options, producer_options
from shared.logging import get_logger
from shared.publishing import KafkaRecord
from shared.settings import KafkaSettings

log = get_logger(__name__)


class KafkaUnavailableError(RuntimeError):
    """Kafka is not connected; nothing was sent."""


class EventPublisher:
    """One idempotent producer per process, (re)connected in the background."""

    def __init__(self, settings: KafkaSettings, *, timeout_ms: int) -> None:
        self._settings = settings
        self._timeout_ms = timeout_ms
        self._producer: AIOKafkaProducer | None = None
        self._connector: asyncio.Task[None] | None = None

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

    async def publish(self, records: list[KafkaRecord]) -> list[RecordMetadata | Exception]:
        """Send all records at once; per record, its metadata once acknowledged or the error."""
        producer = self._producer
        if producer is None:
            raise KafkaUnavailableError("Kafka is not connected")
        futures: list[asyncio.Future[RecordMetadata] | Exception] = []
        for record in records:
            headers = [(name, value.encode()) for name, value in record.headers.items()]
            try:
                futures.append(
                    await producer.send(record.topic, record.value, key=record.key, headers=headers)
                )
            except Exception as exc:  # e.g. record too large, buffer timeout
                futures.append(exc)
        waiting = [f for f in futures if isinstance(f, asyncio.Future)]
        if waiting:
            # The producer fails each future by its own request timeout; this guard only
            # protects the caller from a bug in that chain.
            await asyncio.wait(waiting, timeout=self._timeout_ms / 1000 * 3)
        return [_outcome(f) for f in futures]


def _outcome(item: asyncio.Future[RecordMetadata] | Exception) -> RecordMetadata | Exception:
    if isinstance(item, Exception):
        return item
    if not item.done():
        return TimeoutError("Kafka did not acknowledge in time")
    exc = item.exception()
    return exc if isinstance(exc, Exception) else item.result()
