"""What each fact adds to the cube: integer counts, placed in its own month."""

from __future__ import annotations

from datetime import date

from services.reporting.domain.facts import Delta, fact_entry
from tests.unit.shared.events.examples import (
    audit_completed,
    complaint_received,
    fall_incident,
    feedback_received,
)


def test_incident() -> None:
    entry = fact_entry(fall_incident())
    assert (entry.month, entry.detail, entry.physical_harm) == ("2025-03", "fall", "low")
    assert Delta("incidents.physical_harm", "low") in entry.deltas
    assert Delta("incidents") in entry.deltas


def test_audit_score_is_kept_in_millionths() -> None:
    entry = fact_entry(audit_completed())  # 3 yes, 1 no
    assert entry.score_ppm == 750_000
    assert Delta("audits.scored", "medication", 1, 750_000) in entry.deltas
    assert Delta("audits.failed_items", "medication", 1) in entry.deltas


def test_complaint_received_on_a_day_counts_at_midday() -> None:
    event = complaint_received()
    dated = event.model_copy(update={"data": event.data.model_copy(
        update={"received_at": date(2025, 4, 30)})})  # fmt: skip
    entry = fact_entry(dated)
    assert (entry.month, entry.occurred_at.hour) == ("2025-04", 12)


def test_feedback_counts_rating_and_compliments() -> None:
    entry = fact_entry(feedback_received())  # a five-star compliment
    assert set(entry.deltas) == {
        Delta("feedback"), Delta("feedback.kind", "compliment"), Delta("feedback.rating", "", 1, 5),
        Delta("feedback.compliments"),
    }  # fmt: skip
