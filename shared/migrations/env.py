"""Alembic environment: runs on a connection handed over by shared.migrate (async engines)."""

from __future__ import annotations

from alembic import context

from shared.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `learnloop db upgrade` (shared.migrate.upgrade)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
