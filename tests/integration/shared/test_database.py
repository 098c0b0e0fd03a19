"""Database errors never quote the values bound to the statement (free text stays out of logs)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shared.database import create_engine
from shared.settings import DatabaseSettings


async def test_a_failing_statement_does_not_quote_its_parameters(database_url: str) -> None:
    engine = create_engine(DatabaseSettings(url=database_url))
    try:
        async with engine.connect() as connection:
            with pytest.raises(DBAPIError) as caught:
                await connection.execute(
                    text("SELECT * FROM no_such_table WHERE note = :note"),
                    {"note": "the resident fell in the lounge"},
                )
    finally:
        await engine.dispose()
    assert "lounge" not in str(caught.value)
    assert "no_such_table" in str(caught.value)  # the statement itself is still told
