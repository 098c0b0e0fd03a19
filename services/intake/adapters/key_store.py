"""API keys in the database, with a short in-memory cache for the per-request lookup."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.intake.adapters.tables import api_keys
from services.intake.domain.api_keys import ApiKey, KeyRole, NewKey, generate_key, hash_key
from shared.database import create_engine
from shared.migrate import upgrade
from shared.settings import DatabaseSettings


class KeyStore:
    """Create, list, revoke and look up keys; lookups are cached for ``cache_seconds``.

    A key revoked through this store is refused at once; revoked elsewhere (the CLI, another
    replica) it is refused once its cached lookup is ``cache_seconds`` old, at the latest.

    Requests that find a key's lookup expired while one is already running wait for that one:
    at hundreds of requests per second every request in flight when the entry expired used to
    take a pooled connection for the same query, a latency spike every ``cache_seconds``.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        cache_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}
        self._lookups: dict[str, asyncio.Task[ApiKey | None]] = {}

    async def create(
        self,
        *,
        name: str,
        provider_id: str,
        role: KeyRole,
        sites: Iterable[str] | None = None,
    ) -> tuple[ApiKey, str]:
        """Store a new key; returns it and its plaintext (to show once, never stored)."""
        new: NewKey = generate_key()
        key = ApiKey(
            key_id=new.key_id,
            name=name,
            provider_id=provider_id,
            sites=frozenset(sites) if sites is not None else None,
            role=role,
            created_at=datetime.now(UTC),
        )
        async with self._engine.begin() as connection:
            await connection.execute(
                api_keys.insert().values(
                    key_id=key.key_id,
                    key_hash=new.key_hash,
                    name=key.name,
                    provider_id=key.provider_id,
                    sites=sorted(key.sites) if key.sites is not None else None,
                    role=key.role.value,
                    created_at=key.created_at,
                )
            )
        return key, new.plaintext

    async def list(self, *, provider_id: str | None = None) -> list[ApiKey]:
        """Every key (optionally of one provider), newest first."""
        query = select(api_keys).order_by(api_keys.c.created_at.desc())
        if provider_id is not None:
            query = query.where(api_keys.c.provider_id == provider_id)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_to_key(row) for row in rows]

    async def revoke(self, key_id: str) -> bool:
        """Revoke a key by its id; False when no active key has that id."""
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(api_keys)
                .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
        self._cache.clear()
        self._lookups.clear()  # lookups begun before the revocation serve no later request
        return bool(result.rowcount)

    async def authenticate(self, plaintext: str) -> ApiKey | None:
        """The active key for ``plaintext``, or None."""
        key_hash = hash_key(plaintext)
        now = self._clock()
        cached = self._cache.get(key_hash)
        if cached is not None and now - cached[0] < self._cache_seconds:
            return cached[1]
        lookup = self._lookups.get(key_hash)
        if lookup is None:
            lookup = asyncio.ensure_future(self._look_up(key_hash, now))
            self._lookups[key_hash] = lookup
            lookup.add_done_callback(lambda done: self._forget(key_hash, done))
        # Shielded: a caller that goes away does not cancel the others' lookup.
        return await asyncio.shield(lookup)

    def _forget(self, key_hash: str, lookup: asyncio.Task[ApiKey | None]) -> None:
        if self._lookups.get(key_hash) is lookup:
            del self._lookups[key_hash]
        if not lookup.cancelled():
            lookup.exception()  # retrieved: every waiter has it raised

    async def _look_up(self, key_hash: str, now: float) -> ApiKey | None:
        async with self._engine.connect() as connection:
            row = (
                (await connection.execute(select(api_keys).where(api_keys.c.key_hash == key_hash)))
                .mappings()
                .first()
            )
        key = _to_key(row) if row is not None else None
        if key is not None and not key.active:
            key = None
        if self._lookups.get(key_hash) is not asyncio.current_task():
            return key  # a revocation began meanwhile: answer, but do not cache
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key_hash] = (now, key)
        return key


def _to_key(row: Any) -> ApiKey:
    created, revoked = row["created_at"], row["revoked_at"]
    return ApiKey(
        key_id=row["key_id"],
        name=row["name"],
        provider_id=row["provider_id"],
        sites=frozenset(row["sites"]) if row["sites"] is not None else None,
        role=KeyRole(row["role"]),
        created_at=_aware(created),
        revoked_at=_aware(revoked) if revoked is not None else None,
    )


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def provision_admin_key(database_url: str, *, name: str, provider_id: str) -> str:
    """Migrate the intake's key database at ``database_url`` and create a provider-wide admin
    key there; returns the key's plaintext (shown once, never stored)."""
    engine = create_engine(DatabaseSettings(url=database_url))
    try:
        await upgrade(engine, ("shared", "intake"))
        _, plaintext = await KeyStore(engine).create(
            name=name, provider_id=provider_id, role=KeyRole.ADMIN
        )
    finally:
        await engine.dispose()
    return plaintext
