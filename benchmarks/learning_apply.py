"""Learning persistence alone: facts applied per second by ``LearningPipeline.apply`` in batches,
on PostgreSQL and SQLite, in the benchmark's own process (no Kafka, no relay: this isolates the
database work of a batch from consuming and publishing).

The collector is set as the service sets it (start-up heap frozen, fewer young collections; see
:mod:`shared.garbage_collection`), and restored afterwards: without that, the runner's own heap
made every full collection walk it (~100 us of CPU per fact that the service does not spend).
Besides events/s, the process's CPU time per fact (all threads: SQLite's run in one).
"""

from __future__ import annotations

import gc
import time
from typing import Any

from benchmarks.context import BenchContext
from benchmarks.facts import facts
from benchmarks.figures import Figure
from services.learning.domain.action_rules import load_action_rules
from services.learning.domain.rulebook import load_rulebook
from services.learning.pipeline import LearningPipeline
from shared.database import create_engine
from shared.events import AnyFactEvent
from shared.garbage_collection import settle_garbage_collector
from shared.migrate import upgrade
from shared.settings import DatabaseSettings, KafkaSettings

NAME = "learning_apply"
DESCRIPTION = "LearningPipeline.apply in batches, no Kafka (the database work alone)"


async def measure(url: str, events: list[AnyFactEvent], batch: int) -> dict[str, float]:
    """Apply ``events`` in batches of ``batch`` on a fresh database; events/s."""
    engine = create_engine(DatabaseSettings(url=url))
    try:
        await upgrade(engine, ("shared", "learning"))
        pipeline = LearningPipeline(
            engine=engine, rulebook=load_rulebook(), action_rules=load_action_rules(),
            kafka=KafkaSettings(),
        )  # fmt: skip
        thresholds = gc.get_threshold()
        settle_garbage_collector()
        try:
            started, cpu_started = time.perf_counter(), time.process_time()
            for start in range(0, len(events), batch):
                await pipeline.apply(events[start : start + batch])
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
        finally:
            gc.unfreeze()  # the benchmark runner goes on in this process
            gc.set_threshold(*thresholds)
    finally:
        await engine.dispose()
    return {
        "events": len(events), "seconds": round(elapsed, 2),
        "events_per_s": round(len(events) / elapsed, 1),
        "cpu_us_per_event": round(cpu / len(events) * 1e6, 1),
    }  # fmt: skip


async def run(context: BenchContext) -> dict[str, Any]:
    """Events/s of batched apply on PostgreSQL and SQLite."""
    events = list(facts(context.sizes.apply_facts))
    batch = context.sizes.apply_batch
    postgresql = await measure(await context.postgres_url("apply"), events, batch)
    sqlite = await measure(context.sqlite_url("apply"), events, batch)
    figures = [
        Figure(f"PostgreSQL: batches of {batch}", postgresql["events_per_s"], "events/s"),
        Figure(f"SQLite: batches of {batch}", sqlite["events_per_s"], "events/s"),
        Figure("PostgreSQL: CPU per fact (this process)", postgresql["cpu_us_per_event"], "us"),
        Figure("SQLite: CPU per fact (this process)", sqlite["cpu_us_per_event"], "us"),
    ]
    return {
        "figures": [figure.as_json() for figure in figures],
        "batch": batch,
        "postgresql": postgresql,
        "sqlite": sqlite,
    }
