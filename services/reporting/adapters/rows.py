"""Writing rows on PostgreSQL and SQLite alike: upserts, new rows only, aware datetimes.

Every writer is set-based: PostgreSQL gets one unnest statement per table and batch
(:mod:`services.reporting.adapters.bulk`), SQLite an executemany in chunks.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, String, Table, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.adapters import bulk

CHUNK = 500


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    """``items`` in slices of at most ``size`` (bounded IN lists and statements)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def among(column: ColumnElement[str], values: Collection[str], dialect: str) -> ColumnElement[bool]:
    """``column`` is one of ``values``, bound as one parameter: a text array on PostgreSQL, a
    JSON list on SQLite. The statement reads the same whatever the number of values, so it is
    compiled and prepared once (an IN list is rendered, parsed and planned anew for each length)
    and needs no chunking. On PostgreSQL, a join with the unnested array: the generic plan a
    prepared ``= ANY(array)`` soon gets was seen scanning the whole table."""
    if dialect == "postgresql":
        listed = func.unnest(bindparam("among", list(values), type_=ARRAY(String), unique=True))
        return column.in_(select(listed))
    listed = func.json_each(bindparam("among", json.dumps(list(values)), unique=True))
    return column.in_(select(listed.table_valued("value").c.value))


def insert_for(table: Table, dialect: str) -> Any:
    """The dialect's INSERT (with ON CONFLICT clauses)."""
    return postgresql_insert(table) if dialect == "postgresql" else sqlite_insert(table)


async def upsert(
    connection: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert rows (every column, no key twice), replacing those whose primary key exists."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        await bulk.write(connection, table, rows, conflict="replace")
        return
    statement = insert_for(table, connection.dialect.name)
    keys = [column.name for column in table.primary_key.columns]
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys},
    )
    for part in chunks(list(rows)):
        await connection.execute(statement, list(part))


async def insert_new(
    connection: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> set[tuple[Any, ...]]:
    """Insert rows whose primary key is not stored yet; returns the keys inserted.

    One multi-row ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` per chunk; ``rows`` must
    not repeat a key.
    """
    if not rows:
        return set()
    if connection.dialect.name == "postgresql":
        return set(await bulk.write(connection, table, rows, conflict="ignore", returning=True))
    keys = list(table.primary_key.columns)
    statement = insert_for(table, connection.dialect.name).on_conflict_do_nothing().returning(*keys)
    inserted: set[tuple[Any, ...]] = set()
    for part in chunks(list(rows)):
        result = await connection.execute(statement, list(part))
        inserted.update(tuple(row) for row in result.all())
    return inserted


def aware(value: Any) -> Any:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
