"""`learnloop reporting` offers serve and rebuild."""

from __future__ import annotations

from typer.testing import CliRunner

from services.reporting.cli import reporting_app


def test_commands_are_listed() -> None:
    result = CliRunner().invoke(reporting_app, ["--help"])
    assert result.exit_code == 0
    assert "serve" in result.output and "rebuild" in result.output
