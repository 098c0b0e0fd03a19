"""Coalescing concurrent calls into one batch of work ("group commit").

Many small requests each making their own database round trips spend their time in connection
checkouts, BEGIN/COMMIT and network waits, and under load they queue for the connection pool.
A ``Coalescer`` runs its work for the first call at once; calls made while that work is in flight
wait and are then served together by one run. Nothing waits for a timer, so an idle service answers
as fast as before, and a busy one makes one round trip for many requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Call = TypeVar("Call")
Answer = TypeVar("Answer")


class Coalescer(Generic[Call, Answer]):
    """Serve calls in batches: ``work`` takes the queued calls and returns one answer per call.

    If ``work`` raises, every call of that batch raises the same exception. A call whose caller
    was cancelled still runs with its batch; its answer is dropped.
    """

    def __init__(
        self,
        work: Callable[[Sequence[Call]], Awaitable[Sequence[Answer]]],
        *,
        max_batch: int = 5000,
    ) -> None:
        self._work = work
        self._max_batch = max_batch
        self._queue: list[tuple[Call, asyncio.Future[Answer]]] = []
        self._runner: asyncio.Task[None] | None = None

    async def __call__(self, call: Call) -> Answer:
        """The answer to ``call``, computed together with the calls queued beside it."""
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._queue.append((call, future))
        if self._runner is None:
            self._runner = asyncio.create_task(self._run())
        return await future

    async def _run(self) -> None:
        batch: list[tuple[Call, asyncio.Future[Answer]]] = []
        try:
            while self._queue:
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
                try:
                    answers = await self._work([call for call, _ in batch])
                except Exception as exc:
                    _fail(batch, exc)
                    continue
                for (_, future), answer in zip(batch, answers, strict=True):
                    if not future.done():
                        future.set_result(answer)
        finally:
            self._runner = None
            # Cancelled (e.g. at shutdown): no call may wait forever.
            _fail([*batch, *self._queue], RuntimeError("the service is shutting down"))
            self._queue.clear()


def _fail(calls: Sequence[tuple[object, asyncio.Future[Answer]]], exc: BaseException) -> None:
    for _, future in calls:
        if not future.done():
            future.set_exception(exc)
