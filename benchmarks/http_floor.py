"""The HTTP floor: an ASGI app that reads the body and answers 202, under uvicorn as the services
run, loaded like the intake. What it cannot beat, the intake cannot either; a high client lag
here means the load generator itself is the limit on this machine.

    python -m benchmarks.http_floor PORT
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import aiohttp

from benchmarks.load import Call, fixed_rate, session, summarise

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ACCEPTED = b'{"status":"accepted"}'


async def app(
    scope: Scope,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    """Read the whole request, answer 202."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    await send({"type": "http.response.start", "status": 202,
                "headers": [(b"content-type", b"application/json")]})  # fmt: skip
    await send({"type": "http.response.body", "body": ACCEPTED})


async def measure(port: int, body: bytes, rate: float, seconds: float) -> dict[str, Any]:
    """The intake's single-event load against the trivial app on ``port``."""
    async with session(f"http://127.0.0.1:{port}", {}) as client:
        deadline = time.monotonic() + 30
        while True:
            try:
                async with client.get("/") as response:
                    await response.read()
                break
            except aiohttp.ClientError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)
        warmup = int(rate)
        calls = [Call("/v1/incidents", body)] * (warmup + int(rate * seconds))
        answers = await fixed_rate(client, calls, rate, headers={}, max_in_flight=int(rate * 2))
    return summarise(answers[warmup:], lambda answer: answer.status == 202)


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_config=None, access_log=False)
