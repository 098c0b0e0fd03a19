"""What intake logs about submitted events: ids, types and outcomes, never free text."""

from __future__ import annotations

from structlog.testing import capture_logs

from services.intake.http.app import _log_outcomes
from services.intake.submission import ItemResult, ItemStatus


def accepted(index: int, event_id: str) -> ItemResult:
    return ItemResult(
        index=index, status=ItemStatus.ACCEPTED, http_status=202, event_id=event_id,
        event_type="incident.reported",
    )  # fmt: skip


def rejected(index: int, code: str) -> ItemResult:
    return ItemResult(index=index, status=ItemStatus.REJECTED, http_status=422, code=code)


def test_a_single_event_gets_its_own_line() -> None:
    with capture_logs() as lines:
        _log_outcomes([accepted(0, "e-1")])
    assert lines == [
        {
            "event": "event accepted", "event_id": "e-1", "event_type": "incident.reported",
            "code": None, "log_level": "info",
        }
    ]  # fmt: skip


def test_a_batch_gets_one_line_per_outcome_naming_every_event() -> None:
    results = [accepted(0, "e-1"), rejected(1, "validation_failed"), accepted(2, "e-2")]
    results.append(rejected(3, "validation_failed"))
    with capture_logs() as lines:
        _log_outcomes(results)
    assert lines == [
        {
            "event": "events accepted", "count": 2, "event_ids": ["e-1", "e-2"], "codes": {},
            "log_level": "info",
        },
        {
            "event": "events rejected", "count": 2, "event_ids": [],
            "codes": {"validation_failed": 2}, "log_level": "info",
        },
    ]  # fmt: skip
