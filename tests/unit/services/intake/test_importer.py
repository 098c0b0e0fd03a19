"""Rows of CSV and NDJSON files to events: paths, lists, JSON cells, ids, rejects and summary."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.intake.domain.api_keys import ApiKey, KeyRole
from services.intake.importer import (
    ImportFormat,
    ImportOptions,
    ImportUsageError,
    RowError,
    SourceRow,
    default_rejects_path,
    detect_format,
    import_events,
    read_rows,
    row_event_id,
    row_to_event,
)
from services.intake.submission import ItemResult, ItemStatus, parse_item
from shared.events import AnyFactEvent, AuditCompleted, IncidentReported
from tests.unit.shared.events.examples import as_json_dict, fall_incident

KEY = ApiKey(
    key_id="k1",
    name="importer test",
    provider_id="harbour-care",
    sites=None,
    role=KeyRole.SOURCE_SYSTEM,
    created_at=datetime(2025, 1, 1, tzinfo=UTC),
)
AUDIT_COLUMNS = [
    "type", "providerid", "siteid", "region", "source", "subject",
    "data.audit_type", "data.frequency", "data.completed_at", "data.auditor_role",
    "data.period_start", "data.period_end",
    "data.items.0.item_id", "data.items.0.question", "data.items.0.answer",
    "data.items.1.item_id", "data.items.1.question", "data.items.1.answer",
    "data.items.1.comment",
]  # fmt: skip


def audit_row(site: str = "rosewood-house", **changes: str) -> dict[str, str]:
    """A valid monthly medication audit as one CSV row (1 yes, 1 no)."""
    row = dict.fromkeys(AUDIT_COLUMNS, "")
    row |= {
        "type": "audit.completed",
        "providerid": "harbour-care",
        "siteid": site,
        "region": "north-west",
        "source": "/providers/harbour-care/audit-tool",
        "subject": f"audits/{site}/2025-03",
        "data.audit_type": "medication",
        "data.frequency": "monthly",
        "data.completed_at": "2025-03-31T16:00:00Z",
        "data.auditor_role": "deputy_manager",
        "data.period_start": "2025-03-01",
        "data.period_end": "2025-03-31",
        "data.items.0.item_id": "MED-01",
        "data.items.0.question": "MAR charts signed for every dose given",
        "data.items.0.answer": "yes",
        "data.items.1.item_id": "MED-02",
        "data.items.1.question": "Controlled drugs register balanced",
        "data.items.1.answer": "no",
        "data.items.1.comment": "Two entries not countersigned.",
    }
    return row | changes


def write_csv(path: Path, rows: Sequence[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


class RememberingIntake:
    """Stands in for Intake: accepts each valid event once, later 'duplicate' (by event id)."""

    def __init__(self) -> None:
        self.published: list[AnyFactEvent] = []
        self.chunks: list[int] = []

    async def submit(
        self, items: Sequence[AnyFactEvent | ItemResult], key: ApiKey
    ) -> list[ItemResult]:
        self.chunks.append(len(items))
        results = []
        for index, item in enumerate(items):
            if isinstance(item, ItemResult):
                results.append(item)
                continue
            seen = any(event.id == item.id for event in self.published)
            if not seen:
                self.published.append(item)
            status = ItemStatus.DUPLICATE if seen else ItemStatus.ACCEPTED
            results.append(ItemResult(index, status, 202, event_id=item.id, event_type=item.type))
        return results


def test_a_csv_row_maps_dotted_columns_to_nested_objects_and_lists() -> None:
    raw = row_to_event(audit_row(schemaversion="1", **{"data.score": "0.5"}))
    assert raw["siteid"] == "rosewood-house"
    assert raw["data"]["items"] == [
        {
            "item_id": "MED-01",
            "question": "MAR charts signed for every dose given",
            "answer": "yes",
        },
        {
            "item_id": "MED-02",
            "question": "Controlled drugs register balanced",
            "answer": "no",
            "comment": "Two entries not countersigned.",
        },
    ]
    event = parse_item(0, raw)
    assert isinstance(event, AuditCompleted)
    assert event.data.score == 0.5


def test_empty_cells_are_left_out_and_list_gaps_close_up() -> None:
    raw = row_to_event(
        {"data.items.0.item_id": "A-1", "data.items.1.item_id": " ", "data.items.2.item_id": "A-3"}
    )
    assert raw == {"data": {"items": [{"item_id": "A-1"}, {"item_id": "A-3"}]}}


def test_cells_holding_json_arrays_or_objects_are_read_as_json() -> None:
    raw = row_to_event(
        {
            "data.topics": '["activities", "garden"]',
            "data.governance": '{"death": false}',
            "data.description": "[draft] not JSON, kept as text",
        }
    )
    assert raw["data"]["topics"] == ["activities", "garden"]
    assert raw["data"]["governance"] == {"death": False}
    assert raw["data"]["description"] == "[draft] not JSON, kept as text"


def test_strings_become_booleans_and_numbers_where_the_contract_says_so() -> None:
    body = as_json_dict(fall_incident())
    cells = {key: str(value) for key, value in body.items() if not isinstance(value, dict)}
    data = body["data"]
    cells |= {f"data.{name}": value for name, value in data.items() if isinstance(value, str)}
    cells |= {
        "data.people_involved": json.dumps(data["people_involved"]),
        "data.governance.safeguarding_concern": "true",
        "data.governance.death": "false",
        "data.governance.pressure_ulcer_grade": "",
    }
    event = parse_item(0, row_to_event(cells))
    assert isinstance(event, IncidentReported), event
    assert event.data.governance.safeguarding_concern is True
    assert event.data.governance.death is False


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        ({"data.items": "[]", "data.items.0.item_id": "A-1"}, "conflicting_columns"),
        ({"data": "x", "data.kind": "concern"}, "conflicting_columns"),
        ({"data..kind": "concern"}, "invalid_column"),
        ({"": "a value under a blank header"}, "invalid_column"),
    ],
)
def test_columns_that_cannot_form_an_event_are_row_errors(cells: dict[str, str], code: str) -> None:
    with pytest.raises(RowError) as caught:
        row_to_event(cells)
    assert caught.value.code == code


def test_format_comes_from_the_option_or_the_extension() -> None:
    assert detect_format(Path("a.CSV")) is ImportFormat.CSV
    assert detect_format(Path("a.jsonl")) is ImportFormat.NDJSON
    assert detect_format(Path("a.ndjson")) is ImportFormat.NDJSON
    assert detect_format(Path("a.txt"), ImportFormat.CSV) is ImportFormat.CSV
    with pytest.raises(ImportUsageError, match="--format"):
        detect_format(Path("a.txt"))


def test_csv_rows_are_numbered_like_spreadsheet_rows_and_blank_rows_skipped(
    tmp_path: Path,
) -> None:
    path = tmp_path / "audits.csv"
    path.write_text(
        'siteid,data.text\nrosewood-house,"two\nlines"\n,\nelm-court,x,surplus\n', encoding="utf-8"
    )
    rows = list(read_rows(path, ImportFormat.CSV))
    assert [row.number for row in rows] == [2, 4]
    assert rows[0].raw == {"siteid": "rosewood-house", "data": {"text": "two\nlines"}}
    assert isinstance(rows[1].raw, RowError)
    assert rows[1].raw.code == "too_many_cells"
    assert rows[1].original["(extra cells)"] == ["surplus"]


def test_ndjson_rows_are_numbered_by_line_and_bad_json_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    path.write_text('{"type": "audit.completed"}\n\n{not json\n[1]\n', encoding="utf-8")
    rows = list(read_rows(path, ImportFormat.NDJSON))
    assert [row.number for row in rows] == [1, 3, 4]
    assert rows[0].raw == {"type": "audit.completed"}
    assert isinstance(rows[1].raw, RowError)
    assert rows[1].raw.code == "malformed_json"
    assert rows[2].raw == [1]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"siteid,siteid\na,b\n", "repeated"),
        (b"siteid\n\xff\xfe\n", "cannot read"),
    ],
)
def test_unusable_files_are_usage_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ImportUsageError, match=message):
        list(read_rows(path, ImportFormat.CSV))
    with pytest.raises(ImportUsageError, match="no such file"):
        list(read_rows(tmp_path / "missing.csv", ImportFormat.CSV))


def test_row_event_ids_are_stable_and_depend_on_file_row_and_content() -> None:
    row = SourceRow(number=2, original={"a": "1"}, digest="d1", raw={})
    same = row_event_id("harbour-care", "audits.csv", row)
    assert same == row_event_id("harbour-care", "audits.csv", row)
    others = {
        row_event_id("harbour-care", "other.csv", row),
        row_event_id("harbour-care", "audits.csv", SourceRow(3, {"a": "1"}, "d1", {})),
        row_event_id("harbour-care", "audits.csv", SourceRow(2, {"a": "2"}, "d2", {})),
        row_event_id("other-care", "audits.csv", row),
    }
    assert same not in others
    assert len(others) == 4


async def test_import_sends_good_rows_and_writes_bad_ones_to_the_rejects_file(
    tmp_path: Path,
) -> None:
    rows = [
        audit_row(),
        audit_row(**{"data.audit_type": "tea_tasting"}),
        audit_row(site="elm-court"),
        audit_row(**{"data.items.1.item_id": "MED-01"}),
    ]
    path = write_csv(tmp_path / "march audits.csv", rows)
    intake = RememberingIntake()
    progress: list[tuple[int, int]] = []

    summary = await import_events(
        path,
        intake=intake,
        key=KEY,
        options=ImportOptions(chunk_size=3),
        on_progress=lambda done, total: progress.append((done, total)),
    )

    assert (summary.rows, summary.accepted, summary.rejected) == (4, 2, 2)
    assert not summary.complete
    assert intake.chunks == [3, 1]
    assert progress == [(0, 4), (3, 4), (4, 4)]
    assert [event.siteid for event in intake.published] == ["rosewood-house", "elm-court"]
    assert summary.rejects_path == default_rejects_path(path)
    rejects = [json.loads(line) for line in summary.rejects_path.read_text().splitlines()]
    assert [reject["row"] for reject in rejects] == [3, 5]
    assert rejects[0]["code"] == "validation_failed"
    assert rejects[0]["errors"][0]["path"] == "data.audit_type"
    assert rejects[0]["original"]["data.audit_type"] == "tea_tasting"
    assert {error["path"] for error in rejects[1]["errors"]} == {
        "data.items.0.item_id",
        "data.items.1.item_id",
    }


async def test_importing_the_same_file_again_gives_the_same_ids(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "audits.csv", [audit_row(), audit_row(site="elm-court")])
    intake = RememberingIntake()
    first = await import_events(path, intake=intake, key=KEY)
    second = await import_events(path, intake=intake, key=KEY)
    assert (first.accepted, first.duplicate) == (2, 0)
    assert (second.accepted, second.duplicate) == (0, 2)
    assert second.complete
    assert second.rejects_path is None
    assert not default_rejects_path(path).exists()


async def test_defaults_fill_envelope_attributes_the_file_leaves_out(tmp_path: Path) -> None:
    row = {key: value for key, value in audit_row().items() if "." in key}  # data only
    path = write_csv(tmp_path / "data-only.csv", [row])
    intake = RememberingIntake()
    options = ImportOptions(
        event_type="audit.completed",
        siteid="elm-court",
        region="north-west",
        source="/imports/audits",
    )
    summary = await import_events(path, intake=intake, key=KEY, options=options)
    assert summary.accepted == 1, summary
    [event] = intake.published
    assert (event.type, event.providerid, event.siteid) == (
        "audit.completed",
        "harbour-care",
        "elm-court",
    )


async def test_a_row_of_another_type_than_the_type_option_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "events.ndjson"
    path.write_text(json.dumps(as_json_dict(fall_incident())) + "\n", encoding="utf-8")
    summary = await import_events(
        path,
        intake=RememberingIntake(),
        key=KEY,
        options=ImportOptions(event_type="audit.completed"),
    )
    assert summary.rejected == 1
    [reject] = [json.loads(line) for line in default_rejects_path(path).read_text().splitlines()]
    assert reject["code"] == "wrong_event_type"
    assert reject["row"] == 1


async def test_an_absurd_claimed_score_is_rejected_not_fatal(tmp_path: Path) -> None:
    audit = parse_item(0, row_to_event(audit_row()))
    assert isinstance(audit, AuditCompleted)
    body = audit.model_dump(mode="json")
    body["data"]["score"] = 10**400  # once overflowed the score check with an OverflowError
    path = tmp_path / "audits.jsonl"
    path.write_text(json.dumps(body) + "\n" + json.dumps(audit.model_dump(mode="json")) + "\n")
    summary = await import_events(path, intake=RememberingIntake(), key=KEY)
    assert (summary.rejected, summary.accepted) == (1, 1)
    [reject] = [json.loads(line) for line in default_rejects_path(path).read_text().splitlines()]
    assert (reject["row"], reject["code"]) == (1, "validation_failed")
