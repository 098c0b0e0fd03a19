"""Dropping a scratch database on the real PostgreSQL ends the sessions still in it."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from learnloop.infra import postgres

pytestmark = pytest.mark.postgres


async def test_a_database_with_sessions_in_it_is_dropped(
    postgres_server: postgres.PostgresServer,
) -> None:
    name = f"t_drop_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres_server.url("learnloop_test").replace("+asyncpg", ""))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        inside = await asyncpg.connect(postgres_server.url(name).replace("+asyncpg", ""))
        await postgres.drop_database(admin, name)
        assert inside.is_closed() or not await _alive(inside)
        gone = await admin.fetchval("SELECT count(*) FROM pg_database WHERE datname = $1", name)
        assert gone == 0
        await postgres.drop_database(admin, name)  # already gone: nothing to do
    finally:
        await admin.close()


async def _alive(connection: asyncpg.Connection) -> bool:
    try:
        await connection.fetchval("SELECT 1")
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        return False
    return True
