"""`learnloop reporting serve|rebuild`."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from typing import Annotated

import typer

from services.reporting.settings import ReportingSettings

reporting_app = typer.Typer(help="The reporting service (governance read models and JSON API).")


@reporting_app.command("serve")
def serve() -> None:
    """Project every topic into the read models and serve the JSON API (OpenAPI at /docs)."""
    import uvicorn

    from services.reporting.app import create_app
    from shared.logging import configure_logging

    settings = ReportingSettings()
    configure_logging(level=settings.log_level, fmt=settings.log_format, service="reporting")
    uvicorn.run(
        create_app(settings),
        host=settings.reporting.host,
        port=settings.reporting.port,
        log_config=None,
        access_log=False,
    )


@reporting_app.command("rebuild")
def rebuild(
    timeout: Annotated[
        float, typer.Option(help="Give up after this many seconds of replaying.")
    ] = 3600.0,
) -> None:
    """Recreate the read models by replaying every topic from the start (stop serve first)."""
    from services.reporting.rebuild import RebuildTimeout
    from services.reporting.rebuild import rebuild as run_rebuild
    from shared.logging import configure_logging

    settings = ReportingSettings()
    configure_logging(level=settings.log_level, fmt=settings.log_format, service="reporting")
    try:
        report = asyncio.run(run_rebuild(settings, timeout_s=timeout))
    except RebuildTimeout as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(json.dumps(asdict(report), indent=2))
