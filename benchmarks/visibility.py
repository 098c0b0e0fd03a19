"""Which events of a load are visible in the governance API, and since when.

The load is cut into buckets; all events of bucket *b* happened in calendar month *b*
(Europe/London, as reporting files them) of a generated provider's history, so one governance
summary request per poll counts the visible events of every bucket at once (month granularity).
Within a bucket the *j*-th acknowledged event is taken as visible at the first poll showing at
least *j* of its events (count matching: the mean is exact, order within a bucket assumed).
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from benchmarks.facts import PROVIDER
from benchmarks.figures import percentiles
from learnloop.generator import ScenarioConfig, generate
from shared.events import ComplaintResolved
from shared.events.fact_time import fact_time

MAX_MONTHS_PER_QUERY = 60  # the governance API's limit
LONDON = ZoneInfo("Europe/London")
SITES_PER_SCALE = 50  # ~1,900 facts a month at scale 1: enough for 1,000 per one-second bucket
COUNTED = ("incidents", "complaints", "audits", "feedback")  # the summary's fact totals


@dataclass
class Bucket:
    """One second of load: the events of one calendar month."""

    index: int
    month: str
    lines: list[bytes]
    types: list[str]
    calls: int = 0
    answered: int = 0
    accepted_at: list[float] = field(default_factory=list)
    seen: list[tuple[float, float, int]] = field(default_factory=list)  # poll asked, answered, n

    @property
    def sent(self) -> bool:
        return self.calls > 0 and self.answered == self.calls

    @property
    def visible(self) -> int:
        return self.seen[-1][2] if self.seen else 0

    @property
    def complete(self) -> bool:
        return self.sent and self.visible >= len(self.accepted_at)

    def freshness(self, *, lower_bound: bool = False) -> tuple[list[float], int]:
        """Per accepted event: seconds to visible (count matching), taking the poll's answer
        time (or, for the lower bound, the time it was asked); and how many never were."""
        accepted = sorted(self.accepted_at)
        times = [asked if lower_bound else answered for asked, answered, _ in self.seen]
        counts = [n for _, _, n in self.seen]
        running_max = []
        best = 0
        for count in counts:
            best = max(best, count)
            running_max.append(best)
        latencies, unseen = [], 0
        for j, at in enumerate(accepted, start=1):
            k = bisect.bisect_left(running_max, j)
            if k == len(times):
                unseen += 1
            else:
                latencies.append(max(0.0, times[k] - at))
        return latencies, unseen


def _months_back(today: date, count: int) -> date:
    months = today.year * 12 + today.month - 1 - count
    return date(months // 12, months % 12 + 1, 1)


def plan_buckets(buckets: int, per_bucket: int, scale: int, seed: int = 21) -> list[Bucket]:
    """``buckets`` consecutive months of a generated provider, ``per_bucket`` facts each
    (evenly spread over the month), ending before this month."""
    first = _months_back(date.today(), buckets + 2)
    config = ScenarioConfig(
        seed=seed, sites=SITES_PER_SCALE * scale, regions=max(1, scale * 5 // 2),
        start=first, months=buckets + 1, scale=1 / scale, provider_id=PROVIDER,
    )  # fmt: skip
    planned: list[Bucket] = []
    for month, events in _by_london_month(generate(config)):
        if month < f"{first.year:04d}-{first.month:02d}":
            continue
        if len(events) > per_bucket:  # evenly over the month, so every site keeps its share
            events = [events[i * len(events) // per_bucket] for i in range(per_bucket)]
        chosen = events
        planned.append(
            Bucket(index=len(planned), month=month, lines=[line for line, _ in chosen],
                   types=[kind for _, kind in chosen])
        )  # fmt: skip
        if len(planned) == buckets:
            break
    return planned


def _by_london_month(events: Iterator[Any]) -> Iterator[tuple[str, list[tuple[bytes, str]]]]:
    """Facts grouped by the Europe/London month of their fact time, as months complete (the
    generator is in time order; a month is complete two months later). Complaint outcomes are
    left out: the summary counts them apart from received complaints."""
    pending: dict[str, list[tuple[bytes, str]]] = {}
    for event in events:
        if isinstance(event, ComplaintResolved):
            continue
        month = fact_time(event).astimezone(LONDON).strftime("%Y-%m")
        pending.setdefault(month, []).append((event.to_json_bytes(), event.type))
        for done in sorted(pending):
            if _month_gap(done, month) >= 2:
                yield done, pending.pop(done)
    for month in sorted(pending):
        yield month, pending[month]


def _month_gap(earlier: str, later: str) -> int:
    (y1, m1), (y2, m2) = (map(int, earlier.split("-")), map(int, later.split("-")))
    return (y2 * 12 + m2) - (y1 * 12 + m1)


def _windows(active: list[Bucket]) -> list[tuple[int, int]]:
    """Ranges of bucket indexes, each within the API's months per request, covering ``active``."""
    windows: list[tuple[int, int]] = []
    for bucket in active:
        if windows and bucket.index - windows[-1][0] < MAX_MONTHS_PER_QUERY:
            windows[-1] = (windows[-1][0], bucket.index)
        else:
            windows.append((bucket.index, bucket.index))
    return windows


async def poll_visibility(
    http: httpx.AsyncClient, buckets: list[Bucket], every_s: float, done: asyncio.Event
) -> dict[str, Any]:
    """Poll the governance summary until every bucket is fully visible (or ``done`` is set)."""
    polls, failures = 0, 0
    durations: list[float] = []
    while not done.is_set():
        asked = time.monotonic()
        active = [b for b in buckets if b.answered and not b.complete]
        if not active and all(b.complete for b in buckets):
            break
        for first, last in _windows(active):
            asked_window = time.monotonic()
            try:
                response = await http.get(
                    "/v1/governance/summary",
                    params={"granularity": "month", "from": buckets[first].month,
                            "to": buckets[last].month},
                )  # fmt: skip
                response.raise_for_status()
            except httpx.HTTPError:
                failures += 1
                continue
            answered = time.monotonic()
            polls += 1
            durations.append((answered - asked_window) * 1000)
            by_month = {b.month: b for b in buckets[first : last + 1]}
            for period in response.json()["periods"]:
                bucket = by_month.get(period["period"]["first_month"])
                if bucket is not None:
                    visible = sum(period[block]["total"] for block in COUNTED)
                    bucket.seen.append((asked_window, answered, visible))
        # A summary request takes the reporting process's CPU from its projection: keep polling
        # to at most a third of its time, so the measurement does not slow what it measures.
        took = time.monotonic() - asked
        await asyncio.sleep(max(every_s - took, 2 * took))
    return {"polls": polls, "failed_polls": failures,
            **{f"poll_{k}_ms": round(v, 1) for k, v in percentiles(durations).items()}}  # fmt: skip
