"""Peer baseline: the FastStream consumer a newcomer would write for the learning service.

One message at a time, one database transaction per message (``LearningPipeline.apply([event])``,
the learning service's own persistence), committed after each message like LearnLoop's own
consumers. It does not publish the derived events (the learning service does, through its outbox
relay), so the comparison favours the baseline. Measured on PostgreSQL and SQLite, each in a
process of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from faststream.kafka import KafkaBroker, KafkaMessage

from benchmarks.context import BenchContext
from benchmarks.facts import produce_facts
from benchmarks.figures import Figure, rss_figure
from benchmarks.workers import consume_until, unfinished
from services.learning.domain.action_rules import load_action_rules
from services.learning.domain.rulebook import load_rulebook
from services.learning.pipeline import LearningPipeline
from shared.broker import consumer_options, kafka_broker, topic_name
from shared.database import create_engine
from shared.events import parse_fact_event
from shared.migrate import upgrade
from shared.settings import DatabaseSettings, KafkaSettings
from shared.topics import FACT_TOPICS

NAME = "peer_baseline"
DESCRIPTION = "FastStream, one message and one transaction at a time (the newcomer's handler)"


async def newcomer_consumer(
    kafka: KafkaSettings, database_url: str, group_id: str
) -> tuple[KafkaBroker, LearningPipeline]:
    """The straightforward subscriber: parse the fact, apply it, let FastStream commit."""
    engine = create_engine(DatabaseSettings(url=database_url))
    await upgrade(engine, ("shared", "learning"))
    pipeline = LearningPipeline(
        engine=engine, rulebook=load_rulebook(), action_rules=load_action_rules(), kafka=kafka
    )
    broker = kafka_broker(kafka, client_id="newcomer")

    async def on_fact(message: KafkaMessage) -> None:
        await pipeline.apply([parse_fact_event(message.body)])

    topics = [topic_name(topic, kafka) for topic in FACT_TOPICS]
    subscribe: Callable[[Callable[[KafkaMessage], Awaitable[None]]], Any] = broker.subscriber(
        *topics, **consumer_options(group_id)
    )
    subscribe(on_fact)
    return broker, pipeline


async def run(context: BenchContext) -> dict[str, Any]:
    """Events/s of the per-message baseline on PostgreSQL and on SQLite."""
    count = context.sizes.peer_facts
    kafka = context.kafka("facts")
    produced = await produce_facts(kafka, count)
    runs = {}
    for backend in ("postgresql", "sqlite"):
        url = (
            await context.postgres_url("peer")
            if backend == "postgresql"
            else context.sqlite_url("peer-sqlite")
        )
        runs[backend] = await consume_until(
            context, kind="peer", instances=1, target=count, label=f"peer-{backend}",
            config={"kafka": kafka.model_dump(mode="json"), "database_url": url,
                    "group_id": context.group(f"peer-{backend}")},
        )  # fmt: skip
    figures = [
        Figure("PostgreSQL: per-message events/s", runs["postgresql"].sustained, "events/s"),
        Figure("SQLite: per-message events/s", runs["sqlite"].sustained, "events/s"),
        rss_figure("baseline consumer (PostgreSQL)", runs["postgresql"].peak_rss_mb),
    ]
    notes = [unfinished(name, result) for name, result in runs.items() if not result.completed]
    return {
        "notes": notes,
        "figures": [figure.as_json() for figure in figures],
        "facts": count,
        "produced": produced.as_json(),
        "runs": {backend: result.as_json() for backend, result in runs.items()},
    }
