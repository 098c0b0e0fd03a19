"""`learnloop import FILE`: events from a CSV or NDJSON file, through the intake's own checks.

Register with ``app.add_typer(import_app)`` (no name: the command is already called ``import``).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from services.intake.adapters.accepted_events import AcceptedEvents
from services.intake.adapters.key_store import KeyStore
from services.intake.adapters.publisher import EventPublisher
from services.intake.importer import (
    ImportFormat,
    ImportOptions,
    ImportSummary,
    ImportUsageError,
    ProgressCallback,
    detect_format,
    import_events,
)
from services.intake.settings import IntakeSettings
from services.intake.submission import Intake
from shared.database import create_engine
from shared.logging import configure_logging
from shared.migrate import upgrade

import_app = typer.Typer(help="Import events from a file through the intake.")


@dataclass(frozen=True)
class IntakeSession:
    """The intake's key store and service layer, wired as the HTTP app wires them."""

    keys: KeyStore
    intake: Intake


@asynccontextmanager
async def open_intake(settings: IntakeSettings) -> AsyncIterator[IntakeSession]:
    """Database (migrated), Kafka publisher and Intake, built like the HTTP app's lifespan."""
    engine = create_engine(settings.database)
    try:
        await upgrade(engine, ("shared", "intake"))
        publisher = EventPublisher(settings.kafka, timeout_ms=settings.intake.publish_timeout_ms)
        await publisher.start()
        accepted = AcceptedEvents(engine)
        try:
            yield IntakeSession(
                keys=KeyStore(engine, cache_seconds=0),
                intake=Intake(
                    publisher=publisher,
                    accepted=accepted,
                    kafka=settings.kafka,
                    redaction=settings.intake.redaction,
                ),
            )
        finally:
            await publisher.stop()
            await accepted.close()
    finally:
        await engine.dispose()


async def run_import(
    path: Path,
    *,
    api_key: str | None,
    settings: IntakeSettings,
    options: ImportOptions | None = None,
    on_progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Authenticate ``api_key`` and import ``path``; ImportUsageError when it cannot start."""
    options = options or ImportOptions()
    if not api_key:
        raise ImportUsageError("no API key: pass --api-key or set LEARNLOOP_API_KEY")
    detect_format(path, options.format)
    if not await asyncio.to_thread(path.is_file):
        raise ImportUsageError(f"no such file: {path}")
    async with open_intake(settings) as session:
        key = await session.keys.authenticate(api_key)
        if key is None:
            raise ImportUsageError("unknown or revoked API key")
        return await import_events(
            path, intake=session.intake, key=key, options=options, on_progress=on_progress
        )


@import_app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="CSV (.csv) or NDJSON (.ndjson, .jsonl) file")],
    api_key: Annotated[
        str | None,
        typer.Option(envvar="LEARNLOOP_API_KEY", help="intake API key the events are sent with"),
    ] = None,
    file_format: Annotated[
        ImportFormat | None, typer.Option("--format", help="default: by the file's extension")
    ] = None,
    event_type: Annotated[
        str | None, typer.Option("--type", help="event type of rows without a type column")
    ] = None,
    provider: Annotated[
        str | None, typer.Option(help="providerid of rows without one (default: the key's)")
    ] = None,
    site: Annotated[str | None, typer.Option(help="siteid of rows without one")] = None,
    region: Annotated[str | None, typer.Option(help="region of rows without one")] = None,
    source: Annotated[str | None, typer.Option(help="source of rows without one")] = None,
    rejects: Annotated[
        Path | None, typer.Option(help="where rows not accepted go; default <FILE>.rejects.ndjson")
    ] = None,
) -> None:
    """Import events; exit 0 when every row is accepted, 1 when some are not, 2 on usage errors.

    Importing the same file again creates no duplicate events.
    """
    settings = IntakeSettings()
    configure_logging(level="WARNING", fmt=settings.log_format, service="import")
    options = ImportOptions(
        format=file_format,
        event_type=event_type,
        providerid=provider,
        siteid=site,
        region=region,
        source=source,
        rejects_path=rejects,
    )
    try:
        with progress_bar() as on_progress:
            summary = asyncio.run(
                run_import(
                    file,
                    api_key=api_key,
                    settings=settings,
                    options=options,
                    on_progress=on_progress,
                )
            )
    except ImportUsageError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    typer.echo(describe(summary))
    if not summary.complete:
        raise typer.Exit(code=1)


def describe(summary: ImportSummary) -> str:
    """The summary printed at the end of an import."""
    lines = [
        f"rows read: {summary.rows}",
        f"accepted: {summary.accepted}",
        f"duplicate: {summary.duplicate}",
        f"rejected: {summary.rejected}",
        f"unavailable: {summary.unavailable}",
    ]
    if summary.unavailable:
        lines.append("Kafka did not acknowledge some rows: run the same import again.")
    if summary.rejects_path is not None:
        lines.append(f"rows not accepted: {summary.rejects_path}")
    return "\n".join(lines)


@contextmanager
def progress_bar() -> Iterator[ProgressCallback]:
    """A progress bar on stderr (rich when installed, else typer's), shown from the first call."""
    try:
        from rich.console import Console
        from rich.progress import Progress
    except ImportError:  # typer without rich
        with ExitStack() as stack:
            bars: list[Any] = []

            def advance_plain(done: int, total: int) -> None:
                if not bars:
                    bar = typer.progressbar(length=total, label="importing", file=sys.stderr)
                    bars.append(stack.enter_context(bar))
                bars[0].update(done - bars[0].pos)

            yield advance_plain
        return
    progress = Progress(console=Console(stderr=True))
    task = progress.add_task("importing", total=None)
    started: list[bool] = []

    def advance(done: int, total: int) -> None:
        if not started:
            progress.start()
            started.append(True)
        progress.update(task, completed=done, total=total)

    try:
        yield advance
    finally:
        if started:
            progress.stop()
