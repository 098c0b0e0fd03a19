"""A client that keeps submitting generated events through the intake batch endpoint.

It behaves like a well-written real client: an item answered 202 ("accepted" or "duplicate") is
accepted and never sent again; an item answered "unavailable" (Kafka did not acknowledge), a
failed request (5xx, 429) or a broken connection is retried later with the same event ids, until
everything is accepted. What was accepted is the ground truth the read models are checked against.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence

import httpx

from shared.events import AnyFactEvent

ACCEPTED_STATUSES = frozenset({"accepted", "duplicate"})


class Publisher:
    """Submits ``events`` in batches at a steady pace; call :meth:`run` as a task."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        events: Sequence[AnyFactEvent],
        *,
        batch_size: int = 40,
        events_per_second: float = 80.0,
    ) -> None:
        self._base_url = base_url
        self._headers = {"X-API-Key": api_key, "Content-Type": "application/x-ndjson"}
        self._events = list(events)
        self._batch_size = batch_size
        self._interval_s = batch_size / events_per_second
        self.accepted: set[str] = set()
        self.statuses: Counter[str] = Counter()  # per item, every answer (retries included)
        self.failed_requests: Counter[str] = Counter()  # request-level failures by kind
        self.rejected: dict[str, str] = {}  # id -> code: a generated event must never be refused
        self.last_accepted_at: float | None = None
        self._progress = asyncio.Condition()
        self.request_in_flight = asyncio.Event()

    @property
    def total(self) -> int:
        return len(self._events)

    @property
    def done(self) -> bool:
        return len(self.accepted) + len(self.rejected) >= len(self._events)

    async def run(self) -> None:
        """Submit every event until each one is accepted (or refused, which fails the test)."""
        async with httpx.AsyncClient(base_url=self._base_url, timeout=30) as client:
            for start in range(0, len(self._events), self._batch_size):
                began = time.monotonic()
                batch = self._events[start : start + self._batch_size]
                await self._submit_until_accepted(client, batch)
                # A steady pace, not a catch-up burst: a client does not replay lost time.
                await asyncio.sleep(max(0.0, self._interval_s - (time.monotonic() - began)))

    async def _submit_until_accepted(
        self, client: httpx.AsyncClient, batch: Sequence[AnyFactEvent]
    ) -> None:
        pending = list(batch)
        backoff = 0.25
        while pending:
            pending = await self.submit(client, pending)
            if pending:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)

    async def submit(
        self, client: httpx.AsyncClient, batch: Sequence[AnyFactEvent]
    ) -> list[AnyFactEvent]:
        """One request; returns the events still to retry (all of them if the request failed)."""
        body = b"\n".join(event.to_json_bytes() for event in batch)
        self.request_in_flight.set()
        try:
            response = await client.post("/v1/events:batch", content=body, headers=self._headers)
        except httpx.HTTPError as exc:
            self.failed_requests[type(exc).__name__] += 1
            return list(batch)
        finally:
            self.request_in_flight.clear()
        if response.status_code != 200:
            self.failed_requests[f"HTTP {response.status_code}"] += 1
            return list(batch)
        retry: list[AnyFactEvent] = []
        for event, item in zip(batch, response.json()["items"], strict=True):
            status = item["status"]
            self.statuses[status] += 1
            if status in ACCEPTED_STATUSES:
                self.accepted.add(event.id)
            elif status == "unavailable":
                retry.append(event)
            else:
                self.rejected[event.id] = str(item.get("code"))
        if len(retry) < len(batch):
            self.last_accepted_at = time.monotonic()
            async with self._progress:
                self._progress.notify_all()
        return retry

    async def wait_for_share(self, share: float) -> None:
        """Wait until ``share`` of the events are accepted."""
        async with self._progress:
            await self._progress.wait_for(lambda: len(self.accepted) >= share * self.total)
