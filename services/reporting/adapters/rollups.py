"""Rollups counted from scratch: the per-region cube and the tallies, from the stored rows.

The projection keeps the rollups up to date batch by batch; this recounts them from the cube and
the action, obligation, alert and lesson rows - for a database migrated from before the rollups
existed, for loading benchmark data, and for tests that check the two agree. Synchronous, so a
migration can call it; async code runs it with ``AsyncConnection.run_sync``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    bindparam,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from services.reporting.adapters.cells import ALL_REGIONS
from services.reporting.adapters.records import completion_columns, to_record
from services.reporting.adapters.rows import aware, chunks
from services.reporting.adapters.tables import (
    actions,
    alerts,
    cube,
    cube_regions,
    lessons,
    obligations,
    tallies,
    tallies_regions,
)
from services.reporting.domain.actions import ActionRecord
from services.reporting.domain.obligations import ObligationRecord
from services.reporting.domain.periods import month_of
from services.reporting.domain.tallies import (
    ALERTS_RAISED,
    LESSONS_SHARED,
    Tally,
    action_tallies,
    obligation_tallies,
)

STREAM = 10_000
CellCounts = dict[tuple[str, str, str, str, str, str], int]


def refresh_rollups(connection: Connection) -> dict[str, int]:
    """Recount every rollup (and the actions' completion columns) from the stored rows;
    returns rows per rollup table."""
    for table in (cube_regions, tallies, tallies_regions):
        connection.execute(delete(table))
    _sum_by_region(connection, cube, cube_regions)
    counts: CellCounts = {}
    stale: list[dict[str, Any]] = []

    def action(row: dict[str, Any]) -> list[Tally]:
        record = to_record(ActionRecord, row)
        derived = completion_columns(record)
        if any(row[name] != value for name, value in derived.items()):
            stale.append({"b_id": record.action_id, **{f"b_{k}": v for k, v in derived.items()}})
        return action_tallies(record)

    _count(connection, actions, counts, action)
    for part in chunks(stale, 2_000):
        connection.execute(
            update(actions)
            .where(actions.c.action_id == bindparam("b_id"))
            .values(completion_us=bindparam("b_completion_us"),
                    completion_day=bindparam("b_completion_day")),
            list(part),
        )  # fmt: skip
    _count(connection, obligations, counts,
           lambda row: obligation_tallies(to_record(ObligationRecord, row)))  # fmt: skip
    _count(connection, alerts, counts,
           lambda row: [(month_of(aware(row["raised_at"])), ALERTS_RAISED, "")])  # fmt: skip
    _count(connection, lessons, counts,
           lambda row: [(month_of(aware(row["shared_at"])), LESSONS_SHARED, "")])  # fmt: skip
    names = [column.name for column in tallies.primary_key.columns]
    rows = [{**dict(zip(names, key, strict=True)), "count": n, "total": 0}
            for key, n in sorted(counts.items()) if n]  # fmt: skip
    for part in chunks(rows, 2_000):
        connection.execute(insert(tallies), list(part))
    _sum_by_region(connection, tallies, tallies_regions)
    return {
        table.name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
        for table in (cube_regions, tallies, tallies_regions)
    }


def _count(
    connection: Connection, table: Table, counts: CellCounts,
    tallied: Callable[[dict[str, Any]], Iterable[Tally]],
) -> None:  # fmt: skip
    result = connection.execute(select(table).execution_options(yield_per=STREAM))
    for row in result.mappings():
        values = dict(row)
        place = (values["provider_id"], values["region"], values["site_id"])
        for month, metric, dimension in tallied(values):
            key = (*place, month, metric, dimension)
            counts[key] = counts.get(key, 0) + 1


def _sum_by_region(connection: Connection, source: Table, target: Table) -> None:
    """Per region, then for the whole provider (region ``*``)."""
    columns = ["provider_id", "region", "month", "metric", "dimension", "count", "total"]
    for region in (source.c.region, literal(ALL_REGIONS)):
        keys = [source.c.provider_id, source.c.month, source.c.metric, source.c.dimension]
        grouped = [*keys, source.c.region] if region is source.c.region else keys
        summed = (
            select(source.c.provider_id, region, source.c.month, source.c.metric,
                   source.c.dimension, func.sum(source.c.count), func.sum(source.c.total))
            .group_by(*grouped)
            .having(or_(func.sum(source.c.count) != 0, func.sum(source.c.total) != 0))
        )  # fmt: skip
        connection.execute(insert(target).from_select(columns, summed))
