"""Reporting projection throughput: facts and derived events applied to the read models.

The workload is realistic: facts from the seedable generator (100 sites in 10 regions), the
derived events the learning service really derives from them (LearningPipeline on a scratch
SQLite database, read back from its outbox), plus what managers and the clock add later
(actions assigned, completed, reviewed and escalated, obligations overdue, lessons, outcomes).
Events are applied in consumption order: each learning batch's facts, then what it derived.

Figures:
- ``apply``: Projection.apply in batches of 1,000 on SQLite and on PostgreSQL, parsed events
  in memory (database work only) - the consumer's guarantees hold: one transaction per batch
  claiming the event ids in the idempotency ledger.
- ``parse``: parse_record over the records' bytes (contract validation), events/s on one core.
- ``kafka``: end to end through the broker - every event published to fresh topics first, then
  the service's BatchConsumer (parse, apply, commit offsets after the transaction) on
  PostgreSQL until every record is committed.
- ``redelivery``: the same batches again (all duplicates): what a replay costs.

``cpu_us_per_event`` is this process's CPU time (``time.process_time``) per event: on a machine
whose cores PostgreSQL and the broker share, the rates move with the load, this much less.

    python -m benchmarks.reporting_projection [--scale N] [--quick] [--skip-kafka]

``run(scale, quick)`` is what the benchmark runner calls; it creates and drops its own
PostgreSQL database and deletes the Kafka topics it creates.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import json
import os
import platform
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from sqlalchemy import func, select

from learnloop.generator import ScenarioConfig, generate
from learnloop.infra import postgres
from services.learning.domain.action_rules import load_action_rules
from services.learning.domain.rulebook import load_rulebook
from services.learning.pipeline import LearningPipeline
from services.reporting.adapters.tables import cube
from services.reporting.projection import Projection, ReportedEvent, parse_record
from shared.consuming import BatchConsumer
from shared.database import create_engine
from shared.events import EVENT_TYPES, AnyFactEvent
from shared.events.derived import (
    ActionChangeKind,
    ActionEscalated,
    ActionEscalation,
    ActionOpened,
    ActionReviewed,
    ActionStatus,
    ActionUpdate,
    ActionUpdated,
    EffectivenessReview,
    Lesson,
    LessonShared,
    ObligationFlagged,
    ObligationMet,
    ObligationOutcome,
    ObligationOverdue,
    OutcomePublished,
    ReporterOutcome,
    parse_derived_event,
)
from shared.events.fact_time import fact_time
from shared.migrate import upgrade
from shared.provisioning import admin_client, ensure_topics
from shared.publishing import record_for
from shared.settings import DatabaseSettings, KafkaSettings
from shared.tables import outbox
from shared.topics import DERIVED_TOPICS, FACT_TOPICS

RESULTS = Path(__file__).with_name("results")
STATE_DIR = Path(os.environ.get("LEARNLOOP_STATE_DIR", Path(__file__).parents[1] / ".learnloop"))
KAFKA_BOOTSTRAP = os.environ.get("LEARNLOOP_BENCH_KAFKA", "127.0.0.1:9092")
BATCH = 1000
FACTS_PER_SCALE = {False: 20_000, True: 4_000}  # by ``quick``
SOURCE = "/benchmarks/reporting"
ROLES = ("registered_manager", "deputy_manager", "clinical_lead", "quality_lead")


# --- the workload -------------------------------------------------------------------------


def _facts(count: int) -> list[AnyFactEvent]:
    """``count`` facts of a 100-site provider, in time order (enough months to have them)."""
    months = max(3, -(-count // 3_700))  # ~3,700 facts a month at 100 sites
    return list(generate(ScenarioConfig(seed=8, sites=100, regions=10, months=months)))[:count]


async def derive(facts: Sequence[AnyFactEvent], folder: Path) -> list[list[ReportedEvent]]:
    """Per learning batch: its facts, then the events learning derived from them (outbox order)."""
    engine = create_engine(DatabaseSettings(url=f"sqlite+aiosqlite:///{folder / 'learn.db'}"))
    try:
        await upgrade(engine, ("shared", "learning"))
        pipeline = LearningPipeline(
            engine=engine, rulebook=load_rulebook(), action_rules=load_action_rules(),
            kafka=KafkaSettings(),
        )  # fmt: skip
        chunks: list[list[ReportedEvent]] = []
        seen = 0
        for start in range(0, len(facts), BATCH):
            batch = list(facts[start : start + BATCH])
            await pipeline.apply(batch)
            async with engine.connect() as connection:
                rows = await connection.execute(
                    select(outbox.c.payload).order_by(outbox.c.id).offset(seen)
                )
                payloads = rows.scalars().all()
            seen += len(payloads)
            chunks.append([*batch, *(parse_derived_event(p) for p in payloads)])
        return chunks
    finally:
        await engine.dispose()


def _envelope(
    cls: Callable[..., ReportedEvent], like: ReportedEvent, data: Any, at: datetime
) -> ReportedEvent:
    return cls(source=SOURCE, providerid=like.providerid, siteid=like.siteid, region=like.region,
               time=at, data=data)  # fmt: skip


def _action_life(n: int, opened: ActionOpened, start: datetime) -> list[ReportedEvent]:
    """Every action is assigned two days after its fact (``start``); a third completed, reviewed
    (half effective: a lesson) and answered to its reporter; another third escalated."""
    action, change = opened.data.action_id, opened.data
    assigned = start + timedelta(days=2)
    events = [_envelope(ActionUpdated, opened, ActionUpdate(
        action_id=action, change=ActionChangeKind.ASSIGNED, at=assigned,
        status=ActionStatus.IN_PROGRESS, owner_role=ROLES[n % len(ROLES)]), assigned)]  # fmt: skip
    if n % 3 == 1:
        escalation = ActionEscalation(action_id=action, reason="overdue", due_at=change.due_at,
                                      escalated_at=assigned + timedelta(days=30))  # fmt: skip
        escalated = _envelope(ActionEscalated, opened, escalation, escalation.escalated_at)
        return [*events, escalated]
    if n % 3 == 2:
        return events
    done = assigned + timedelta(days=n % 40)
    verdict: Literal["verified_effective", "not_effective"] = (
        "verified_effective" if n % 2 == 0 else "not_effective"
    )
    events += [
        _envelope(ActionUpdated, opened, ActionUpdate(
            action_id=action, change=ActionChangeKind.COMPLETED, status=ActionStatus.COMPLETED,
            at=done), done),
        _envelope(ActionReviewed, opened, EffectivenessReview(
            action_id=action, verdict=verdict, theme_id=change.theme_id, window_days=60,
            events_before=4, events_after=1, reviewed_at=done + timedelta(days=60)),
            done + timedelta(days=60)),
        _envelope(OutcomePublished, opened, ReporterOutcome(
            source_event_id=change.source_event_id, action_id=action, action_title=change.title,
            status=ActionStatus.COMPLETED), done),
    ]  # fmt: skip
    if verdict == "verified_effective":
        events.append(_envelope(LessonShared, opened, Lesson(
            lesson_id=f"lesson-{action}", action_id=action, theme_id=change.theme_id,
            what_happened="Repeated falls at night", what_we_did="Sensor mats",
            evidence_of_effect="Falls at night fell from 4 to 1 in 60 days"),
            done + timedelta(days=60)))  # fmt: skip
    return events


def later_events(events: Sequence[ReportedEvent]) -> list[ReportedEvent]:
    """What managers and the clock add: updates, reviews, escalations, lessons, overdue."""
    happened = {e.id: fact_time(e) for e in events if e.type in EVENT_TYPES}  # type: ignore[arg-type]
    opened = [e for e in events if isinstance(e, ActionOpened)]
    added = [
        later
        for n, event in enumerate(opened)
        for later in _action_life(n, event, happened.get(event.data.source_event_id, event.time))
    ]
    met = {e.data.obligation_id for e in events if isinstance(e, ObligationMet)}
    for event in events:
        if isinstance(event, ObligationFlagged) and event.data.obligation_id not in met:
            flag = event.data
            outcome = ObligationOutcome(
                obligation_id=flag.obligation_id,
                kind=flag.kind,
                due_at=flag.due_at,
                source_event_id=flag.source_event_id,
            )
            late = flag.due_at + timedelta(hours=1)
            added.append(_envelope(ObligationOverdue, event, outcome, late))  # fmt: skip
    return added


async def workload(facts: int, folder: Path) -> tuple[list[list[ReportedEvent]], float]:
    """Batches of events in consumption order, and how long learning took to derive them."""
    started = time.perf_counter()
    chunks = await derive(_facts(facts), folder)
    learned_s = time.perf_counter() - started
    stream = [event for chunk in chunks for event in chunk]
    stream += later_events(stream)
    return [stream[i : i + BATCH] for i in range(0, len(stream), BATCH)], learned_s


# --- measurements --------------------------------------------------------------------------


async def _cube_rows(url: str) -> int:
    engine = create_engine(DatabaseSettings(url=url))
    try:
        async with engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(cube)) or 0)
    finally:
        await engine.dispose()


async def measure_apply(url: str, batches: Sequence[Sequence[ReportedEvent]]) -> dict[str, Any]:
    """Projection.apply over every batch, then the same batches again (all duplicates)."""
    engine = create_engine(DatabaseSettings(url=url))
    try:
        await upgrade(engine, ("shared", "reporting"))
        projection = Projection(engine)
        events = sum(len(batch) for batch in batches)
        started, cpu = time.perf_counter(), time.process_time()
        for batch in batches:
            await projection.apply(batch)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        again = time.perf_counter()
        for batch in batches:
            await projection.apply(batch)
        replay = time.perf_counter() - again
        assert projection.projected == events and projection.skipped == events
    finally:
        await engine.dispose()
    return {
        "events": events, "batches": len(batches), "seconds": round(elapsed, 2),
        "events_per_s": round(events / elapsed), "redelivery_events_per_s": round(events / replay),
        "cpu_us_per_event": round(cpu / events * 1e6, 1), "cube_rows": await _cube_rows(url),
    }  # fmt: skip


def _record(value: bytes) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord("t", 0, 0, 0, 0, None, value, None, 0, len(value), ())


def measure_parse(batches: Sequence[Sequence[ReportedEvent]]) -> dict[str, Any]:
    """parse_record over the events' JSON (what the consumer does before the handler)."""
    records = [_record(event.to_json_bytes()) for batch in batches for event in batch]
    started, cpu = time.perf_counter(), time.process_time()
    for record in records:
        parse_record(record)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "events": len(records), "events_per_s": round(len(records) / elapsed),
        "cpu_us_per_event": round(cpu / len(records) * 1e6, 1),
    }  # fmt: skip


async def _publish(kafka: KafkaSettings, batches: Sequence[Sequence[ReportedEvent]]) -> int:
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka.bootstrap_servers, acks="all", linger_ms=20,
        max_batch_size=256 * 1024, compression_type=None,
    )  # fmt: skip
    await producer.start()
    sent = 0
    try:
        for batch in batches:
            futures = []
            for event in batch:
                record = record_for(event, kafka)
                futures.append(await producer.send(record.topic, record.value, key=record.key))
            await asyncio.gather(*futures)
            sent += len(futures)
    finally:
        await producer.stop()
    return sent


async def _delete_topics(kafka: KafkaSettings) -> None:
    admin = admin_client(kafka)
    await admin.start()
    try:
        names = [t for t in await admin.list_topics() if t.startswith(kafka.topic_prefix + ".")]
        if names:
            await admin.delete_topics(names)
    finally:
        await admin.close()


async def measure_kafka(url: str, batches: Sequence[Sequence[ReportedEvent]]) -> dict[str, Any]:
    """Publish everything, then time the service's consumer until every record is committed."""
    kafka = KafkaSettings(
        bootstrap_servers=KAFKA_BOOTSTRAP, topic_prefix=f"bench-rp-{uuid.uuid4().hex[:10]}"
    )
    engine = create_engine(DatabaseSettings(url=url))
    try:
        await ensure_topics(kafka, topics=(*FACT_TOPICS, *DERIVED_TOPICS), replication_factor=1)
        total = await _publish(kafka, batches)
        await upgrade(engine, ("shared", "reporting"))
        projection = Projection(engine)
        first: list[float] = []  # when the first batch arrived: wall clock, process CPU

        async def handle(batch: Sequence[Any]) -> None:
            if not first:
                first.extend((time.perf_counter(), time.process_time()))
            await projection.handle(batch)

        consumer = BatchConsumer(
            kafka, group_id=f"{kafka.topic_prefix}-reporting",
            topics=[t.full_name(kafka.topic_prefix) for t in (*FACT_TOPICS, *DERIVED_TOPICS)],
            parse=parse_record, handle=handle, max_records=BATCH,
        )  # fmt: skip
        await consumer.start()
        started = time.perf_counter()
        task = asyncio.create_task(consumer.run())
        try:
            while consumer.stats.records < total:
                if task.done():
                    task.result()
                await asyncio.sleep(0.05)
            finished, cpu = time.perf_counter(), time.process_time()
        finally:
            await consumer.stop()
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        assert projection.projected == total, (projection.projected, total)
        consuming = finished - first[0]
        return {
            "events": total, "batches": consumer.stats.batches,
            "seconds_from_first_batch": round(consuming, 2),
            "events_per_s": round(total / consuming),
            # This process's CPU from the first batch on (parse, apply, the Kafka client), per
            # event: the broker and PostgreSQL share the machine's cores on top of it.
            "cpu_us_per_event": round((cpu - first[1]) / total * 1e6, 1),
            "seconds_with_group_join": round(finished - started, 2),
        }  # fmt: skip
    finally:
        await engine.dispose()
        await _delete_topics(kafka)


@asynccontextmanager
async def scratch_postgres(label: str) -> AsyncIterator[str]:
    """A new empty PostgreSQL database on the project's server, dropped afterwards."""
    server = postgres.server(STATE_DIR)
    admin_dsn = server.url("learnloop").replace("+asyncpg", "")
    name = f"bench_rp_{label}_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    try:
        yield server.url(name)
    finally:
        connection = await asyncpg.connect(admin_dsn)
        try:
            await postgres.drop_database(connection, name)
        finally:
            await connection.close()


async def run(scale: int = 1, quick: bool = False, *, kafka: bool = True) -> dict[str, object]:
    """Every figure of this benchmark at ``scale`` (1x: 20,000 facts; quick: 4,000)."""
    facts = FACTS_PER_SCALE[quick] * scale
    results: dict[str, object] = {"scale": scale, "quick": quick, "facts": facts, "batch": BATCH}
    with tempfile.TemporaryDirectory() as folder:
        batches, learned_s = await workload(facts, Path(folder))
        mix = collections.Counter(event.type for batch in batches for event in batch)
        results["events"] = sum(mix.values())
        results["mix"] = dict(mix.most_common())
        results["derive_seconds"] = round(learned_s, 1)
        # The service holds one batch at a time, this benchmark every batch: keep the resident
        # workload out of the garbage collector's scans, as the service keeps its start-up.
        gc.collect()
        gc.freeze()
        try:
            results["parse"] = measure_parse(batches)
            sqlite_url = f"sqlite+aiosqlite:///{folder}/r.db"
            results["sqlite"] = await measure_apply(sqlite_url, batches)
            async with scratch_postgres("apply") as url:
                results["postgresql"] = await measure_apply(url, batches)
            if kafka:
                async with scratch_postgres("kafka") as url:
                    results["kafka_postgresql"] = await measure_kafka(url, batches)
        finally:
            gc.unfreeze()
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-kafka", action="store_true")
    args = parser.parse_args()
    results = await run(args.scale, args.quick, kafka=not args.skip_kafka)
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    RESULTS.mkdir(exist_ok=True)
    name = f"reporting_projection{'_quick' if args.quick else ''}_x{args.scale}.json"
    (RESULTS / name).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
