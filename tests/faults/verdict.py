"""After a scenario: compare what was accepted with the read models, the outbox with the derived
topics, and the dead-letter topics with the poison that was injected."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from learnloop.generator import GroundTruth
from services.learning.adapters import tables as learning
from services.reporting.adapters import tables as reporting
from services.reporting.domain import facts as reported_facts
from shared.broker import client_options, topic_name
from shared.tables import outbox, processed_events
from shared.topics import DERIVED_TOPICS, FACT_TOPICS
from tests.faults.pipeline import FaultPipeline

# The cube metric every fact of a type is counted under exactly once.
COUNTED_AS = {
    "incident.reported": reported_facts.INCIDENTS,
    "complaint.received": reported_facts.COMPLAINTS,
    "complaint.resolved": reported_facts.COMPLAINT_OUTCOME,
    "audit.completed": reported_facts.AUDITS,
    "feedback.received": reported_facts.FEEDBACK,
}
# Things learning derived (its own tables) and what reporting built from the derived events.
DERIVED_ENTITIES: dict[str, tuple[Select[Any], Select[Any]]] = {
    "theme links": (
        select(learning.event_themes.c.event_id, learning.event_themes.c.theme_id),
        select(reporting.theme_links.c.source_event_id, reporting.theme_links.c.theme_id),
    ),
    "obligations": (
        select(learning.obligations.c.obligation_id),
        select(reporting.obligations.c.obligation_id),
    ),
    "actions": (
        select(learning.improvement_actions.c.action_id),
        select(reporting.actions.c.action_id),
    ),
    "alerts": (
        select(learning.learning_alerts.c.alert_id),
        select(reporting.alerts.c.alert_id),
    ),
}


@dataclass(frozen=True)
class Poison:
    """A record that breaks the contract, where it was written and what it held."""

    topic: str
    partition: int
    offset: int
    value: bytes


@dataclass
class Findings:
    """The numbers of the results table, and every discrepancy in words."""

    accepted: int = 0
    lost: int = 0
    duplicated: int = 0
    extra: int = 0
    derived: int = 0
    derived_missing: int = 0
    duplicate_deliveries: int = 0
    dead_letters_expected: int = 0
    dead_letters_found: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        """Nothing lost, duplicated, invented or misplaced."""
        return not (self.lost or self.duplicated or self.extra or self.derived_missing) and not (
            self.problems
        )


async def read_records(
    pipeline: FaultPipeline, topics: Sequence[str]
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record on ``topics`` right now, from the first offset to the end offset."""
    partitions = await pipeline.watch.partitions(topics)
    if partitions is None:
        raise AssertionError(f"the cluster did not describe {topics}")
    consumer = AIOKafkaConsumer(
        **client_options(pipeline.kafka, client_id="faults-reader"), enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord[bytes, bytes]] = []
        remaining = {tp for tp in partitions if ends[tp] > 0}
        async with asyncio.timeout(120):
            while remaining:
                batch = await consumer.getmany(*remaining, timeout_ms=1000)
                for tp, messages in batch.items():
                    records.extend(m for m in messages if m.offset < ends[tp])
                for tp in list(remaining):
                    if await consumer.position(tp) >= ends[tp]:
                        remaining.discard(tp)
        return records
    finally:
        await consumer.stop()


async def _rows(engine: AsyncEngine, query: Select[Any]) -> list[tuple[Any, ...]]:
    async with engine.connect() as connection:
        return [tuple(row) for row in (await connection.execute(query)).all()]


async def _ids(engine: AsyncEngine, query: Select[Any]) -> set[str]:
    return {str(row[0]) for row in await _rows(engine, query)}


def _sample(ids: Iterable[Any], n: int = 3) -> str:
    return ", ".join(sorted(str(i) for i in ids)[:n])


async def check(
    pipeline: FaultPipeline,
    accepted: set[str],
    truth: GroundTruth,
    poison: Sequence[Poison] = (),
) -> Findings:
    """Compare the drained pipeline with the ground truth of what was accepted."""
    found = Findings(accepted=len(accepted))
    await _check_facts(pipeline, accepted, truth, found)
    await _check_derived(pipeline, found)
    await _check_dead_letters(pipeline, poison, found)
    return found


async def _check_facts(
    pipeline: FaultPipeline, accepted: set[str], truth: GroundTruth, found: Findings
) -> None:
    learned = await _ids(pipeline.engine("learning"), select(learning.facts.c.event_id))
    claimed = await _ids(
        pipeline.engine("learning"),
        select(processed_events.c.event_id).where(processed_events.c.consumer == "learning"),
    )
    reported_rows = await _rows(
        pipeline.engine("reporting"),
        select(reporting.facts.c.event_id, reporting.facts.c.event_type),
    )
    reported = {str(event_id) for event_id, _ in reported_rows}
    missing = (accepted - learned) | (accepted - reported)
    found.lost = len(missing)
    found.extra = len((learned | reported) - accepted)
    if missing:
        found.problems.append(
            f"{len(accepted - learned)} accepted facts missing in learning, "
            f"{len(accepted - reported)} in reporting (e.g. {_sample(missing)})"
        )
    if found.extra:
        found.problems.append(f"{found.extra} facts in read models that were never accepted")
    if claimed != learned:
        found.problems.append(
            f"learning's ledger and facts differ: {len(claimed - learned)} claimed but not "
            f"stored, {len(learned - claimed)} stored but not claimed"
        )
    # Counted twice (or not at all) in the reporting cube, per fact type.
    stored_by_type = Counter(str(event_type) for _, event_type in reported_rows)
    cube_rows = await _rows(
        pipeline.engine("reporting"),
        select(reporting.cube.c.metric, func.sum(reporting.cube.c.count))
        .where(reporting.cube.c.metric.in_(list(COUNTED_AS.values())))
        .group_by(reporting.cube.c.metric),
    )
    counted = {str(metric): int(total) for metric, total in cube_rows}
    for event_type, metric in COUNTED_AS.items():
        difference = counted.get(metric, 0) - stored_by_type.get(event_type, 0)
        if difference > 0:
            found.duplicated += difference
        elif difference < 0:
            found.lost += -difference
        if difference:
            found.problems.append(
                f"cube counts {counted.get(metric, 0)} {event_type} for "
                f"{stored_by_type.get(event_type, 0)} facts"
            )
    # Everything the generator produced was accepted in the end, so the types must match too.
    if len(accepted) == truth.total_events:
        expected = {k: v for k, v in truth.events_by_type.items() if v}
        if dict(stored_by_type) != expected:
            found.problems.append(f"facts by type {dict(stored_by_type)} != truth {expected}")
    else:
        found.problems.append(f"only {len(accepted)} of {truth.total_events} events accepted")


async def _check_derived(pipeline: FaultPipeline, found: Findings) -> None:
    learning_db, reporting_db = pipeline.engine("learning"), pipeline.engine("reporting")
    # Outbox, then topics, then outbox again: the governance clock may add rows meanwhile.
    published = await _ids(
        learning_db, select(outbox.c.event_id).where(outbox.c.published_at.is_not(None))
    )
    topics = [topic_name(topic, pipeline.kafka) for topic in DERIVED_TOPICS]
    delivered = [json.loads(record.value)["id"] for record in await read_records(pipeline, topics)]
    stored = await _ids(learning_db, select(outbox.c.event_id))
    projected = await _ids(
        reporting_db,
        select(processed_events.c.event_id).where(processed_events.c.consumer == "reporting"),
    )
    on_topics = set(delivered)
    found.derived = len(stored)
    missing = published - (on_topics & projected)
    found.derived_missing = len(missing)
    found.duplicate_deliveries = len(delivered) - len(on_topics)
    if missing:
        found.problems.append(
            f"{len(published - on_topics)} published derived events not on their topics, "
            f"{len(published - projected)} not projected by reporting (e.g. {_sample(missing)})"
        )
    invented = on_topics - stored
    if invented:
        found.problems.append(f"{len(invented)} derived events on topics with no outbox row")
    for name, (learned_query, reported_query) in DERIVED_ENTITIES.items():
        learned = set(await _rows(learning_db, learned_query))
        reported = set(await _rows(reporting_db, reported_query))
        if learned != reported:
            found.derived_missing += len(learned - reported)
            found.problems.append(
                f"{name}: {len(learned)} in learning, {len(reported)} in reporting "
                f"({len(learned - reported)} missing, {len(reported - learned)} unknown)"
            )


async def _check_dead_letters(
    pipeline: FaultPipeline, poison: Sequence[Poison], found: Findings
) -> None:
    """Each consumer group that reads the fact topics parks each poison record exactly once,
    with its original bytes; nothing else is parked."""
    topics = [
        topic_name(topic.dead_letter(), pipeline.kafka) for topic in (*FACT_TOPICS, *DERIVED_TOPICS)
    ]
    parked = await read_records(pipeline, topics)
    groups = list(pipeline.groups.values())
    found.dead_letters_expected = len(poison) * len(groups)
    found.dead_letters_found = len(parked)
    expected = {(p.topic, p.partition, p.offset): p.value for p in poison}
    seen: Counter[tuple[str, str, int, int]] = Counter()
    for record in parked:
        headers = {key: value.decode() for key, value in record.headers}
        where = (
            headers.get("dlq-source-topic", "?"),
            int(headers.get("dlq-source-partition", "-1")),
            int(headers.get("dlq-source-offset", "-1")),
        )
        seen[(headers.get("dlq-consumer", "?"), *where)] += 1
        if where not in expected:
            found.problems.append(f"a valid or unknown record was dead-lettered: {where}")
        elif record.value != expected[where]:
            found.problems.append(f"dead letter {where} does not hold the original bytes")
    for group in groups:
        for where in expected:
            times = seen[(group, *where)]
            if times != 1:
                found.problems.append(f"{group} dead-lettered poison {where} {times} times")
