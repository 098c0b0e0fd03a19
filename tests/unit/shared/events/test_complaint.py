"""The ``complaint.received`` contract."""

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from shared.events import ComplaintCategory, ComplaintReceived, sensitive_fields
from tests.unit.shared.events.examples import (
    assert_only_errors_at,
    changed,
    complaint_received,
    error_locs,
    without,
)


def test_complaint_round_trips_through_json() -> None:
    event = complaint_received()
    wire = event.to_json_bytes()
    assert ComplaintReceived.from_json_bytes(wire) == event
    assert ComplaintReceived.from_json_bytes(wire).to_json_bytes() == wire


@pytest.mark.parametrize(
    ("received_at", "expected", "received_on"),
    [
        ("2025-04-07", date(2025, 4, 7), date(2025, 4, 7)),
        (
            "2025-04-07T23:30:00-01:00",
            datetime(2025, 4, 8, 0, 30, tzinfo=UTC),
            date(2025, 4, 8),
        ),
    ],
)
def test_received_at_is_a_plain_date_or_an_aware_datetime(
    received_at: str, expected: date, received_on: date
) -> None:
    raw = changed(complaint_received(), ["data", "received_at"], received_at)
    event = ComplaintReceived.model_validate(raw)
    assert event.data.received_at == expected
    assert type(event.data.received_at) is type(expected)
    assert event.data.received_on == received_on
    assert ComplaintReceived.from_json_bytes(event.to_json_bytes()) == event


def test_a_complaint_about_something_long_ago_is_still_recorded() -> None:
    raw = changed(complaint_received(), ["data", "event_date"], "2022-01-10")
    assert ComplaintReceived.model_validate(raw).data.event_date == date(2022, 1, 10)


def test_minimal_anonymous_complaint_is_valid() -> None:
    raw = without(complaint_received(), ["data", "complainant_ref"])
    raw["data"]["complainant_type"] = "anonymous"
    for optional in ("subject_person_ref", "desired_outcome", "event_date", "is_funded_by"):
        del raw["data"][optional]
    complaint = ComplaintReceived.model_validate(raw).data
    assert complaint.complainant_ref is None
    assert complaint.is_funded_by == "unknown"


def test_summary_and_desired_outcome_are_marked_sensitive() -> None:
    assert sensitive_fields(ComplaintReceived) == ["data.summary", "data.desired_outcome"]


def test_categories_include_the_most_common_national_category() -> None:
    assert ComplaintCategory.COMMUNICATION.value == "communication"
    assert len(ComplaintCategory) == 13


@pytest.mark.parametrize(
    ("path", "value", "expected_loc"),
    [
        (["data", "received_at"], "2025-04-07T09:00:00", ("data", "received_at")),
        (["data", "received_at"], "2025-04-07T00:00:00", ("data", "received_at")),
        (["data", "received_at"], "7 April 2025", ("data", "received_at")),
        (["data", "channel"], "fax", ("data", "channel")),
        (["data", "complainant_type"], "neighbour", ("data", "complainant_type")),
        (["data", "category"], "food", ("data", "category")),
        (["data", "severity"], "critical", ("data", "severity")),
        (["data", "is_funded_by"], "private", ("data", "is_funded_by")),
        (["data", "complainant_ref"], "John Smith", ("data", "complainant_ref")),
        (["data", "subject_person_ref"], "Mrs Jones", ("data", "subject_person_ref")),
        (["data", "complainant_type"], "anonymous", ("data", "complainant_ref")),
        (["data", "event_date"], "2025-03-29T10:00:00Z", ("data", "event_date")),
        (["data", "summary"], "   ", ("data", "summary")),
        (["data", "desired_outcome"], "x" * 2001, ("data", "desired_outcome")),
        (["data", "complainant_name"], "Ann", ("data", "complainant_name")),
    ],
)
def test_invalid_complaints_are_rejected_at_the_field(
    path: list[str], value: object, expected_loc: tuple[str, ...]
) -> None:
    with pytest.raises(ValidationError) as caught:
        ComplaintReceived.model_validate(changed(complaint_received(), path, value))
    assert_only_errors_at(caught.value, expected_loc)


@pytest.mark.parametrize(
    "field", ["received_at", "channel", "complainant_type", "category", "summary", "severity"]
)
def test_missing_complaint_fields_are_reported(field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ComplaintReceived.model_validate(without(complaint_received(), ["data", field]))
    assert error_locs(caught.value) == [("data", field)]
