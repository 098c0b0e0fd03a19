"""Apply Alembic migrations programmatically on an async engine (PostgreSQL or SQLite).

Each part of the system keeps its own branch of migrations: ``shared`` (idempotency ledger and
outbox) in shared/migrations/versions and one per service in services/<name>/migrations/versions.
A service's database gets the ``shared`` branch plus its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

SERVICES = ("intake", "learning", "reporting")
ALL_BRANCHES = ("shared", *SERVICES)


def _version_locations() -> list[str]:
    locations = [str(resources.files("shared") / "migrations" / "versions")]
    for service in SERVICES:
        folder = resources.files("services") / service / "migrations" / "versions"
        if folder.is_dir():
            locations.append(str(folder))
    return locations


def alembic_config() -> Config:
    """Alembic configuration pointing at the migrations shipped in this package."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("shared") / "migrations"))
    config.set_main_option("version_locations", " ".join(_version_locations()))
    config.set_main_option("path_separator", "space")
    return config


def _known_branches(config: Config, branches: Sequence[str]) -> list[str]:
    script = ScriptDirectory.from_config(config)
    labels = {label for rev in script.walk_revisions() for label in rev.branch_labels}
    return [branch for branch in branches if branch in labels]


async def upgrade(engine: AsyncEngine, branches: Sequence[str] = ALL_BRANCHES) -> None:
    """Bring each branch to its newest revision (idempotent)."""
    config = alembic_config()

    def run(connection: Any) -> None:
        config.attributes["connection"] = connection
        for branch in _known_branches(config, branches):
            command.upgrade(config, f"{branch}@head")

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    """Take the database back to ``revision`` (``base``: empty)."""
    config = alembic_config()

    def run(connection: Any) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


async def current_revisions(engine: AsyncEngine) -> set[str]:
    """The revisions the database is at (one per applied branch); empty for a new database."""
    async with engine.connect() as connection:
        heads = await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_heads()
        )
    return set(heads)


def head_revisions(branches: Sequence[str] = ALL_BRANCHES) -> set[str]:
    """The newest revision of each branch shipped with this code."""
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    heads: set[str] = set()
    for branch in _known_branches(config, branches):
        heads.update(rev.revision for rev in script.get_revisions(f"{branch}@head") if rev)
    return heads
