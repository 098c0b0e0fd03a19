"""Adding to cells on both databases: increments summed, rollups kept, emptied cells removed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import Table, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.reporting.adapters import bulk
from services.reporting.adapters.cells import BatchCounts, CubeKey
from services.reporting.adapters.tables import cube, cube_regions, tallies, tallies_regions
from shared.database import create_engine
from shared.migrate import upgrade
from shared.settings import DatabaseSettings

pytestmark = [pytest.mark.postgres]


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(DatabaseSettings(url=database_url))
    await upgrade(engine, ("shared", "reporting"))
    yield engine
    await engine.dispose()


def key(site: str, month: str, dimension: str = "falls", region: str = "north") -> CubeKey:
    return CubeKey("care", region, site, month, "incidents", dimension)


async def write(engine: AsyncEngine, cells: dict[CubeKey, tuple[int, int]]) -> None:
    async with engine.begin() as connection:
        await BatchCounts(cube=dict(cells), tallies=dict(cells)).write(connection)


async def rows(engine: AsyncEngine, table: Table) -> set[tuple[Any, ...]]:
    async with engine.connect() as connection:
        return {tuple(row) for row in (await connection.execute(select(table))).all()}


async def test_cells_add_up_and_roll_up_by_region(engine: AsyncEngine) -> None:
    await write(
        engine, {key("s1", "2025-01"): (2, 10), key("s2", "2025-01", region="south"): (1, 4)}
    )
    await write(engine, {key("s1", "2025-01"): (1, 5), key("s1", "2025-02"): (1, 0)})
    for table in (cube, tallies):
        assert await rows(engine, table) == {
            ("care", "north", "s1", "2025-01", "incidents", "falls", 3, 15),
            ("care", "south", "s2", "2025-01", "incidents", "falls", 1, 4),
            ("care", "north", "s1", "2025-02", "incidents", "falls", 1, 0),
        }
    for table in (cube_regions, tallies_regions):
        assert await rows(engine, table) == {
            ("care", "north", "2025-01", "incidents", "falls", 3, 15),
            ("care", "south", "2025-01", "incidents", "falls", 1, 4),
            ("care", "*", "2025-01", "incidents", "falls", 4, 19),
            ("care", "north", "2025-02", "incidents", "falls", 1, 0),
            ("care", "*", "2025-02", "incidents", "falls", 1, 0),
        }


async def test_cells_left_empty_are_removed_and_the_others_kept(engine: AsyncEngine) -> None:
    many = {key(f"s{n}", "2025-01"): (1, 0) for n in range(300)}
    await write(engine, {**many, key("s0", "2025-02"): (2, 7), key("s1", "2025-02"): (1, 3)})
    # Rows move away: every January cell but one empties, one February cell empties, the other
    # keeps a total with no count left (not empty: kept).
    moved = {key(f"s{n}", "2025-01"): (-1, 0) for n in range(1, 300)}
    await write(engine, {**moved, key("s0", "2025-02"): (-2, -7), key("s1", "2025-02"): (-1, 0)})
    expected = {
        ("care", "north", "s0", "2025-01", "incidents", "falls", 1, 0),
        ("care", "north", "s1", "2025-02", "incidents", "falls", 0, 3),
    }
    for table in (cube, tallies):
        assert await rows(engine, table) == expected
    for table in (cube_regions, tallies_regions):
        assert await rows(engine, table) == {
            ("care", region, month, "incidents", "falls", count, total)
            for region in ("north", "*")
            for month, count, total in (("2025-01", 1, 0), ("2025-02", 0, 3))
        }


async def test_an_emptied_cell_filled_again_comes_back(engine: AsyncEngine) -> None:
    await write(engine, {key("s1", "2025-01"): (1, 2)})
    await write(engine, {key("s1", "2025-01"): (-1, -2)})
    assert await rows(engine, cube) == set()
    assert await rows(engine, cube_regions) == set()
    await write(engine, {key("s1", "2025-01"): (1, 1)})
    assert await rows(engine, cube) == {
        ("care", "north", "s1", "2025-01", "incidents", "falls", 1, 1)
    }


async def test_postgresql_removes_emptied_cells_by_place_not_by_a_scan(postgres_url: str) -> None:
    """The statistics hardly ever see an empty cell, so a join of keys with the table was planned
    as a scan of the table per key; emptied cells are now deleted by their place (ctid)."""
    engine = create_engine(DatabaseSettings(url=postgres_url))
    try:
        await upgrade(engine, ("shared", "reporting"))
        await write(engine, {key(f"s{n}", "2025-01"): (1, 0) for n in range(5_000)})
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE reporting_tallies"))
            places = list(
                (await connection.execute(text("SELECT ctid FROM reporting_tallies LIMIT 20")))
                .scalars()
                .all()
            )
            plan = await connection.execute(
                text("EXPLAIN " + bulk.delete_emptied_statement(tallies).text), {"places": places}
            )
            lines = [line for (line,) in plan.all()]
    finally:
        await engine.dispose()
    assert any("Tid Scan" in line for line in lines), lines
    assert not any("Seq Scan" in line for line in lines), lines
