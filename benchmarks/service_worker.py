"""A consuming service in a process of its own, so its CPU and memory are its own.

    python -m benchmarks.service_worker learning|peer '<config as JSON>'

Prints ``{"waiting": true}`` once imported and waits for a line on stdin, so that several
instances start together; then one JSON line on stdout every 0.1 s (``{"t", "applied",
"partitions"}``; ``t`` is ``time.monotonic()``, system-wide on Linux) and, after SIGTERM or
SIGINT, a final line with its peak RSS. Logs go to stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import signal
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

import uvloop

from benchmarks.peer_baseline import newcomer_consumer
from services.learning.app import running
from services.learning.settings import LearningOptions, LearningSettings
from shared.garbage_collection import settle_garbage_collector
from shared.logging import configure_logging
from shared.settings import DatabaseSettings, KafkaSettings

REPORT_EVERY_S = 0.1


def _progress_channel() -> TextIO:
    """The original stdout, for progress lines only; anything else written to stdout (FastStream
    logs there by default) goes to stderr, the log file."""
    channel = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    return channel


PROGRESS = _progress_channel() if __name__ == "__main__" else sys.stdout


def emit(line: dict[str, Any]) -> None:
    """One progress line for the parent."""
    PROGRESS.write(json.dumps(line) + "\n")
    PROGRESS.flush()


async def report(
    stop: asyncio.Event, applied: Callable[[], int], partitions: Callable[[], int]
) -> None:
    """Report progress until ``stop`` is set."""
    while not stop.is_set():
        emit({"t": time.monotonic(), "applied": applied(), "partitions": partitions()})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), REPORT_EVERY_S)
    emit({"t": time.monotonic(), "applied": applied(), "partitions": partitions()})


async def serve_learning(config: dict[str, Any], stop: asyncio.Event) -> None:
    """The real learning service: ``services.learning.app.running``."""
    settings = LearningSettings(
        kafka=KafkaSettings(**config["kafka"]),
        database=DatabaseSettings(url=config["database_url"]),
        learning=LearningOptions(
            group_id=config["group_id"], keys_database_url=config["keys_database_url"]
        ),
    )
    async with running(settings) as runtime:
        await report(
            stop, lambda: runtime.pipeline.applied, lambda: len(runtime.consumer.assignment())
        )
        # Derived events the relay had not published yet when the facts were all applied.
        emit({"outbox_pending": await runtime.relay.pending()})


async def serve_peer(config: dict[str, Any], stop: asyncio.Event) -> None:
    """The per-message FastStream baseline."""
    broker, pipeline = await newcomer_consumer(
        KafkaSettings(**config["kafka"]), config["database_url"], config["group_id"]
    )
    async with broker:
        await broker.start()
        await report(stop, lambda: pipeline.applied, lambda: -1)


async def main(kind: str, config: dict[str, Any]) -> None:
    """Serve ``kind`` until SIGTERM or SIGINT, then report peak RSS."""
    configure_logging(level="INFO", fmt="json", service=f"bench-{kind}")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    serve = {"learning": serve_learning, "peer": serve_peer}[kind]
    if kind == "learning":
        settle_garbage_collector()  # as `learnloop learning serve` does
    emit({"waiting": True})
    await asyncio.to_thread(sys.stdin.readline)  # the parent's go
    await serve(config, stop)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    emit({"final": True, "peak_rss_mb": round(peak_kb / 1024, 1)})


if __name__ == "__main__":
    # uvloop for both, as uvicorn picks it for `learnloop learning serve`.
    uvloop.run(main(sys.argv[1], json.loads(sys.argv[2])))
