"""`learnloop reporting serve|rebuild|board-pack`."""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from services.reporting.settings import ReportingSettings

reporting_app = typer.Typer(help="The reporting service (governance read models and JSON API).")


@reporting_app.command("serve")
def serve() -> None:
    """Project every topic into the read models and serve the JSON API (OpenAPI at /docs)."""
    import uvicorn

    from services.reporting.app import create_app
    from shared.garbage_collection import settle_garbage_collector
    from shared.logging import configure_logging

    settings = ReportingSettings()
    configure_logging(level=settings.log_level, fmt=settings.log_format, service="reporting")
    app = create_app(settings)
    settle_garbage_collector()
    uvicorn.run(
        app,
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


@reporting_app.command("board-pack")
def board_pack(
    period: Annotated[str, typer.Option(help="2025-11 (month), 2025-Q4 (quarter) or 2025.")],
    api_key: Annotated[
        str, typer.Option(envvar="LEARNLOOP_API_KEY", help="An intake API key (its scope applies).")
    ],
    fmt: Annotated[str, typer.Option("--format", help="pdf, csv, md or html.")] = "pdf",
    output: Annotated[
        Path | None,
        typer.Option(help="File to write (default board-pack-PERIOD.FORMAT); - prints."),
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="The running reporting service (default: from settings).")
    ] = None,
    region: Annotated[str | None, typer.Option(help="Only sites of this region.")] = None,
    site: Annotated[str | None, typer.Option(help="Only this site.")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the service.")] = 120.0,
) -> None:
    """Fetch a period's board pack from the running reporting service (over HTTP, so only a URL
    and an API key are needed; the key's scope applies as in the API)."""
    import httpx

    from services.reporting.board_pack.client import BoardPackError, PackRequest, fetch_board_pack
    from services.reporting.board_pack.exports import PackFormat

    try:
        chosen = PackFormat(fmt)
    except ValueError as exc:
        typer.echo("error: --format must be pdf, csv, md or html", err=True)
        raise typer.Exit(code=2) from exc
    if url is None:
        options = ReportingSettings().reporting
        url = f"http://{options.host}:{options.port}"
    request = PackRequest(period, chosen, region, site)
    try:
        with httpx.Client(base_url=url, timeout=timeout) as client:
            body = fetch_board_pack(client, request, api_key=api_key)
    except BoardPackError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    if output is not None and str(output) == "-":
        sys.stdout.buffer.write(body)
        return
    target = output or Path(f"board-pack-{period}.{chosen.value}")
    target.write_bytes(body)
    typer.echo(f"wrote {target} ({len(body):,} bytes)")
