"""Writing rows on PostgreSQL and SQLite alike: upserts, cube increments, aware datetimes.

Every writer is set-based: PostgreSQL gets one unnest statement per table and batch
(:mod:`services.reporting.adapters.bulk`), SQLite an executemany in chunks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Table, bindparam, delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.adapters import bulk
from services.reporting.adapters.tables import cube

CHUNK = 500


class CubeKey(NamedTuple):
    """One cell of the monthly cube (a tuple: cheap to hash, compare and sort)."""

    provider_id: str
    region: str
    site_id: str
    month: str
    metric: str
    dimension: str


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    """``items`` in slices of at most ``size`` (bounded IN lists and statements)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert(table: Table, dialect: str) -> Any:
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
    statement = _insert(table, connection.dialect.name)
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
    statement = _insert(table, connection.dialect.name).on_conflict_do_nothing().returning(*keys)
    inserted: set[tuple[Any, ...]] = set()
    for part in chunks(list(rows)):
        result = await connection.execute(statement, list(part))
        inserted.update(tuple(row) for row in result.all())
    return inserted


async def add_to_cube(
    connection: AsyncConnection, deltas: Mapping[CubeKey, tuple[int, int]]
) -> None:
    """Add (count, total) to cube cells, creating missing ones and removing emptied ones.

    Cells are written in key order, so concurrent writers lock rows in the same order.
    """
    cells = sorted((key, count, total) for key, (count, total) in deltas.items() if count or total)
    if not cells:
        return
    if connection.dialect.name == "postgresql":
        columns = list(zip(*(key for key, _, _ in cells), strict=True))
        arrays: dict[str, list[Any]] = dict(zip(CubeKey._fields, map(list, columns), strict=True))
        arrays["count"] = [count for _, count, _ in cells]
        arrays["total"] = [total for _, _, total in cells]
        await bulk.write_arrays(connection, cube, arrays, conflict="add")
    else:
        rows = [{**key._asdict(), "count": count, "total": total} for key, count, total in cells]
        await _add_in_chunks(connection, rows)
    emptied = [key for key, count, _ in cells if count < 0]  # cells a placement moved away from
    if emptied:
        await connection.execute(
            delete(cube).where(
                *(cube.c[name] == bindparam(f"b_{name}") for name in CubeKey._fields),
                cube.c.count == 0,
                cube.c.total == 0,
            ),
            [{f"b_{name}": value for name, value in key._asdict().items()} for key in emptied],
        )


async def _add_in_chunks(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    statement = _insert(cube, connection.dialect.name)
    statement = statement.on_conflict_do_update(
        index_elements=[column.name for column in cube.primary_key.columns],
        set_={
            "count": cube.c.count + statement.excluded["count"],
            "total": cube.c.total + statement.excluded["total"],
        },
    )
    for part in chunks(rows):
        await connection.execute(statement, list(part))


def aware(value: Any) -> Any:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def aware_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as a dict with every datetime timezone-aware."""
    return {key: aware(value) for key, value in row.items()}
