"""Command-line checks that refuse bad combinations before any broker is contacted."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from learnloop.ops_cli import ops_app

# An unroutable broker: if a command got as far as connecting, it would fail differently.
ENV = {"LEARNLOOP_KAFKA__BOOTSTRAP_SERVERS": "127.0.0.1:1", "LEARNLOOP_KAFKA__TOPIC_PREFIX": "u"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["reset-group", "g"], "choose exactly one"),
        (["reset-group", "g", "--to-earliest", "--to-latest"], "choose exactly one"),
        (["reset-group", "g", "--to-datetime", "yesterday"], "not an ISO 8601"),
        (["dlq", "replay"], "choose one: --offset N"),
        (["dlq", "replay", "--all", "--offset", "3"], "choose one: --offset N"),
        (["dlq", "replay", "--offset", "3"], "--offset needs --topic and --partition"),
        (["dlq", "replay", "--all", "--topic", "incidents.v1"], "not a dead-letter topic"),
        (["dlq", "purge", "nope"], "not a dead-letter topic"),
    ],
)
def test_bad_arguments_exit_1_with_a_reason(args: list[str], message: str) -> None:
    result = CliRunner().invoke(ops_app, args, env=ENV)
    assert result.exit_code == 1, result.output
    assert message in result.stderr


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(ops_app, ["--help"])
    assert result.exit_code == 0
    for command in ("status", "exporter", "reset-group", "dlq"):
        assert command in result.output


def test_status_reports_an_unreachable_broker_and_exits_1() -> None:
    env = {**ENV, "LEARNLOOP_OPS__INTAKE_URL": "http://127.0.0.1:9"}
    result = CliRunner().invoke(ops_app, ["status", "--json"], env=env)
    assert result.exit_code == 1
    shown = json.loads(result.stdout)
    assert shown["kafka_error"].startswith("KafkaConnectionError")
    assert shown["groups"] == [] and shown["services"][0]["health"] == "down"
    assert "kafka unreachable" in result.stderr
