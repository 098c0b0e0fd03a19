"""The ``audit.completed`` contract and its derived score."""

import json
from typing import Any

import pytest
from pydantic import ValidationError

from shared.events import Audit, AuditAnswer, AuditCompleted, AuditType, sensitive_fields
from tests.unit.shared.events.examples import (
    as_json_dict,
    assert_only_errors_at,
    audit_completed,
    changed,
    error_locs,
)

PROGRAMME = {
    "monthly": ["medication", "infection_prevention_control", "falls_and_incidents",
                "care_plan_quality", "call_bell_response", "weight_nutrition",
                "pressure_area_care"],
    "quarterly": ["health_and_safety", "staffing_dependency", "mca_dols",
                  "complaints_compliments", "dignity", "mealtime_experience"],
    "six_monthly": ["safeguarding", "training_compliance", "recruitment_files",
                    "information_governance"],
    "annual": ["fire_safety", "legionella", "business_continuity", "surveys", "policy_review"],
}  # fmt: skip


def audit_with_answers(*answers: str) -> Audit:
    raw = as_json_dict(audit_completed())["data"]
    del raw["score"]
    raw["items"] = [
        {"item_id": f"Q{index}", "question": f"Question {index}", "answer": answer}
        for index, answer in enumerate(answers, start=1)
    ]
    return Audit.model_validate(raw)


def test_audit_round_trips_through_json() -> None:
    event = audit_completed()
    wire = event.to_json_bytes()
    assert json.loads(wire)["data"]["score"] == 0.75
    parsed = AuditCompleted.from_json_bytes(wire)
    assert parsed == event
    assert parsed.to_json_bytes() == wire


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (("yes", "yes", "yes", "no", "not_applicable"), 0.75),
        (("yes",), 1.0),
        (("no", "no"), 0.0),
        (("yes", "no", "no"), 1 / 3),
        (("yes", "no", "not_applicable", "not_applicable"), 0.5),
        (("not_applicable", "not_applicable"), None),
    ],
)
def test_score_is_yes_over_yes_plus_no(answers: tuple[str, ...], expected: float | None) -> None:
    assert audit_with_answers(*answers).score == expected


def test_failed_items_are_the_no_answers() -> None:
    audit = audit_with_answers("yes", "no", "not_applicable", "no")
    assert [item.item_id for item in audit.failed_items] == ["Q2", "Q4"]
    assert all(item.answer is AuditAnswer.NO for item in audit.failed_items)


def test_an_audit_without_applicable_items_round_trips_without_a_score() -> None:
    raw = as_json_dict(audit_completed())
    raw["data"] = audit_with_answers("not_applicable").model_dump(mode="json")
    event = AuditCompleted.model_validate(raw)
    assert event.data.score is None
    assert "score" not in json.loads(event.to_json_bytes())["data"]
    assert AuditCompleted.from_json_bytes(event.to_json_bytes()) == event


def test_an_incoming_score_that_disagrees_with_the_items_is_rejected() -> None:
    with pytest.raises(ValidationError) as caught:
        AuditCompleted.model_validate(changed(audit_completed(), ["data", "score"], 0.9))
    assert error_locs(caught.value) == [("data", "score")]


@pytest.mark.parametrize("score", [0.75, 0.7500000000001])
def test_an_incoming_score_matching_the_items_is_accepted(score: float) -> None:
    raw = changed(audit_completed(), ["data", "score"], score)
    assert AuditCompleted.model_validate(raw).data.score == 0.75


def test_audit_types_cover_the_audit_programme() -> None:
    assert {audit for audits in PROGRAMME.values() for audit in audits} == set(AuditType)


def test_comments_and_evidence_are_marked_sensitive() -> None:
    assert sensitive_fields(AuditCompleted) == ["data.items.comment", "data.items.evidence"]


def _duplicate_ids() -> dict[str, Any]:
    raw = as_json_dict(audit_completed())
    raw["data"]["items"][3]["item_id"] = "MED-01"
    del raw["data"]["score"]
    return raw


def test_duplicate_item_ids_are_reported_on_each_duplicate() -> None:
    with pytest.raises(ValidationError) as caught:
        AuditCompleted.model_validate(_duplicate_ids())
    assert error_locs(caught.value) == [
        ("data", "items", 0, "item_id"),
        ("data", "items", 3, "item_id"),
    ]


@pytest.mark.parametrize(
    ("path", "value", "expected_loc"),
    [
        (["data", "audit_type"], "kitchen", ("data", "audit_type")),
        (["data", "frequency"], "weekly", ("data", "frequency")),
        (["data", "auditor_role"], "cook", ("data", "auditor_role")),
        (["data", "completed_at"], "2025-03-31T16:00:00", ("data", "completed_at")),
        (["data", "period_end"], "2025-02-28", ("data", "period_end")),
        (["data", "items"], [], ("data", "items")),
        (["data", "items", 0, "answer"], "partly", ("data", "items", 0, "answer")),
        (["data", "items", 1, "item_id"], "MED 02", ("data", "items", 1, "item_id")),
        (["data", "items", 1, "question"], "", ("data", "items", 1, "question")),
        (["data", "items", 2, "auditor"], "x", ("data", "items", 2, "auditor")),
    ],
)
def test_invalid_audits_are_rejected_at_the_field(
    path: list[str | int], value: object, expected_loc: tuple[str | int, ...]
) -> None:
    raw = changed(audit_completed(), path, value)
    del raw["data"]["score"]
    with pytest.raises(ValidationError) as caught:
        AuditCompleted.model_validate(raw)
    assert_only_errors_at(caught.value, expected_loc)
