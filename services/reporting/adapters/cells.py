"""Adding to monthly cells - the cube and the tallies - and to their per-region rollups.

A batch sums its increments in memory (:class:`BatchCounts`) and writes each table once: the
per-site cells, then the same increments summed per region (on PostgreSQL, summed by the server in
the statement that adds to the cells). Cells that drop to zero are removed, so the tables hold
what counting from scratch would give (see ``refresh``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.adapters import bulk
from services.reporting.adapters.tables import cube, cube_regions, tallies, tallies_regions

ROLLUPS = {cube.name: cube_regions, tallies.name: tallies_regions}
ALL_REGIONS = "*"  # the region of the provider-wide sums in the per-region tables


class CubeKey(NamedTuple):
    """One monthly cell of a site (a tuple: cheap to hash, compare and sort)."""

    provider_id: str
    region: str
    site_id: str
    month: str
    metric: str
    dimension: str


Deltas = dict[CubeKey, tuple[int, int]]
"""Increments of (count, total) per cell."""


def add(deltas: Deltas, key: CubeKey, count: int, total: int = 0) -> None:
    """Accumulate an increment in memory (one statement per batch)."""
    old_count, old_total = deltas.get(key, (0, 0))
    deltas[key] = (old_count + count, old_total + total)


@dataclass
class BatchCounts:
    """Everything a batch adds to the cube and to the tallies, written once at its end."""

    cube: Deltas = field(default_factory=dict)
    tallies: Deltas = field(default_factory=dict)

    def tally(
        self, place: tuple[str, str, str], changes: Iterable[tuple[str, str, str, int]]
    ) -> None:
        """Add tally ``changes`` (month, metric, dimension, count) at ``place`` (provider,
        region, site)."""
        provider, region, site = place
        for month, metric, dimension, count in changes:
            add(self.tallies, CubeKey(provider, region, site, month, metric, dimension), count)

    async def write(self, connection: AsyncConnection) -> None:
        """Write the cube and tally increments and their regional rollups."""
        await add_cells(connection, cube, self.cube)
        await add_cells(connection, tallies, self.tallies)


async def add_cells(connection: AsyncConnection, table: Table, deltas: Deltas) -> None:
    """Add increments to a per-site cell table and to its per-region (and provider) rollup.

    Cells are written in key order, so concurrent writers lock rows in the same order; cells
    left empty are removed.
    """
    cells = sorted((key, c, t) for key, (c, t) in deltas.items() if c or t)
    if not cells:
        return
    if connection.dialect.name == "postgresql":
        # One statement adds to the cells and sums them into the rollup (see bulk).
        names = [column.name for column in table.primary_key.columns]
        columns = zip(*(key for key, _, _ in cells), strict=True)
        arrays: dict[str, list[Any]] = {n: list(c) for n, c in zip(names, columns, strict=True)}
        arrays["count"] = [count for _, count, _ in cells]
        arrays["total"] = [total for _, _, total in cells]
        await bulk.add_rolled_up(connection, table, ROLLUPS[table.name], arrays, ALL_REGIONS)
        return
    regional: dict[tuple[str, ...], tuple[int, int]] = {}
    for key, count, total in cells:
        for region in (key.region, ALL_REGIONS):
            region_key = (key.provider_id, region, key.month, key.metric, key.dimension)
            old_count, old_total = regional.get(region_key, (0, 0))
            regional[region_key] = (old_count + count, old_total + total)
    await _sqlite_add_cells(connection, table, cells)
    rolled_up = sorted((key, c, t) for key, (c, t) in regional.items() if c or t)
    await _sqlite_add_cells(connection, ROLLUPS[table.name], rolled_up)


async def _sqlite_add_cells(
    connection: AsyncConnection, table: Table, cells: Sequence[tuple[tuple[str, ...], int, int]]
) -> None:
    """Add (count, total) to cells, creating missing ones and removing emptied ones."""
    if not cells:
        return
    # Cells hold only text and integers: plain tuples straight to the driver's executemany
    # (SQLAlchemy's per-row parameter processing cost more than SQLite's work).
    await connection.exec_driver_sql(_sqlite_add(table), [(*k, c, t) for k, c, t in cells])
    emptied = [key for key, count, _ in cells if count < 0]  # cells a row moved away from
    if emptied:
        await connection.exec_driver_sql(_sqlite_delete_emptied(table), emptied)


@cache
def _sqlite_add(table: Table) -> str:
    names = [column.name for column in table.columns]
    keys = [column.name for column in table.primary_key.columns]
    return (
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET count = count + excluded.count, "
        "total = total + excluded.total"
    )


@cache
def _sqlite_delete_emptied(table: Table) -> str:
    keys = [column.name for column in table.primary_key.columns]
    matched = " AND ".join(f"{name} = ?" for name in keys)
    return f"DELETE FROM {table.name} WHERE {matched} AND count = 0 AND total = 0"
