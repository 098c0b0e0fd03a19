"""`learnloop import` against the real broker: good rows land once keyed by site, bad rows are
written to the rejects file, and importing the same file again adds nothing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.intake.import_cli import import_app
from services.intake.importer import default_rejects_path, import_events
from shared.broker import topic_name
from shared.events import AuditCompleted, parse_fact_event
from shared.topics import AUDITS
from tests.integration.services.intake.conftest import IntakeHarness, read_topic
from tests.unit.services.intake.test_importer import audit_row, write_csv

pytestmark = pytest.mark.kafka


def audits_file(folder: Path) -> Path:
    """Three good audits at three sites and two bad rows (rows 4 and 6 of the sheet)."""
    rows = [
        audit_row(),
        audit_row(site="elm-court"),
        audit_row(**{"data.audit_type": "tea_tasting", "data.items.0.answer": "maybe"}),
        audit_row(site="birch-lodge"),
        audit_row(site="Birch Lodge"),
    ]
    return write_csv(folder / "audits-2025-03.csv", rows)


async def audit_records(intake: IntakeHarness) -> list[tuple[bytes, AuditCompleted]]:
    records = await read_topic(intake.kafka, topic_name(AUDITS, intake.kafka))
    events = [(key, parse_fact_event(value)) for key, value, _ in records]
    return [(key, event) for key, event in events if isinstance(event, AuditCompleted)]


async def test_import_publishes_good_rows_keyed_by_site_and_reports_bad_ones(
    intake: IntakeHarness, tmp_path: Path
) -> None:
    path = audits_file(tmp_path)
    key = await intake.state.keys.authenticate(intake.provider_key)
    assert key is not None

    summary = await import_events(path, intake=intake.state.intake, key=key)

    assert (summary.rows, summary.accepted, summary.duplicate) == (5, 3, 0)
    assert (summary.rejected, summary.unavailable) == (2, 0)
    assert summary.rejects_path == default_rejects_path(path)
    rejects = [json.loads(line) for line in summary.rejects_path.read_text().splitlines()]
    assert [reject["row"] for reject in rejects] == [4, 6]
    assert {error["path"] for error in rejects[0]["errors"]} == {
        "data.audit_type",
        "data.items.0.answer",
    }
    assert [error["path"] for error in rejects[1]["errors"]] == ["siteid"]
    assert rejects[1]["original"]["siteid"] == "Birch Lodge"
    assert all(reject["code"] == "validation_failed" for reject in rejects)

    published = await audit_records(intake)
    assert sorted(key for key, _ in published) == [b"birch-lodge", b"elm-court", b"rosewood-house"]
    assert all(key.decode() == event.siteid for key, event in published)

    again = await import_events(path, intake=intake.state.intake, key=key)
    assert (again.accepted, again.duplicate, again.rejected) == (0, 3, 2)
    assert len(await audit_records(intake)) == 3


async def test_cli_imports_once_and_exits_by_outcome(
    intake: IntakeHarness, tmp_path: Path, sqlite_url: str
) -> None:
    path = audits_file(tmp_path)
    env = {
        "LEARNLOOP_KAFKA__BOOTSTRAP_SERVERS": intake.kafka.bootstrap_servers,
        "LEARNLOOP_KAFKA__TOPIC_PREFIX": intake.kafka.topic_prefix,
        "LEARNLOOP_DATABASE__URL": sqlite_url,
        "LEARNLOOP_API_KEY": intake.provider_key,
    }

    def invoke(*args: str, **extra_env: str) -> tuple[int, str]:
        result = CliRunner().invoke(import_app, list(args), env=env | extra_env)
        return result.exit_code, result.output

    # The command runs its own event loop, as it does from a shell.
    code, output = await asyncio.to_thread(invoke, str(path))
    assert code == 1, output
    assert "rows read: 5\naccepted: 3\nduplicate: 0\nrejected: 2\nunavailable: 0" in output
    assert str(default_rejects_path(path)) in output.replace("\n", "")

    code, output = await asyncio.to_thread(invoke, str(path))
    assert code == 1
    assert "accepted: 0\nduplicate: 3" in output
    assert len(await audit_records(intake)) == 3

    good_only = write_csv(tmp_path / "good.csv", [audit_row(site="oak-view")])
    code, output = await asyncio.to_thread(invoke, str(good_only))
    assert (code, "accepted: 1" in output) == (0, True)
    assert not default_rejects_path(good_only).exists()

    for args, extra, message in [
        ((str(tmp_path / "missing.csv"),), {}, "no such file"),
        ((str(path),), {"LEARNLOOP_API_KEY": "ll_not_a_key"}, "unknown or revoked API key"),
        ((str(tmp_path / "notes.txt"),), {}, "--format"),
    ]:
        code, output = await asyncio.to_thread(invoke, *args, **extra)
        assert code == 2, output
        assert message in output
        assert "Traceback" not in output
