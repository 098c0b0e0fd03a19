"""Improvement action lifecycle: which changes are allowed in which status, and the
effectiveness verdict after completion. Pure rules, no I/O."""

from __future__ import annotations

from dataclasses import dataclass

from services.learning.domain.action_rules import EffectivenessRule
from shared.events.derived import ActionChangeKind, ActionStatus

OPEN_STATES = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.NOT_EFFECTIVE})


class TransitionError(ValueError):
    """The change is not allowed for the action's current status."""


def next_status(current: ActionStatus, change: ActionChangeKind) -> ActionStatus:
    """The status after ``change``; raises TransitionError when it is not allowed."""
    if current is ActionStatus.CLOSED:
        raise TransitionError("the action is closed")
    if change is ActionChangeKind.CLOSED:
        return ActionStatus.CLOSED
    if current not in OPEN_STATES:
        raise TransitionError(f"the action is {current.value}; only closing is allowed")
    if change is ActionChangeKind.COMPLETED:
        return ActionStatus.COMPLETED
    # Assigning, noting progress or adding evidence means work is under way.
    return ActionStatus.IN_PROGRESS


@dataclass(frozen=True)
class Verdict:
    """The outcome of an effectiveness review."""

    effective: bool
    events_before: int
    events_after: int


def judge_by_recurrence(before: int, after: int, rule: EffectivenessRule) -> Verdict:
    """Effective when the count after fell by at least the required share (0 stays 0 counts)."""
    # With nothing before, only "still nothing" counts as effective.
    effective = after == 0 if before == 0 else after <= before * (1 - rule.required_reduction)
    return Verdict(effective=effective, events_before=before, events_after=after)


def judge_by_audit(scores_after: list[float], rule: EffectivenessRule) -> Verdict | None:
    """Effective when every audit of that type after completion met the target; None until
    there is at least one."""
    if not scores_after:
        return None
    effective = all(score >= rule.audit_score_target for score in scores_after)
    return Verdict(effective=effective, events_before=0, events_after=len(scores_after))
