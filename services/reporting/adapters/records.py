"""Loading and saving improvement action and obligation rows as domain records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from typing import Any, TypeVar

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.adapters.rows import among, aware, upsert
from services.reporting.adapters.tables import actions, obligations
from services.reporting.domain.actions import ActionRecord
from services.reporting.domain.obligations import ObligationRecord
from services.reporting.domain.tallies import completion_day, completion_microseconds

RecordT = TypeVar("RecordT", ActionRecord, ObligationRecord)
# Each record's fields, listed once (``dataclasses.fields`` cost more than the record's own work).
FIELDS = {cls: tuple(f.name for f in fields(cls)) for cls in (ActionRecord, ObligationRecord)}


def to_record(cls: type[RecordT], row: Any) -> RecordT:
    """A row (mapping) as a record, datetimes made timezone-aware."""
    return cls(**{name: aware(row[name]) for name in FIELDS[cls]})


async def _load(
    connection: AsyncConnection, table: Table, cls: type[RecordT], ids: Iterable[str]
) -> dict[str, RecordT]:
    key = table.primary_key.columns.values()[0]
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await connection.execute(
        select(table).where(among(key, wanted, connection.dialect.name))
    )
    return {row[key.name]: to_record(cls, row) for row in rows.mappings().all()}


async def load_actions(connection: AsyncConnection, ids: Iterable[str]) -> dict[str, ActionRecord]:
    """The stored actions among ``ids``."""
    return await _load(connection, actions, ActionRecord, ids)


async def load_obligations(
    connection: AsyncConnection, ids: Iterable[str]
) -> dict[str, ObligationRecord]:
    """The stored obligations among ``ids``."""
    return await _load(connection, obligations, ObligationRecord, ids)


async def save(
    connection: AsyncConnection, records: Sequence[ActionRecord] | Sequence[ObligationRecord]
) -> None:
    """Write records back (insert or replace)."""
    if not records:
        return
    if isinstance(records[0], ActionRecord):
        rows = [
            {**vars(r), **completion_columns(r)} for r in records if isinstance(r, ActionRecord)
        ]
        await upsert(connection, actions, rows)
    else:
        await upsert(connection, obligations, [dict(vars(record)) for record in records])


def completion_columns(record: ActionRecord) -> dict[str, int | None]:
    """The derived columns the medians read."""
    micros = completion_microseconds(record)
    return {
        "completion_us": micros,
        "completion_day": completion_day(micros) if micros is not None else None,
    }
