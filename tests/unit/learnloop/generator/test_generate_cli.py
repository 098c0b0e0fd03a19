"""`learnloop generate`: NDJSON out, ground truth on request, summary on stderr."""

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from learnloop.generate_cli import app
from shared.events import parse_fact_event

SMALL = ["--seed", "5", "--sites", "4", "--regions", "2", "--months", "2", "--start", "2025-06-01"]


def test_writes_ndjson_and_truth_files(tmp_path: Path) -> None:
    events, truth = tmp_path / "events.ndjson", tmp_path / "truth.json"
    result = CliRunner().invoke(app, [*SMALL, "--output", str(events), "--truth", str(truth)])
    assert result.exit_code == 0, result.output
    lines = events.read_bytes().splitlines()
    parsed = [parse_fact_event(line) for line in lines]
    assert parsed[0].time.strftime("%Y-%m") == "2025-06"
    recorded = json.loads(truth.read_text(encoding="utf-8"))
    assert recorded["total_events"] == len(lines)
    assert recorded["config"]["seed"] == 5
    assert f"generated {len(lines)} events" in result.stderr


def test_writes_to_stdout_by_default() -> None:
    first = CliRunner().invoke(app, SMALL)
    second = CliRunner().invoke(app, SMALL)
    assert first.exit_code == 0, first.output
    assert first.stdout_bytes == second.stdout_bytes
    lines = first.stdout_bytes.splitlines()
    assert lines and all(parse_fact_event(line) for line in lines)
    assert b"generated" not in first.stdout_bytes


def test_works_when_mounted_as_a_sub_command(tmp_path: Path) -> None:
    parent = typer.Typer()
    parent.add_typer(app, name="generate")

    @parent.command()
    def other() -> None:
        """A sibling command, as in the real `learnloop` app."""

    events = tmp_path / "events.ndjson"
    result = CliRunner().invoke(parent, ["generate", *SMALL, "--output", str(events)])
    assert result.exit_code == 0, result.output
    assert events.read_bytes().count(b"\n") > 0


def test_rejects_more_regions_than_sites() -> None:
    result = CliRunner().invoke(app, ["--sites", "2", "--regions", "3"])
    assert result.exit_code == 2
    assert "regions" in result.stderr
