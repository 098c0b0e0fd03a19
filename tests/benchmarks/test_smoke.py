"""The benchmark harness runs end to end on the real Kafka and PostgreSQL at tiny sizes and writes
well-formed results: one JSON document per benchmark and the results README. No figure is
asserted (benchmarks are not tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.runner import EXTERNAL, SUITE

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
OURS = [name for name in SUITE if name not in EXTERNAL]  # the others size themselves


@pytest.mark.timeout(900)
def test_smoke_run_writes_json_and_markdown(kafka_bootstrap: str, tmp_path: Path) -> None:
    only = [arg for name in OURS for arg in ("--only", name)]
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--results", str(tmp_path), *only],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=False, timeout=880,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]

    for name in OURS:
        document = json.loads((tmp_path / f"{name}.json").read_text())
        assert document["benchmark"] == name
        assert document["mode"] == "smoke" and document["provisional"] is True
        assert {
            "cpu",
            "cores",
            "python",
            "kafka",
            "postgresql",
            "git_commit",
            "python_reference_ms",
        } <= set(document["machine"])
        outcome = document["scales"]["1"]
        assert "error" not in outcome
        assert outcome["figures"], name
        for figure in outcome["figures"]:
            assert set(figure) == {"figure", "value", "unit", "target", "met"}
            assert figure["value"] is None or isinstance(figure["value"], int | float)

    readme = (tmp_path / "README.md").read_text()
    table = [line for line in readme.splitlines() if line.startswith("| ")]
    assert table[0] == "| benchmark | figure | unit | target | 1x | met? |"
    widths = {line.count("|") for line in table[: table.index("| | |")]}
    assert len(widths) == 1  # every row of the figures table has every column
    for name in OURS:
        assert f"| {name} |" in readme
    assert "## Machine" in readme and "## Runs" in readme
