"""Rebuild: fresh reporting tables, then every topic replayed from the start by a new group.

The reporting branch is migrated down and up again and the ledger rows of consumer
``reporting`` are cleared; a new consumer group (``<group>-rebuild-<time>-<nonce>``) is recorded
as the active one - so ``serve`` resumes from it, even after an interrupted rebuild - and the
projection runs until the group has committed up to the end offsets seen when it started.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

from aiokafka import TopicPartition
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.reporting.adapters import state
from services.reporting.adapters.tables import metadata
from services.reporting.app import prepare, running
from services.reporting.projection import CONSUMER
from services.reporting.runtime import Clock, ReportingRuntime, utc_now
from services.reporting.settings import ReportingSettings
from shared.database import create_engine
from shared.migrate import downgrade, upgrade
from shared.tables import processed_events


class RebuildTimeout(TimeoutError):
    """The replay did not catch up in time."""


@dataclass(frozen=True)
class RebuildReport:
    """What a rebuild did."""

    group_id: str
    events_projected: int
    duplicates_skipped: int
    dead_letters: int
    rows: dict[str, int]
    seconds: float


async def reset(
    settings: ReportingSettings, engine: AsyncEngine, group_id: str, clock: Clock
) -> None:
    """Drop and recreate the reporting tables, forget what was projected, record the group."""
    await upgrade(engine, ("shared", "reporting"))  # so there is something to migrate down
    await downgrade(engine, "reporting@base")
    async with engine.begin() as connection:
        await connection.execute(
            delete(processed_events).where(processed_events.c.consumer == CONSUMER)
        )
    await prepare(settings, engine)
    async with engine.begin() as connection:
        await state.set_active_group(connection, group_id, clock())


Offsets = dict[TopicPartition, int]


async def caught_up(runtime: ReportingRuntime, ends: Offsets, starts: Offsets) -> bool:
    """True once the group committed every partition up to ``ends``."""
    committed = await runtime.probe.committed(runtime.group_id)
    return all(committed.get(tp, starts.get(tp, 0)) >= end for tp, end in ends.items())


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    """Rows in each reporting table."""
    async with engine.connect() as connection:
        return {
            table.name: int(await connection.scalar(select(func.count()).select_from(table)) or 0)
            for table in metadata.sorted_tables
        }


async def rebuild(
    settings: ReportingSettings, *, timeout_s: float = 3600.0, clock: Clock = utc_now
) -> RebuildReport:
    """Recreate the read models from the topics; returns counts once caught up."""
    started = time.monotonic()
    group_id = (
        f"{settings.reporting.group_id}-rebuild-{clock():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    )
    engine = create_engine(settings.database)
    try:
        await reset(settings, engine, group_id, clock)
    finally:
        await engine.dispose()
    async with running(settings, clock=clock) as runtime:
        ends = await runtime.probe.end_offsets()
        starts = await runtime.probe.beginning_offsets()
        while not await caught_up(runtime, ends, starts):
            if time.monotonic() - started > timeout_s:
                raise RebuildTimeout(f"not caught up after {timeout_s:.0f} s")
            await asyncio.sleep(0.5)
        report = RebuildReport(
            group_id=runtime.group_id,
            events_projected=runtime.projection.projected,
            duplicates_skipped=runtime.projection.skipped,
            dead_letters=runtime.consumer.stats.dead_lettered,
            rows=await row_counts(runtime.engine),
            seconds=round(time.monotonic() - started, 1),
        )
    return report
