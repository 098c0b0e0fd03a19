"""`learnloop intake serve` and `learnloop keys create|list|revoke`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer

from services.intake.adapters.key_store import KeyStore
from services.intake.domain.api_keys import ApiKey, KeyRole
from services.intake.settings import IntakeSettings
from shared.database import create_engine
from shared.migrate import upgrade

intake_app = typer.Typer(help="The intake service (HTTP front door).")
keys_app = typer.Typer(help="API keys of the intake (and reporting) APIs.")
T = TypeVar("T")


@intake_app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="default: LEARNLOOP_INTAKE__HOST")] = None,
    port: Annotated[int | None, typer.Option(help="default: LEARNLOOP_INTAKE__PORT")] = None,
) -> None:
    """Run the intake HTTP server."""
    import uvicorn

    from services.intake.http.app import create_app
    from shared.garbage_collection import INTAKE_GC_THRESHOLDS, settle_garbage_collector
    from shared.logging import configure_logging

    settings = IntakeSettings()
    configure_logging(level=settings.log_level, fmt=settings.log_format, service="intake")
    app = create_app(settings)
    settle_garbage_collector(INTAKE_GC_THRESHOLDS)  # after the app's start-up heap is built
    uvicorn.run(
        app,
        host=host or settings.intake.host,
        port=port or settings.intake.port,
        log_config=None,
        access_log=False,
    )


def _with_store(action: Callable[[KeyStore], Awaitable[T]]) -> T:
    async def run() -> T:
        settings = IntakeSettings()
        engine = create_engine(settings.database)
        try:
            await upgrade(engine, ("shared", "intake"))
            return await action(KeyStore(engine, cache_seconds=0))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _describe(key: ApiKey) -> dict[str, object]:
    return {
        "key_id": key.key_id,
        "name": key.name,
        "provider_id": key.provider_id,
        "sites": sorted(key.sites) if key.sites is not None else "all",
        "role": key.role.value,
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


@keys_app.command("create")
def create(
    provider: Annotated[str, typer.Option(help="provider id the key belongs to")],
    name: Annotated[str, typer.Option(help="who or what uses the key")],
    role: Annotated[KeyRole, typer.Option(help="source_system, staff_app or admin")],
    site: Annotated[
        list[str] | None, typer.Option(help="a site the key may submit for (repeat); default all")
    ] = None,
) -> None:
    """Create a key; the key itself is printed once and cannot be shown again."""
    key, plaintext = _with_store(
        lambda store: store.create(name=name, provider_id=provider, role=role, sites=site)
    )
    typer.echo(json.dumps({**_describe(key), "api_key": plaintext}, indent=2))
    typer.echo("Store the api_key now: it is not kept and cannot be shown again.", err=True)


@keys_app.command("list")
def list_keys(
    provider: Annotated[str | None, typer.Option(help="only this provider's keys")] = None,
) -> None:
    """List keys (never their secrets)."""
    keys = _with_store(lambda store: store.list(provider_id=provider))
    typer.echo(json.dumps([_describe(key) for key in keys], indent=2))


@keys_app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="the key_id shown by create/list")]) -> None:
    """Revoke a key (takes effect within LEARNLOOP_INTAKE__KEY_CACHE_SECONDS)."""
    if not _with_store(lambda store: store.revoke(key_id)):
        typer.echo(f"error: no active key with id {key_id!r}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"revoked {key_id}")
