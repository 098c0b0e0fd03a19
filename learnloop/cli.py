"""The `learnloop` command: one entry point for services, tools and local infrastructure."""

from __future__ import annotations

import typer

from learnloop import demo_cli, generate_cli, infra_cli, ops_cli, tools_cli
from services.intake import cli as intake_cli
from services.intake import import_cli
from services.learning import cli as learning_cli
from services.reporting import cli as reporting_cli

app = typer.Typer(
    help="LearnLoop: learning from incidents, complaints, audits and feedback in social care.",
    no_args_is_help=True,
)
app.add_typer(infra_cli.app, name="infra")
app.add_typer(tools_cli.db_app, name="db")
app.add_typer(tools_cli.topics_app, name="topics")
app.add_typer(tools_cli.schemas_app, name="schemas")
app.add_typer(tools_cli.config_app, name="config")
app.add_typer(intake_cli.intake_app, name="intake")
app.add_typer(intake_cli.keys_app, name="keys")
app.add_typer(learning_cli.learning_app, name="learning")
app.add_typer(generate_cli.app, name="generate")
app.command("demo")(demo_cli.run)
app.add_typer(import_cli.import_app)
app.add_typer(reporting_cli.reporting_app, name="reporting")
app.add_typer(ops_cli.ops_app, name="ops")


def main() -> None:
    """Console-script entry point."""
    app()
