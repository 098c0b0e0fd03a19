"""`learnloop db|topics|schemas|config ...`: database, topic and contract housekeeping."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from shared.settings import LearnLoopSettings

db_app = typer.Typer(
    help="Database migrations (PostgreSQL or SQLite, from LEARNLOOP_DATABASE__URL)."
)
topics_app = typer.Typer(help="Kafka topics: create them with the right partitions and retention.")
schemas_app = typer.Typer(help="JSON Schemas of the published event contracts.")
config_app = typer.Typer(help="Configuration reference.")

SCHEMA_DIR = Path("shared/events/schemas")
CONFIG_DOC = Path("docs/configuration.md")


@db_app.command("upgrade")
def db_upgrade(
    branch: Annotated[
        list[str] | None, typer.Option(help="shared, intake, learning, reporting (default: all)")
    ] = None,
) -> None:
    """Apply every migration of the chosen branches (idempotent)."""
    from shared.database import create_engine
    from shared.migrate import ALL_BRANCHES, current_revisions, upgrade

    async def run() -> set[str]:
        engine = create_engine(LearnLoopSettings().database)
        try:
            await upgrade(engine, branch or ALL_BRANCHES)
            return await current_revisions(engine)
        finally:
            await engine.dispose()

    typer.echo(f"database at revisions {sorted(asyncio.run(run()))}")


@topics_app.command("ensure")
def topics_ensure(
    replication_factor: Annotated[
        int | None, typer.Option(help="default: min(3, number of brokers)")
    ] = None,
) -> None:
    """Create every missing LearnLoop topic (and its dead-letter topic); idempotent."""
    from shared.provisioning import ensure_topics

    settings = LearnLoopSettings().kafka
    result = asyncio.run(ensure_topics(settings, replication_factor=replication_factor))
    typer.echo(f"created {len(result.created)} topics, {len(result.existing)} already existed")
    for name in result.created:
        typer.echo(f"  + {name}")


@schemas_app.command("export")
def schemas_export(directory: Path = SCHEMA_DIR) -> None:
    """Write one JSON Schema per event type (checked in; a test keeps them in sync)."""
    from shared.events.schemas import export_json_schemas

    for path in export_json_schemas(directory):
        typer.echo(f"wrote {path}")


@config_app.command("reference")
def config_reference(output: Path = CONFIG_DOC) -> None:
    """Write the configuration reference generated from the settings models."""
    from learnloop.config_docs import render_all

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_all())
    typer.echo(f"wrote {output}")
