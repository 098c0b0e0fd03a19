"""Concurrent calls share one run of the work; failures reach every call of their batch."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from services.intake.adapters.coalesce import Coalescer


class Doubler:
    """Doubles numbers, remembering each batch it was given; blocks until released."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()
        self.fail_with: Exception | None = None

    async def __call__(self, calls: Sequence[int]) -> list[int]:
        self.batches.append(list(calls))
        await self.release.wait()
        if self.fail_with is not None:
            raise self.fail_with
        return [2 * call for call in calls]


async def test_a_lone_call_runs_at_once() -> None:
    work = Doubler()
    work.release.set()
    assert await Coalescer(work)(21) == 42
    assert work.batches == [[21]]


async def test_calls_made_while_work_is_in_flight_are_served_by_one_run() -> None:
    work = Doubler()
    coalesce = Coalescer(work)
    first = asyncio.create_task(coalesce(1))
    await asyncio.sleep(0)  # the first run has started and waits
    rest = [asyncio.create_task(coalesce(n)) for n in (2, 3, 4)]
    await asyncio.sleep(0)
    work.release.set()
    assert await asyncio.gather(first, *rest) == [2, 4, 6, 8]
    assert work.batches == [[1], [2, 3, 4]]


async def test_batches_are_capped() -> None:
    work = Doubler()
    work.release.set()
    coalesce = Coalescer(work, max_batch=2)
    assert await asyncio.gather(*(coalesce(n) for n in range(5))) == [0, 2, 4, 6, 8]
    assert work.batches == [[0, 1], [2, 3], [4]]


async def test_a_failure_reaches_every_call_of_its_batch_and_the_next_batch_runs() -> None:
    work = Doubler()
    coalesce = Coalescer(work)
    calls = [asyncio.create_task(coalesce(n)) for n in (1, 2)]
    await asyncio.sleep(0)
    work.fail_with = ConnectionError("database down")
    work.release.set()
    for call in calls:
        with pytest.raises(ConnectionError):
            await call
    work.fail_with = None
    assert await coalesce(5) == 10


async def test_a_cancelled_caller_does_not_disturb_the_others() -> None:
    work = Doubler()
    coalesce = Coalescer(work)
    cancelled, kept = asyncio.create_task(coalesce(1)), asyncio.create_task(coalesce(2))
    await asyncio.sleep(0)
    cancelled.cancel()
    work.release.set()
    assert await kept == 4
    assert cancelled.cancelled()
