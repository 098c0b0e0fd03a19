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
def add_statement(table: Table) -> TextClause:
    """The unnest statement adding to cells; returns where the cells it left empty are.

    Only emptied cells come back (their ``ctid``: a row's place in the table, stable until the
    transaction ends since the statement holds its lock), so the few can be deleted by place.
    """
    adding = statement(table, "add", returning=False).text
    return text(
        f"WITH written AS ({adding} RETURNING ctid, count, total) "
        "SELECT ctid FROM written WHERE count = 0 AND total = 0"
    )


@cache
def delete_emptied_statement(table: Table) -> TextClause:
    """DELETE of the cells at the given places (``ctid``) whose count and total are zero.

    By place, not by key: a join of the keys with the table is planned from statistics that
    hardly ever see an empty cell, and the plan chosen scanned the table for each key.
    """
    return text(
        f"DELETE FROM {table.name} WHERE ctid = ANY(CAST(:places AS tid[])) "
        "AND count = 0 AND total = 0"
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


async def add(connection: AsyncConnection, table: Table, arrays: dict[str, list[Any]]) -> None:
    """Add ``count`` and ``total`` to cells (one list per column, no key twice), creating missing
    ones, and remove the cells left empty: two statements at most."""
    result = await connection.execute(add_statement(table), arrays)
    emptied = list(result.scalars().all())
    if emptied:
        await connection.execute(delete_emptied_statement(table), {"places": emptied})
