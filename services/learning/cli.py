"""`learnloop learning serve|check-rules`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from services.learning.settings import LearningSettings

learning_app = typer.Typer(help="The learning service (themes, obligations, actions, alerts).")


@learning_app.command("serve")
def serve() -> None:
    """Consume the fact topics and publish what is learned; ops endpoints on HTTP."""
    import uvicorn

    from services.learning.app import create_app
    from shared.garbage_collection import settle_garbage_collector
    from shared.logging import configure_logging

    settings = LearningSettings()
    configure_logging(level=settings.log_level, fmt=settings.log_format, service="learning")
    app = create_app(settings)
    settle_garbage_collector()
    uvicorn.run(
        app,
        host=settings.learning.host,
        port=settings.learning.port,
        log_config=None,
        access_log=False,
    )


@learning_app.command("check-rules")
def check_rules(
    directory: Annotated[
        Path | None, typer.Argument(help="a provider's rule folder (default: shipped rules)")
    ] = None,
) -> None:
    """Validate rule files; exit code 1 with every problem listed when they are invalid."""
    from services.learning.domain.action_rules import ActionRulesError, load_action_rules
    from services.learning.domain.rulebook import RulebookError, load_rulebook

    try:
        rulebook = load_rulebook(directory)
        load_action_rules(directory / "actions.json" if directory else None)
    except (RulebookError, ActionRulesError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    versions = ", ".join(f"{name} {version}" for name, version in rulebook.versions.items())
    typer.echo(f"rules valid: {len(rulebook.themes)} themes; {versions}")
