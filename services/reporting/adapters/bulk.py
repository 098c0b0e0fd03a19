"""PostgreSQL bulk writes: one ``INSERT ... SELECT FROM unnest(arrays)`` per table and batch.

A batch of rows travels as one array per column, so the server parses and plans one statement
and the driver encodes arrays in C: far cheaper than a statement per row (executemany) or a
VALUES list with thousands of parameters. SQLite, in-process, keeps SQLAlchemy's executemany.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, Literal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    TextClause,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection

Conflict = Literal["ignore", "replace", "add"]
COUNTERS = ("count", "total")  # columns that "add" increments


def array_type(column: Column[Any]) -> str:
    """The PostgreSQL array type a column's values travel in."""
    kind = column.type
    for python_type, name in (
        (BigInteger, "bigint[]"), (Integer, "integer[]"), (Float, "float8[]"),
        (Boolean, "boolean[]"), (String, "text[]"),
    ):  # fmt: skip
        if isinstance(kind, python_type):
            return name
    if isinstance(kind, DateTime):
        return "timestamptz[]" if kind.timezone else "timestamp[]"
    if isinstance(kind, JSON):
        return "json[]"  # elements sent as JSON text, as SQLAlchemy's JSON type would
    raise TypeError(f"no array type for column {column.name} ({kind})")


@cache
def statement(table: Table, conflict: Conflict, returning: bool) -> TextClause:
    """The unnest statement for ``table``; parameters are named after the columns."""
    names = [column.name for column in table.columns]
    keys = [column.name for column in table.primary_key.columns]
    arrays = ", ".join(f"CAST(:{name} AS {array_type(table.c[name])})" for name in names)
    sql = (
        f"INSERT INTO {table.name} ({', '.join(_quoted(n) for n in names)}) "
        f"SELECT * FROM unnest({arrays}) ON CONFLICT ({', '.join(_quoted(k) for k in keys)}) "
    )
    if conflict == "ignore":
        sql += "DO NOTHING"
    elif conflict == "replace":
        sql += "DO UPDATE SET " + ", ".join(
            f"{_quoted(n)} = excluded.{_quoted(n)}" for n in names if n not in keys
        )
    else:
        sql += "DO UPDATE SET " + ", ".join(
            f"{_quoted(n)} = {table.name}.{_quoted(n)} + excluded.{_quoted(n)}" for n in COUNTERS
        )
    if returning:
        sql += " RETURNING " + ", ".join(_quoted(k) for k in keys)
    return text(sql)


@cache
def delete_emptied_statement(table: Table) -> TextClause:
    """DELETE of the cells among the given keys whose count and total are both zero."""
    keys = [column.name for column in table.primary_key.columns]
    arrays = ", ".join(f"CAST(:{name} AS {array_type(table.c[name])})" for name in keys)
    matched = " AND ".join(f"t.{_quoted(n)} = e.{_quoted(n)}" for n in keys)
    return text(
        f"DELETE FROM {table.name} AS t USING unnest({arrays}) AS e({', '.join(keys)}) "
        f"WHERE {matched} AND t.count = 0 AND t.total = 0"
    )


def _quoted(name: str) -> str:
    return f'"{name}"'


async def write(
    connection: AsyncConnection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    conflict: Conflict,
    returning: bool = False,
) -> list[tuple[Any, ...]]:
    """Write ``rows`` (no key twice) in one statement; the keys written when ``returning``."""
    if not rows:
        return []
    arrays = {column.name: [row[column.name] for row in rows] for column in table.columns}
    return await write_arrays(connection, table, arrays, conflict=conflict, returning=returning)


async def write_arrays(
    connection: AsyncConnection,
    table: Table,
    arrays: dict[str, list[Any]],
    *,
    conflict: Conflict,
    returning: bool = False,
) -> list[tuple[Any, ...]]:
    """Like :func:`write`, the rows given as one list per column."""
    for column in table.columns:
        if isinstance(column.type, JSON):
            arrays[column.name] = [json.dumps(value) for value in arrays[column.name]]
    result = await connection.execute(statement(table, conflict, returning), arrays)
    return [tuple(row) for row in result.all()] if returning else []


async def delete_emptied(
    connection: AsyncConnection, table: Table, arrays: dict[str, list[Any]]
) -> None:
    """Remove, among the cells keyed by ``arrays`` (one list per key column), the empty ones."""
    await connection.execute(delete_emptied_statement(table), arrays)
