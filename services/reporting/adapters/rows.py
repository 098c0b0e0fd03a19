"""Writing rows on PostgreSQL and SQLite alike: upserts, cube increments, aware datetimes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.adapters.tables import cube

CHUNK = 500


@dataclass(frozen=True, order=True)
class CubeKey:
    """One cell of the monthly cube."""

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
    """Insert rows, replacing every non-key column of rows whose primary key exists."""
    if not rows:
        return
    statement = _insert(table, connection.dialect.name)
    keys = [column.name for column in table.primary_key.columns]
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys},
    )
    for part in chunks(list(rows)):
        await connection.execute(statement, list(part))


async def add_to_cube(
    connection: AsyncConnection, deltas: Mapping[CubeKey, tuple[int, int]]
) -> None:
    """Add (count, total) to cube cells, creating missing ones and removing emptied ones."""
    rows = [
        {**key.__dict__, "count": count, "total": total}
        for key, (count, total) in sorted(deltas.items())
        if count or total
    ]
    if not rows:
        return
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
    emptied = [row for row in rows if row["count"] < 0]  # cells a placement moved away from
    if emptied:
        keys = [column.name for column in cube.primary_key.columns]
        await connection.execute(
            delete(cube).where(
                *(cube.c[name] == bindparam(f"b_{name}") for name in keys),
                cube.c.count == 0,
                cube.c.total == 0,
            ),
            [{f"b_{name}": row[name] for name in keys} for row in emptied],
        )


def aware(value: Any) -> Any:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def aware_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as a dict with every datetime timezone-aware."""
    return {key: aware(value) for key, value in row.items()}
