"""Looking rows up by a list of ids on both databases: one statement whatever the list's length."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from services.reporting.adapters.fact_writer import fact_places
from services.reporting.adapters.tables import facts
from shared.database import create_engine
from shared.migrate import upgrade
from shared.settings import DatabaseSettings

pytestmark = [pytest.mark.postgres]
AT = datetime(2025, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(DatabaseSettings(url=database_url))
    await upgrade(engine, ("shared", "reporting"))
    async with engine.begin() as connection:
        await connection.execute(
            insert(facts),
            [
                {"event_id": f"fact-{n:04d}", "event_type": "incident.reported",
                 "provider_id": "care", "region": "north", "site_id": "s1", "occurred_at": AT,
                 "month": "2025-03", "detail": "falls", "physical_harm": None,
                 "score_ppm": None}
                for n in range(1_500)
            ],
        )  # fmt: skip
    yield engine
    await engine.dispose()


async def test_any_number_of_ids_is_looked_up_in_one_same_statement(engine: AsyncEngine) -> None:
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(args[2])

    wanted = [f"fact-{n:04d}" for n in range(0, 1_500, 2)] + ["fact-unknown", "fact-0000"]
    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        async with engine.connect() as connection:
            found = await fact_places(connection, wanted)
            few = await fact_places(connection, ["fact-0001", "nothing"])
            none = await fact_places(connection, [])
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)
    assert set(found) == {f"fact-{n:04d}" for n in range(0, 1_500, 2)}
    assert all(at == AT for at in found.values())
    assert few == {"fact-0001": AT}
    assert none == {}
    assert len(statements) == 2 and statements[0] == statements[1]
