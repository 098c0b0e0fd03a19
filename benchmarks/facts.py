"""Synthetic facts for the benchmarks: the seedable generator's provider, published onto the fact
topics exactly as the intake publishes them (CloudEvents structured mode, keyed by site)."""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer

from learnloop.generator import ScenarioConfig, generate
from shared.broker import client_options, producer_options
from shared.events import AnyFactEvent
from shared.provisioning import ensure_topics
from shared.publishing import record_for
from shared.settings import KafkaSettings

NATIONAL_PROVIDER_SITES = 500  # the largest provider
EVENTS_PER_SITE_MONTH = 30  # a little under the generator's average (~39), so months suffice


PROVIDER = "bench-care-group"


def facts(
    count: int, *, sites: int = NATIONAL_PROVIDER_SITES, seed: int = 7
) -> Iterator[AnyFactEvent]:
    """The first ``count`` facts of provider ``PROVIDER`` with ``sites`` sites, in time order
    (event ids differ by seed)."""
    months = max(1, math.ceil(count / (sites * EVENTS_PER_SITE_MONTH)) + 1)
    config = ScenarioConfig(
        seed=seed, sites=sites, regions=max(1, sites // 50), months=months,
        provider_id=PROVIDER,
    )  # fmt: skip
    return itertools.islice(generate(config), count)


@dataclass(frozen=True)
class Produced:
    """How many facts were published and how fast (the runner's own producer)."""

    count: int
    seconds: float

    def as_json(self) -> dict[str, float]:
        return {
            "facts": self.count, "seconds": round(self.seconds, 2),
            "facts_per_s": round(self.count / self.seconds, 1) if self.seconds else 0.0,
        }  # fmt: skip


async def produce_facts(settings: KafkaSettings, count: int, *, seed: int = 7) -> Produced:
    """Create the prefix's topics and publish ``count`` facts (acks=all, idempotent)."""
    await ensure_topics(settings)
    options = {**client_options(settings, client_id="bench-facts"), **producer_options(settings)}
    options.setdefault("max_batch_size", 256 * 1024)
    producer = AIOKafkaProducer(**options)
    await producer.start()
    started = time.perf_counter()
    pending: list[asyncio.Future[object]] = []
    try:
        for event in facts(count, seed=seed):
            record = record_for(event, settings)
            headers = [(name, value.encode()) for name, value in record.headers.items()]
            pending.append(
                await producer.send(record.topic, record.value, key=record.key, headers=headers)
            )
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return Produced(count, time.perf_counter() - started)
