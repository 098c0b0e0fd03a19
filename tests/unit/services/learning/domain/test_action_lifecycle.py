"""Action status transitions and effectiveness verdicts (pure rules)."""

from __future__ import annotations

import pytest

from services.learning.domain.action_lifecycle import (
    TransitionError,
    judge_by_audit,
    judge_by_recurrence,
    next_status,
)
from services.learning.domain.action_rules import EffectivenessRule
from shared.events.derived import ActionChangeKind as Change
from shared.events.derived import ActionStatus as Status

RULE = EffectivenessRule(window_days=60, required_reduction=0.25, audit_score_target=0.9)


@pytest.mark.parametrize(
    ("current", "change", "expected"),
    [
        (Status.OPEN, Change.ASSIGNED, Status.IN_PROGRESS),
        (Status.OPEN, Change.COMPLETED, Status.COMPLETED),
        (Status.IN_PROGRESS, Change.EVIDENCE_ADDED, Status.IN_PROGRESS),
        (Status.NOT_EFFECTIVE, Change.PROGRESS_NOTE, Status.IN_PROGRESS),
        (Status.COMPLETED, Change.CLOSED, Status.CLOSED),
        (Status.VERIFIED_EFFECTIVE, Change.CLOSED, Status.CLOSED),
    ],
)
def test_allowed_transitions(current: Status, change: Change, expected: Status) -> None:
    assert next_status(current, change) is expected


@pytest.mark.parametrize(
    ("current", "change"),
    [
        (Status.CLOSED, Change.PROGRESS_NOTE),
        (Status.CLOSED, Change.CLOSED),
        (Status.COMPLETED, Change.ASSIGNED),
        (Status.VERIFIED_EFFECTIVE, Change.COMPLETED),
    ],
)
def test_refused_transitions(current: Status, change: Change) -> None:
    with pytest.raises(TransitionError):
        next_status(current, change)


@pytest.mark.parametrize(
    ("before", "after", "effective"),
    [(4, 3, True), (4, 4, False), (8, 6, True), (8, 7, False), (0, 0, True), (0, 1, False)],
)
def test_recurrence_verdict_needs_the_required_reduction(
    before: int, after: int, effective: bool
) -> None:
    verdict = judge_by_recurrence(before, after, RULE)
    assert verdict.effective is effective
    assert (verdict.events_before, verdict.events_after) == (before, after)


def test_audit_verdict_waits_for_a_re_audit_then_needs_every_score_on_target() -> None:
    assert judge_by_audit([], RULE) is None
    assert judge_by_audit([0.95, 0.9], RULE).effective is True  # type: ignore[union-attr]
    assert judge_by_audit([0.95, 0.8], RULE).effective is False  # type: ignore[union-attr]
