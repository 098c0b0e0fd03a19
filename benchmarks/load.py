"""An open-loop HTTP load generator: requests start on a fixed schedule, whatever the answers.

Latency is measured from each request's *scheduled* start, so a slow server cannot hide its
queueing by slowing the generator down (no coordinated omission). How late the generator itself
started requests is reported separately: if that lag is large, the client, not the server, was
the limit. The client is aiohttp: it costs a fraction of httpx's CPU per request (~0.35 ms
against ~1.6 ms here), which matters when the generator shares two cores with the service it
loads. When the server falls so far behind that ``max_in_flight`` requests are outstanding,
further requests are not sent but counted (status -1), so an overloaded run still ends on time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import aiohttp

from benchmarks.figures import percentiles


@dataclass(frozen=True)
class Call:
    """One request to make."""

    path: str
    body: bytes
    content_type: str = "application/json"


@dataclass
class Answer:
    """What happened to one request (monotonic seconds)."""

    scheduled: float
    started: float
    finished: float
    status: int  # 0: no answer (connection error, timeout); -1: not sent (overload)
    body: bytes

    @property
    def latency(self) -> float:
        return self.finished - self.scheduled


OnAnswer = Callable[[int, Answer], None]


def session(
    base_url: str, headers: dict[str, str], connections: int = 512
) -> aiohttp.ClientSession:
    """A client session for the load: keep-alive connections, generous timeouts."""
    return aiohttp.ClientSession(
        base_url=base_url, headers=headers, timeout=aiohttp.ClientTimeout(total=60),
        connector=aiohttp.TCPConnector(limit=connections),
    )  # fmt: skip


async def fixed_rate(
    client: aiohttp.ClientSession, calls: Sequence[Call], rate: float, *, headers: dict[str, str],
    on_answer: OnAnswer | None = None, max_in_flight: int = 1000,
) -> list[Answer]:  # fmt: skip
    """Start ``calls[i]`` at ``t0 + i / rate``; return every answer in call order."""
    answers: list[Answer | None] = [None] * len(calls)
    in_flight = 0

    async def send(index: int, call: Call, scheduled: float) -> None:
        nonlocal in_flight
        started = time.monotonic()
        try:
            async with client.post(
                call.path, data=call.body, headers={**headers, "Content-Type": call.content_type}
            ) as response:
                status, body = response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            status, body = 0, repr(exc).encode()
        in_flight -= 1
        answer = Answer(scheduled, started, time.monotonic(), status, body)
        answers[index] = answer
        if on_answer is not None:
            on_answer(index, answer)

    origin = time.monotonic() + 0.05
    tasks = []
    for index, call in enumerate(calls):
        scheduled = origin + index / rate
        # Always yield: behind schedule, the answers must still be read while requests start.
        await asyncio.sleep(max(0.0, scheduled - time.monotonic()))
        if in_flight >= max_in_flight:
            now = time.monotonic()
            unsent = Answer(scheduled, now, now, -1, b"not sent: too many in flight")
            answers[index] = unsent
            if on_answer is not None:
                on_answer(index, unsent)
            continue
        in_flight += 1
        tasks.append(asyncio.create_task(send(index, call, scheduled)))
    await asyncio.gather(*tasks)
    return [answer for answer in answers if answer is not None]


def summarise(answers: Sequence[Answer], ok: Callable[[Answer], bool]) -> dict[str, float]:
    """Achieved rate, latency percentiles (ms) of successful answers, errors and client lag."""
    if not answers:
        return {}
    good = [a for a in answers if ok(a)]
    unsent = sum(a.status == -1 for a in answers)
    span = max(a.finished for a in answers) - min(a.scheduled for a in answers)
    starts = [a.started for a in answers]
    offered = (len(answers) - 1) / (max(starts) - min(starts)) if len(answers) > 1 else 0.0
    latency = percentiles([a.latency * 1000 for a in good])
    lag = percentiles([(a.started - a.scheduled) * 1000 for a in answers], (50, 99))
    return {
        "requests": len(answers),
        "ok": len(good),
        "errors": len(answers) - len(good) - unsent,
        "not_sent_overload": unsent,
        "offered_per_s": round(offered, 1),
        "completed_per_s": round(len(good) / span, 1) if span > 0 else 0.0,
        **{f"latency_{k}_ms": round(v, 2) for k, v in latency.items()},
        **{f"client_lag_{k}_ms": round(v, 2) for k, v in lag.items()},
    }
