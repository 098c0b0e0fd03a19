"""The learning service, as deployed (``services.learning.app.running``: batch consumer, pipeline
with every rule on, outbox relay, governance clock), draining pre-produced facts.

N synthetic facts of a 500-site provider are published first, as the intake would; then the
service starts in a process of its own and applies them: on PostgreSQL, on SQLite, and as two
instances in one consumer group on PostgreSQL (partitions shared, throughput should double when
the broker and the database are not the limit). The learning processes' CPU time per fact and the
machine's busy share tell whether a second instance found a core to run on.
"""

from __future__ import annotations

from typing import Any

from benchmarks.context import BenchContext
from benchmarks.facts import produce_facts
from benchmarks.figures import Figure, at_least, rss_figure
from benchmarks.workers import ConsumeResult, consume_until, unfinished
from shared.database import create_engine
from shared.migrate import upgrade
from shared.settings import DatabaseSettings, KafkaSettings

NAME = "learning_service"
DESCRIPTION = "the learning service applying pre-produced facts (all rules on)"
TARGET_EVENTS_PER_S = 10_000
SCALE_OUT_TARGET = 1.8  # "roughly double" with a second instance


async def migrate(url: str, branches: tuple[str, ...]) -> None:
    """Bring a database to the newest schema (the services would do it at start-up)."""
    engine = create_engine(DatabaseSettings(url=url))
    try:
        await upgrade(engine, branches)
    finally:
        await engine.dispose()


async def _run(
    context: BenchContext, kafka: KafkaSettings, *, backend: str, instances: int
) -> ConsumeResult:
    label = f"{backend}-x{instances}"
    url = (
        await context.postgres_url(f"x{instances}")
        if backend == "postgresql"
        else context.sqlite_url(label)
    )
    await migrate(url, ("shared", "learning"))  # once, not by two instances at the same time
    keys_url = context.sqlite_url(f"{label}-keys")
    await migrate(keys_url, ("shared", "intake"))
    config = {
        "kafka": kafka.model_dump(mode="json"),
        "database_url": url,
        "group_id": context.group(label),
        "keys_database_url": keys_url,
    }
    return await consume_until(
        context, kind="learning", instances=instances, target=context.sizes.learning_facts,
        label=label, config=config,
    )  # fmt: skip


async def run(context: BenchContext) -> dict[str, Any]:
    """Sustained events/s on PostgreSQL, SQLite, and two instances on PostgreSQL."""
    kafka = context.kafka("facts")
    produced = await produce_facts(kafka, context.sizes.learning_facts)
    runs = {
        "postgresql": await _run(context, kafka, backend="postgresql", instances=1),
        "sqlite": await _run(context, kafka, backend="sqlite", instances=1),
        "postgresql_two_instances": await _run(context, kafka, backend="postgresql", instances=2),
    }
    one, two = runs["postgresql"].sustained, runs["postgresql_two_instances"].sustained
    speedup = round(two / one, 2) if one and two else None
    figures = [
        at_least("PostgreSQL: sustained", one, "events/s", TARGET_EVENTS_PER_S),
        Figure("SQLite: sustained", runs["sqlite"].sustained, "events/s"),
        Figure("PostgreSQL, 2 instances: sustained", two, "events/s"),
        Figure(
            "2 instances / 1 instance",
            speedup,
            "x",
            f">= {SCALE_OUT_TARGET}",
            None if speedup is None else speedup >= SCALE_OUT_TARGET,
        ),
        Figure("PostgreSQL: learning CPU per fact", runs["postgresql"].cpu_us_per_event, "us"),
        Figure(
            "PostgreSQL, 2 instances: learning CPU per fact",
            runs["postgresql_two_instances"].cpu_us_per_event,
            "us",
        ),
        Figure("PostgreSQL, 1 instance: machine CPU busy", _percent(runs, "one"), "%"),
        Figure("PostgreSQL, 2 instances: machine CPU busy", _percent(runs, "two"), "%"),
        rss_figure("learning (PostgreSQL)", runs["postgresql"].peak_rss_mb),
        rss_figure("learning (SQLite)", runs["sqlite"].peak_rss_mb),
    ]
    notes = [unfinished(name, result) for name, result in runs.items() if not result.completed]
    return {
        "figures": [figure.as_json() for figure in figures],
        "facts": context.sizes.learning_facts,
        "produced": produced.as_json(),
        "runs": {name: result.as_json() for name, result in runs.items()},
        "notes": notes,
    }


def _percent(runs: dict[str, ConsumeResult], which: str) -> float | None:
    """The machine's busy share (all processes, both cores) during a PostgreSQL run: near 100 %
    means a second instance had no spare core to run on."""
    run = runs["postgresql_two_instances" if which == "two" else "postgresql"]
    return None if run.machine_busy is None else round(run.machine_busy * 100, 1)
