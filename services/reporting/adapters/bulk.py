"""PostgreSQL bulk writes: one ``INSERT ... SELECT FROM unnest(arrays)`` per table and batch.

A batch of rows travels as one array per column, so the server parses and plans one statement
and the driver encodes arrays in C: far cheaper than a statement per row (executemany) or a
VALUES list with thousands of parameters. SQLite, in-process, keeps SQLAlchemy's executemany.

Text, integer and boolean columns - most of what a batch sends - travel as one array literal
(``{"a","b"}``, ``{1,NULL}``) that the server casts: built with a few string operations over the
whole column, where the driver checks each element of a list against ``collections.abc`` in
Python (a quarter of the projection's CPU went to encoding arrays). Timestamps stay binary.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, Literal, cast

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
    sql = (
        f"INSERT INTO {table.name} ({', '.join(_quoted(n) for n in names)}) "
        f"SELECT * FROM unnest({_arrays(table)}) {_on_conflict(table, conflict)}"
    )
    if returning:
        keys = [column.name for column in table.primary_key.columns]
        sql += " RETURNING " + ", ".join(_quoted(k) for k in keys)
    return text(sql)


def _arrays(table: Table) -> str:
    """One array parameter per column, named after it (most as an array literal, see LITERALS)."""
    return ", ".join(_array(c) for c in table.columns)


def _array(column: Column[Any]) -> str:
    kind = array_type(column)
    if kind in LITERALS:
        return f"CAST(CAST(:{column.name} AS text) AS {kind})"
    return f"CAST(:{column.name} AS {kind})"


def text_array(values: Sequence[str | None]) -> str:
    """``values`` as a PostgreSQL array literal: every element quoted (backslashes and double
    quotes escaped), ``None`` as NULL."""
    if None in values:
        return "{" + ",".join("NULL" if v is None else f'"{_escaped(v)}"' for v in values) + "}"
    if not values:
        return "{}"
    # Whole column at once: joined by NUL (text cannot hold one), escaped, then split by quotes.
    joined = "\x00".join(cast(Sequence[str], values))
    if joined.count("\x00") != len(values) - 1:
        raise ValueError("text cannot contain NUL characters")
    return '{"' + _escaped(joined).replace("\x00", '","') + '"}'


def _escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def int_array(values: Sequence[int | None]) -> str:
    """``values`` as a PostgreSQL array literal of integers, ``None`` as NULL."""
    if not set(map(type, values)) <= _INT_OR_NONE:
        values = [None if v is None else operator.index(v) for v in values]  # bool, IntEnum
    return "{" + ",".join(map(str, values)).replace("None", "NULL") + "}"


def bool_array(values: Sequence[bool | None]) -> str:
    """``values`` as a PostgreSQL array literal of booleans, ``None`` as NULL."""
    return "{" + ",".join(_BOOLEANS[v] for v in values) + "}"


_INT_OR_NONE = frozenset({int, type(None)})
_BOOLEANS = {True: "t", False: "f", None: "NULL"}
LITERALS: dict[str, Callable[[Any], str]] = {
    "text[]": text_array, "bigint[]": int_array, "integer[]": int_array, "boolean[]": bool_array,
}  # fmt: skip
"""Array types sent as one literal (text the server casts), and how to write it."""


def encode_literals(table: Table, arrays: dict[str, Any]) -> None:
    """Turn ``arrays``' lists into the array literals :func:`_arrays` expects for them."""
    for name, encode in _literal_columns(table):
        arrays[name] = encode(arrays[name])


@cache
def _literal_columns(table: Table) -> tuple[tuple[str, Callable[[Any], str]], ...]:
    kinds = ((c.name, array_type(c)) for c in table.columns)
    return tuple((name, LITERALS[kind]) for name, kind in kinds if kind in LITERALS)


def _on_conflict(table: Table, conflict: Conflict) -> str:
    """What a row whose key is stored already does: nothing, replace, or add to the counters."""
    keys = [column.name for column in table.primary_key.columns]
    if conflict == "ignore":
        action = "DO NOTHING"
    elif conflict == "replace":
        values = [c.name for c in table.columns if c.name not in keys]
        action = "DO UPDATE SET " + ", ".join(
            f"{_quoted(n)} = excluded.{_quoted(n)}" for n in values
        )
    else:
        added = [
            f"{_quoted(n)} = {table.name}.{_quoted(n)} + excluded.{_quoted(n)}" for n in COUNTERS
        ]
        action = "DO UPDATE SET " + ", ".join(added)
    return f"ON CONFLICT ({', '.join(_quoted(k) for k in keys)}) {action}"


@cache
def add_rolled_up_statement(table: Table, rollup: Table, everywhere: str) -> TextClause:
    """Adding to per-site cells and, summed in the same statement, to their per-region rollup
    (each cell's region and ``everywhere``); returns where the cells it left empty are.

    Only emptied cells come back - whether in the rollup, and their ``ctid`` (a row's place in
    its table, stable until the transaction ends since the statement holds its lock) - so the
    few can be deleted by place. Rollup rows are written in key order, as the cells are.
    """
    names = ", ".join(_quoted(c.name) for c in table.columns)
    rolled_up = ", ".join(_quoted(c.name) for c in rollup.columns)
    keys = [c.name for c in rollup.primary_key.columns]
    grouped = ", ".join("r.region" if k == "region" else f"c.{_quoted(k)}" for k in keys)
    ordered = ", ".join(
        f'{"r.region" if k == "region" else f"c.{_quoted(k)}"} COLLATE "C"' for k in keys
    )
    return text(
        f"WITH cells AS (SELECT * FROM unnest({_arrays(table)}) AS c({names})), "
        f"sites AS (INSERT INTO {table.name} ({names}) SELECT * FROM cells "
        f"{_on_conflict(table, 'add')} RETURNING ctid, count, total), "
        f"regions AS (INSERT INTO {rollup.name} ({rolled_up}) "
        f"SELECT {grouped}, sum(c.count), sum(c.total) FROM cells AS c "
        f"CROSS JOIN LATERAL (VALUES (c.region), ('{everywhere}')) AS r(region) "
        f"GROUP BY {grouped} HAVING sum(c.count) <> 0 OR sum(c.total) <> 0 ORDER BY {ordered} "
        f"{_on_conflict(rollup, 'add')} RETURNING ctid, count, total) "
        "SELECT false, ctid FROM sites WHERE count = 0 AND total = 0 "
        "UNION ALL SELECT true, ctid FROM regions WHERE count = 0 AND total = 0"
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
    encode_literals(table, arrays)
    result = await connection.execute(statement(table, conflict, returning), arrays)
    return [tuple(row) for row in result.all()] if returning else []


async def add_rolled_up(
    connection: AsyncConnection,
    table: Table,
    rollup: Table,
    arrays: dict[str, list[Any]],
    everywhere: str,
) -> None:
    """Add ``count`` and ``total`` to per-site cells (one list per column, no key twice) and to
    their per-region rollup, creating missing cells and removing those left empty."""
    encode_literals(table, arrays)
    result = await connection.execute(add_rolled_up_statement(table, rollup, everywhere), arrays)
    emptied: dict[bool, list[Any]] = {False: [], True: []}
    for in_rollup, place in result.all():
        emptied[in_rollup].append(place)
    for target, places in ((table, emptied[False]), (rollup, emptied[True])):
        if places:
            await connection.execute(delete_emptied_statement(target), {"places": places})
