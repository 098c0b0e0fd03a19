"""The `learnloop` command: one entry point for services, tools and local infrastructure."""

from __future__ import annotations

import typer

from learnloop import infra_cli

app = typer.Typer(
    help="LearnLoop: learning from incidents, complaints, audits and feedback in adult social care.",
    no_args_is_help=True,
)
app.add_typer(infra_cli.app, name="infra")


def main() -> None:
    """Console-script entry point."""
    app()
