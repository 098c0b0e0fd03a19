"""The ``feedback.received`` contract."""

import pytest
from pydantic import ValidationError

from shared.events import FeedbackReceived, sensitive_fields
from tests.unit.shared.events.examples import (
    assert_only_errors_at,
    changed,
    error_locs,
    feedback_received,
    without,
)


def test_feedback_round_trips_through_json() -> None:
    event = feedback_received()
    wire = event.to_json_bytes()
    assert FeedbackReceived.from_json_bytes(wire) == event
    assert FeedbackReceived.from_json_bytes(wire).to_json_bytes() == wire


@pytest.mark.parametrize("missing", ["text", "rating"])
def test_a_rating_or_some_text_is_enough(missing: str) -> None:
    data = FeedbackReceived.model_validate(without(feedback_received(), ["data", missing])).data
    assert getattr(data, missing) is None


def test_text_is_marked_sensitive() -> None:
    assert sensitive_fields(FeedbackReceived) == ["data.text"]


def test_feedback_without_rating_or_text_is_rejected_at_text() -> None:
    raw = without(feedback_received(), ["data", "rating"])
    del raw["data"]["text"]
    with pytest.raises(ValidationError) as caught:
        FeedbackReceived.model_validate(raw)
    assert error_locs(caught.value) == [("data", "text")]


@pytest.mark.parametrize(
    ("path", "value", "expected_loc"),
    [
        (["data", "rating"], 6, ("data", "rating")),
        (["data", "rating"], 0, ("data", "rating")),
        (["data", "rating"], 4.5, ("data", "rating")),
        (["data", "source"], "tripadvisor", ("data", "source")),
        (["data", "kind"], "complaint", ("data", "kind")),
        (["data", "received_at"], "2025-06-01T18:40:00", ("data", "received_at")),
        (["data", "about_staff_ref"], "Nurse Jane", ("data", "about_staff_ref")),
        (["data", "topics"], ["x" * 51], ("data", "topics", 0)),
        (["data", "topics"], ["t"] * 21, ("data", "topics")),
        (["data", "text"], "", ("data", "text")),
        (["data", "reviewer"], "x", ("data", "reviewer")),
    ],
)
def test_invalid_feedback_is_rejected_at_the_field(
    path: list[str | int], value: object, expected_loc: tuple[str | int, ...]
) -> None:
    with pytest.raises(ValidationError) as caught:
        FeedbackReceived.model_validate(changed(feedback_received(), path, value))
    assert_only_errors_at(caught.value, expected_loc)
