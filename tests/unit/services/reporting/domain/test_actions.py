"""Improvement actions: a fold that does not care about order, and the metrics built on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.reporting.domain.actions import (
    ActionRecord,
    accountability,
    actions_in_period,
    median_days,
    share,
)
from services.reporting.domain.periods import Granularity, Month, period_of
from shared.events.derived import (
    ActionChangeKind,
    ActionStatus,
    ActionUpdate,
    EffectivenessReview,
    ImprovementActionChange,
)

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
MARCH = period_of(Month(2025, 3), Granularity.MONTH)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


def update(n: int, status: ActionStatus, owner: str | None = None) -> ActionUpdate:
    change = ActionChangeKind.COMPLETED if status is ActionStatus.COMPLETED else (
        ActionChangeKind.ASSIGNED
    )  # fmt: skip
    return ActionUpdate(action_id="A", change=change, status=status, at=day(n), owner_role=owner)


def opened(due_in: int = 28) -> ActionRecord:
    record = ActionRecord("A", "p", "r", "s")
    change = ImprovementActionChange(
        action_id="A", rule_id="r", title="Falls", theme_id="falls", source_event_id="E",
        due_at=day(due_in),
    )  # fmt: skip
    record.opened(change, T0, settled=True)
    return record


def test_updates_fold_to_the_same_row_in_any_order() -> None:
    updates = [update(1, ActionStatus.IN_PROGRESS, "registered_manager"),
               update(10, ActionStatus.COMPLETED)]  # fmt: skip
    forward, backward = opened(), opened()
    for u in updates:
        forward.updated(u, u.at)
    for u in reversed(updates):
        backward.updated(u, u.at)
    assert forward == backward
    assert (forward.status, forward.owner_role, forward.completed_at) == (
        "completed", "registered_manager", day(10)
    )  # fmt: skip
    assert forward.days_to_complete == 10.0 and forward.done


def test_a_completion_recorded_last_wins_though_its_effective_time_is_earlier() -> None:
    """Assigned and progress noted today, completion entered afterwards as done last week: the
    action is completed (on its effective day), in whichever order the events are folded."""
    now = day(30)
    changes = [
        (update(30, ActionStatus.IN_PROGRESS, "registered_manager"), now),
        (update(30, ActionStatus.IN_PROGRESS), now + timedelta(minutes=1)),
        (update(23, ActionStatus.COMPLETED), now + timedelta(minutes=2)),
    ]
    forward, backward = opened(), opened()
    for change, recorded in changes:
        forward.updated(change, recorded)
    for change, recorded in reversed(changes):
        backward.updated(change, recorded)
    assert forward == backward
    assert (forward.status, forward.done, forward.completed_at) == ("completed", True, day(23))
    assert forward.owner_role == "registered_manager"
    assert actions_in_period([forward], MARCH, now=now).completed == 1


def test_a_review_sets_the_verdict_and_status_unless_something_changed_later() -> None:
    record = opened()
    record.updated(update(10, ActionStatus.COMPLETED), day(10))
    review = EffectivenessReview(
        action_id="A", verdict="not_effective", window_days=30, events_before=3,
        events_after=3, reviewed_at=day(40),
    )  # fmt: skip
    record.reviewed(review, day(40))
    assert (record.status, record.verdict, record.done) == ("not_effective", "not_effective", False)
    assert record.overdue(day(41))  # reopened and past its due date
    record.updated(update(35, ActionStatus.IN_PROGRESS), day(35))  # recorded before the review
    assert record.status == "not_effective"
    record.updated(update(35, ActionStatus.IN_PROGRESS), day(42))  # recorded after it
    assert record.status == "in_progress"


def test_missed_due_date_means_late_or_still_not_done() -> None:
    on_time, late, open_ = opened(), opened(), opened()
    on_time.updated(update(20, ActionStatus.COMPLETED), day(20))
    late.updated(update(30, ActionStatus.COMPLETED), day(30))
    assert not on_time.missed_due_date(day(60)) and late.missed_due_date(day(60))
    assert not open_.missed_due_date(day(27)) and open_.missed_due_date(day(29))


def test_median_and_share() -> None:
    assert median_days([3.0, None, 1.0, 10.0]) == 3.0
    assert median_days([1.0, 2.0]) == 1.5
    assert median_days([None]) is None
    assert (share(2, 3), share(0, 0)) == (0.667, None)


def test_period_counts_and_accountability() -> None:
    done, waiting = opened(due_in=10), opened(due_in=20)
    done.updated(update(4, ActionStatus.COMPLETED, "nurse_lead"), day(4))
    counts = actions_in_period([done, waiting], MARCH, now=day(25))
    assert (counts.opened, counts.completed, counts.overdue) == (2, 1, 1)
    assert counts.median_days_to_complete == 4.0
    owners = {a.owner_role: (a.actions, a.open, a.overdue) for a in accountability(
        [done, waiting], day(25))}  # fmt: skip
    assert owners == {"nurse_lead": (1, 0, 0), "unassigned": (1, 1, 1)}
