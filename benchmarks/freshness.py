"""End-to-end freshness: from intake's acknowledgement to visible in the governance API.

The three services run as separate processes on PostgreSQL (one database each). Events go in
through intake HTTP at a fixed rate, in small NDJSON batches (``e2e_request_events`` per request;
1 uses the single-event routes and their 202).

How an event's visibility is observed (``visibility.py``): the load is cut into one-second
*buckets*, and every event of bucket *b* happened in calendar month *b* (Europe/London, the month
reporting files it under) of a generated provider's history. The governance summary counts facts
per month, so one poll of ``/v1/governance/summary?granularity=month&from=..&to=..`` tells how
many events of each bucket are visible. Within a bucket, the *j*-th event acknowledged is taken
to be visible at the first poll that shows at least *j* of the bucket's events (count matching:
the mean is exact, per-event order within one second is assumed). Freshness of an event = that
poll's answer time minus the event's acknowledgement time, so the poll's interval and duration
add to each figure (conservative); the same taken at the poll's start is reported as a lower
bound. Percentiles are over every accepted event.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx

from benchmarks.context import BenchContext
from benchmarks.facts import PROVIDER
from benchmarks.figures import Figure, at_most, percentiles, rss_figure
from benchmarks.load import Answer, Call, fixed_rate, session
from benchmarks.services import NO_RATE_LIMIT, RunningService, admin_key, kafka_env, service
from benchmarks.visibility import Bucket, plan_buckets, poll_visibility
from shared.provisioning import ensure_topics

NAME = "freshness"
DESCRIPTION = "HTTP acknowledgement to visible in the governance API, at a fixed rate"
P95_TARGET_S = 2.0
BUCKET_S = 1.0
DRAIN_S = 60.0
SINGLE_ROUTES = {
    "incident.reported": "/v1/incidents", "complaint.received": "/v1/complaints",
    "audit.completed": "/v1/audits", "feedback.received": "/v1/feedback",
}  # fmt: skip


def _calls(buckets: list[Bucket], per_request: int) -> tuple[list[Call], list[tuple[int, int]]]:
    """The requests in send order, and for each its (bucket index, events)."""
    calls: list[Call] = []
    owners: list[tuple[int, int]] = []
    for bucket in buckets:
        for start in range(0, len(bucket.lines), per_request):
            lines = bucket.lines[start : start + per_request]
            if per_request == 1:
                calls.append(Call(SINGLE_ROUTES[bucket.types[start]], lines[0]))
            else:
                calls.append(Call("/v1/events:batch", b"\n".join(lines), "application/x-ndjson"))
            owners.append((bucket.index, len(lines)))
            bucket.calls += 1
    return calls, owners


def _accepted(answer: Answer) -> int:
    if answer.status == 202:
        return 1 if json.loads(answer.body).get("status") == "accepted" else 0
    if answer.status == 200:
        return int(json.loads(answer.body)["summary"]["accepted"])
    return 0


async def _learning_applied(learning: RunningService) -> float | None:
    async with httpx.AsyncClient(base_url=learning.url, timeout=10) as http:
        for line in (await http.get("/metrics")).text.splitlines():
            if line.startswith("learnloop_learning_events_applied "):
                return float(line.split()[1])
    return None


async def run(context: BenchContext) -> dict[str, Any]:
    """Freshness percentiles at a fixed rate with all three services, and their peak RSS."""
    sizes = context.sizes
    per_request = sizes.e2e_request_events
    per_bucket = max(per_request, round(sizes.e2e_rate * BUCKET_S / per_request) * per_request)
    buckets = plan_buckets(max(1, round(sizes.e2e_seconds / BUCKET_S)), per_bucket, context.scale)
    calls, owners = _calls(buckets, per_request)
    kafka = context.kafka("e2e")
    await ensure_topics(kafka)
    urls = {name: await context.postgres_url(name) for name in ("intake", "learning", "reporting")}
    key = await admin_key(urls["intake"], PROVIDER)
    base = {**kafka_env(kafka), **NO_RATE_LIMIT}
    env = {
        "intake": {**base, "LEARNLOOP_DATABASE__URL": urls["intake"]},
        "learning": {**base, "LEARNLOOP_DATABASE__URL": urls["learning"],
                     "LEARNLOOP_LEARNING__KEYS_DATABASE_URL": urls["intake"],
                     "LEARNLOOP_LEARNING__GROUP_ID": context.group("learning")},
        "reporting": {**base, "LEARNLOOP_DATABASE__URL": urls["reporting"],
                      "LEARNLOOP_REPORTING__KEYS_DATABASE_URL": urls["intake"],
                      "LEARNLOOP_REPORTING__GROUP_ID": context.group("reporting")},
    }  # fmt: skip
    folder = context.folder("services")

    def on_answer(index: int, answer: Answer) -> None:
        bucket = buckets[owners[index][0]]
        bucket.answered += 1
        bucket.accepted_at.extend([answer.finished] * _accepted(answer))

    headers = {"X-API-Key": key}

    def profile(name: str) -> dict[str, Any]:
        return {"profiler": context.profiler, "profile_name": context.profile_name(name)}

    async with (
        service("intake", env["intake"], folder, **profile("intake")) as intake,
        service("learning", env["learning"], folder, **profile("learning")) as learning,
        service("reporting", env["reporting"], folder, **profile("reporting")) as reporting,
        session(intake.url, headers) as sender,
        httpx.AsyncClient(base_url=reporting.url, timeout=30, headers=headers) as poller,
    ):  # fmt: skip
        done = asyncio.Event()
        polling = asyncio.create_task(poll_visibility(poller, buckets, sizes.e2e_poll_s, done))
        started = time.monotonic()
        answers = await fixed_rate(
            sender, calls, sizes.e2e_rate / per_request, headers={}, on_answer=on_answer,
            max_in_flight=int(sizes.e2e_rate / per_request * 5),
        )  # fmt: skip
        sent_s = max(a.finished for a in answers) - started
        learning_at_end = await _learning_applied(learning)
        try:
            poll = await asyncio.wait_for(asyncio.shield(polling), DRAIN_S)
        except TimeoutError:
            done.set()
            poll = await polling
        for running in (intake, learning, reporting):
            running.sample_rss()
    latencies: list[float] = []
    lower: list[float] = []
    unseen = 0
    for bucket in buckets:
        bucket_latencies, bucket_unseen = bucket.freshness()
        latencies.extend(bucket_latencies)
        lower.extend(bucket.freshness(lower_bound=True)[0])
        unseen += bucket_unseen
    accepted = sum(len(b.accepted_at) for b in buckets)
    fresh = percentiles(latencies)
    rate = f"{sizes.e2e_rate:,.0f}/s"
    figures = [
        Figure(f"freshness p50 at {rate}", _round(fresh.get("p50")), "s"),
        at_most(f"freshness p95 at {rate}", _round(fresh.get("p95")), "s", P95_TARGET_S),
        Figure(f"freshness p99 at {rate}", _round(fresh.get("p99")), "s"),
        Figure("events accepted per second", round(accepted / sent_s, 1), "events/s"),
        Figure(f"not visible {DRAIN_S:.0f} s after the load", unseen, "events"),
        rss_figure("intake", intake.peak_rss_mb),
        rss_figure("learning", learning.peak_rss_mb),
        rss_figure("reporting", reporting.peak_rss_mb),
    ]
    notes = []
    unsent = sum(a.status == -1 for a in answers)
    if unsent:
        notes.append(f"{unsent} requests not sent: 5 s of requests were waiting for intake")
    over = [b.month for b in buckets if b.visible > len(b.accepted_at)]
    if over:
        notes.append(f"more events visible than accepted in {over} (a month placed differently)")
    return {
        "figures": [figure.as_json() for figure in figures],
        "rate_events_per_s": sizes.e2e_rate, "events_per_request": per_request,
        "load_seconds": sizes.e2e_seconds, "buckets": len(buckets), "events_per_bucket": per_bucket,
        "requests": len(calls), "not_sent_overload": unsent,
        "failed_requests": sum(a.status not in (200, 202, -1) for a in answers),
        "accepted": accepted, "send_seconds": round(sent_s, 2),
        "learning_applied_when_load_ended": learning_at_end, "poll_every_s": sizes.e2e_poll_s,
        **poll, "freshness_s": {k: round(v, 3) for k, v in fresh.items()},
        "freshness_lower_bound_s": {k: round(v, 3) for k, v in percentiles(lower).items()},
        "peak_rss_mb": {"intake": intake.peak_rss_mb, "learning": learning.peak_rss_mb,
                        "reporting": reporting.peak_rss_mb},
        "notes": notes,
    }  # fmt: skip


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
