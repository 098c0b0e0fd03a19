"""The intake service over HTTP, in a process of its own on PostgreSQL: the batch endpoint's
events/s (NDJSON, a few requests in flight, sent with aiohttp like the single-event load: ~1.3 us
of client CPU per event against httpx's ~3.3 us on the cores the intake shares), then single
events at a fixed rate (p50/p95/p99 latency from each request's scheduled start, achieved rate).
The single-event run follows the batch run on the same database, so at 10x it also shows latency
with 10x the accepted events.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp

from benchmarks.context import BenchContext
from benchmarks.facts import PROVIDER, facts
from benchmarks.figures import Figure, at_least, at_most, rss_figure
from benchmarks.load import Answer, Call, fixed_rate, session, summarise
from benchmarks.services import NO_RATE_LIMIT, admin_key, kafka_env, service
from shared.provisioning import ensure_topics

NAME = "intake"
DESCRIPTION = "intake HTTP: batch endpoint events/s, single events at a fixed rate"
BATCH_TARGET = 20_000
P99_TARGET_MS = 50
ROUTES = {
    "incident.reported": "/v1/incidents",
    "complaint.received": "/v1/complaints",
    "complaint.resolved": "/v1/complaint-outcomes",
    "audit.completed": "/v1/audits",
    "feedback.received": "/v1/feedback",
}
NDJSON = "application/x-ndjson"


async def batch_endpoint(
    http: aiohttp.ClientSession, events: int, size: int, concurrency: int
) -> dict[str, Any]:
    """POST /v1/events:batch with ``concurrency`` requests in flight; accepted events/s."""
    bodies: asyncio.Queue[bytes] = asyncio.Queue()
    generated = list(facts(events, seed=11))
    for start in range(0, len(generated), size):
        bodies.put_nowait(b"\n".join(e.to_json_bytes() for e in generated[start : start + size]))
    counts = {"accepted": 0, "other": 0, "failed_requests": 0}

    async def worker() -> None:
        while not bodies.empty():
            body = bodies.get_nowait()
            async with http.post(
                "/v1/events:batch", data=body, headers={"Content-Type": NDJSON}
            ) as response:
                status, answer = response.status, await response.read()
            if status != 200:
                counts["failed_requests"] += 1
                continue
            summary = json.loads(answer)["summary"]
            counts["accepted"] += summary["accepted"]
            counts["other"] += sum(n for status, n in summary.items() if status != "accepted")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        **counts, "events": len(generated), "batch_size": size, "concurrency": concurrency,
        "seconds": round(elapsed, 2), "events_per_s": round(counts["accepted"] / elapsed, 1),
    }  # fmt: skip


def accepted(answer: Answer) -> bool:
    """202 and published now (not a duplicate of an earlier submission)."""
    return answer.status == 202 and json.loads(answer.body).get("status") == "accepted"


async def single_events(base_url: str, key: str, rate: float, seconds: float) -> dict[str, Any]:
    """Single-event routes (mixed types) at ``rate`` requests/s; a 1 s warm-up is discarded."""
    warmup = int(rate)
    calls = [
        Call(ROUTES[event.type], event.to_json_bytes())
        for event in facts(warmup + int(rate * seconds), seed=12)
    ]
    async with session(base_url, {"X-API-Key": key}) as http:
        answers = await fixed_rate(http, calls, rate, headers={}, max_in_flight=int(rate * 2))
    measured = answers[warmup:]
    statuses: dict[str, int] = {}
    for answer in measured:
        statuses[str(answer.status)] = statuses.get(str(answer.status), 0) + 1
    return {"rate": rate, "seconds": seconds, "statuses": statuses,
            **summarise(measured, accepted)}  # fmt: skip


async def run(context: BenchContext) -> dict[str, Any]:
    """Batch events/s, then single-event latency at a fixed rate, and intake's peak RSS."""
    sizes = context.sizes
    kafka = context.kafka("intake")
    await ensure_topics(kafka)
    url = await context.postgres_url("intake")
    key = await admin_key(url, PROVIDER)
    env = {**kafka_env(kafka), **NO_RATE_LIMIT, "LEARNLOOP_DATABASE__URL": url}
    folder = context.folder("intake")
    profile = context.profile_name("intake")
    async with (
        service("intake", env, folder, profiler=context.profiler, profile_name=profile) as intake,
        session(intake.url, {"X-API-Key": key}) as http,
    ):
        batch = await batch_endpoint(
            http, sizes.intake_batch_events, sizes.intake_batch_size,
            sizes.intake_batch_concurrency,
        )  # fmt: skip
        intake.sample_rss()
        single = await single_events(
            intake.url, key, sizes.intake_single_rate, sizes.intake_single_seconds
        )
        intake.sample_rss()
    rate = f"{sizes.intake_single_rate:.0f} req/s"
    figures = [
        at_least("batch endpoint", batch["events_per_s"], "events/s", BATCH_TARGET),
        Figure(f"single events p50 at {rate}", single.get("latency_p50_ms"), "ms"),
        Figure(f"single events p95 at {rate}", single.get("latency_p95_ms"), "ms"),
        at_most(f"single events p99 at {rate}", single.get("latency_p99_ms"), "ms", P99_TARGET_MS),
        Figure("single events achieved", single.get("completed_per_s"), "requests/s"),
        rss_figure("intake", intake.peak_rss_mb),
    ]
    notes = []
    if single.get("not_sent_overload"):
        notes.append(
            f"single events: {single['not_sent_overload']} requests not sent: 2 s of requests "
            "were already waiting for an answer (the service could not keep up)"
        )
    if single.get("errors"):
        notes.append(
            f"single events: {single['errors']} requests not accepted {single['statuses']}"
        )
    if single.get("client_lag_p99_ms", 0) > 10:
        notes.append(
            f"the load generator started requests up to {single['client_lag_p99_ms']} ms late "
            "(p99): it shares the CPUs with the service, so latency includes client delay"
        )
    return {
        "figures": [figure.as_json() for figure in figures],
        "batch": batch, "single": single, "peak_rss_mb": intake.peak_rss_mb, "notes": notes,
    }  # fmt: skip
