"""Migrations apply on PostgreSQL and on SQLite, are idempotent, and can be rolled back."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from shared.database import create_engine
from shared.migrate import current_revisions, downgrade, head_revisions, upgrade
from shared.settings import DatabaseSettings

pytestmark = pytest.mark.postgres


async def _tables(url: str) -> set[str]:
    engine = create_engine(DatabaseSettings(url=url))
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        return set(names)
    finally:
        await engine.dispose()


async def test_migrations_apply_to_head_and_twice_is_harmless(database_url: str) -> None:
    engine = create_engine(DatabaseSettings(url=database_url))
    try:
        assert await current_revisions(engine) == set()
        await upgrade(engine)
        await upgrade(engine)
        assert await current_revisions(engine) == head_revisions()
    finally:
        await engine.dispose()
    assert {"processed_events", "outbox", "alembic_version"} <= await _tables(database_url)


async def test_migrations_roll_back_to_an_empty_schema(database_url: str) -> None:
    engine = create_engine(DatabaseSettings(url=database_url))
    try:
        await upgrade(engine)
        await downgrade(engine, "base")
        assert await current_revisions(engine) == set()
    finally:
        await engine.dispose()
    assert await _tables(database_url) <= {"alembic_version"}


async def test_postgres_database_is_really_postgresql(postgres_url: str) -> None:
    engine = create_engine(DatabaseSettings(url=postgres_url))
    try:
        async with engine.connect() as connection:
            version = (await connection.exec_driver_sql("SELECT version()")).scalar_one()
    finally:
        await engine.dispose()
    assert str(version).startswith("PostgreSQL ")
