"""Monthly tallies of improvement actions, obligations, alerts and lessons: what each row counts.

A row counts in a few (month, metric, dimension) cells, by the London month of each date that
matters (opened, completed, due...). When the projection changes a row it takes away the row's
old tallies and adds its new ones, so summing the tallies of some months always gives what
counting the rows would - without reading them (``tally_metrics`` and the rollup tests).

Two things need more than a count:
- The clock. An unfinished action or unmet obligation becomes overdue once its due date passes
  ``now``; such rows are tallied by due month and due day, so all but the ones due today are
  placed before or after ``now`` by their tally, and the reader counts today's live
  (:class:`BeforeNow`).
- Medians of days to complete. Completed actions are tallied in a histogram of whole days to
  complete; the histogram says which day holds the middle values, and the reader fetches just
  the completed actions of that day (:class:`MedianPlan`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from services.reporting.domain.actions import UNASSIGNED, ActionRecord
from services.reporting.domain.obligations import ObligationRecord
from services.reporting.domain.periods import london, month_of
from shared.events.derived import ActionStatus

Tally = tuple[str, str, str]
"""(month, metric, dimension) of one thing counted."""

ACTIONS_OPENED = "actions.opened"
ACTIONS_COMPLETED = "actions.completed"  # done, by month completed
ACTIONS_COMPLETED_DAYS = "actions.completed.days"  # dimension: whole days to complete
ACTIONS_ESCALATED = "actions.escalated"
ACTIONS_REVIEWED = "actions.reviewed"
ACTIONS_VERIFIED = "actions.verified_effective"  # reviewed with that verdict, by review month
ACTIONS_LATE = "actions.due.completed_late"  # by due month
ACTIONS_UNFINISHED = "actions.due.unfinished"  # by due month, dimension: due day (DD)
OWNER_ACTIONS = "owners.actions"  # by month opened, dimension: owner role
OWNER_DONE = "owners.done"
OWNER_VERIFIED = "owners.verified_effective"
OWNER_COMPLETED_DAYS = "owners.completed.days"  # dimension: "<whole days>|<role>"
OWNER_OPEN_DUE = "owners.open.due."  # + due month (YYYY-MM), dimension: "<due day>|<role>"
OBLIGATIONS_DUE = "obligations.due"  # by due month, dimension: kind
OBLIGATIONS_MET = "obligations.met"
OBLIGATIONS_MET_ON_TIME = "obligations.met_on_time"
OBLIGATIONS_FLAGGED = "obligations.unmet_flagged_overdue"
OBLIGATIONS_UNMET = "obligations.unmet"  # neither met nor flagged; dimension "<kind>|<due day>"
OBLIGATIONS_STATUTORY = "obligations.statutory"  # dimension: "<kind>|<statutory wording>"
ALERTS_RAISED = "alerts.raised"
LESSONS_SHARED = "lessons.shared"
VERIFIED_EFFECTIVE = ActionStatus.VERIFIED_EFFECTIVE.value
MICROSECONDS_PER_DAY = 86_400_000_000


def due_day(moment: datetime) -> str:
    """The London day of the month (``DD``) of a due date."""
    return f"{london(moment).day:02d}"


def completion_microseconds(record: ActionRecord) -> int | None:
    """Exact time from opening to completion, when both are known."""
    if record.opened_at is None or record.completed_at is None:
        return None
    span = record.completed_at - record.opened_at
    return (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds


def completion_day(microseconds: int) -> int:
    """Whole days to complete (floor): the histogram bucket."""
    return microseconds // MICROSECONDS_PER_DAY


def action_tallies(record: ActionRecord) -> list[Tally]:
    """Where one improvement action counts."""
    found: list[Tally] = []
    completed = record.done and record.completed_at is not None
    micros = completion_microseconds(record) if completed else None
    if record.opened_at is not None:
        opened, role = month_of(record.opened_at), record.owner_role or UNASSIGNED
        found.append((opened, ACTIONS_OPENED, ""))
        found.append((opened, OWNER_ACTIONS, role))
        if record.done:
            found.append((opened, OWNER_DONE, role))
        elif record.due_at is not None:
            due = OWNER_OPEN_DUE + month_of(record.due_at)
            found.append((opened, due, f"{due_day(record.due_at)}|{role}"))
        if record.verdict == VERIFIED_EFFECTIVE:
            found.append((opened, OWNER_VERIFIED, role))
        if micros is not None:
            found.append((opened, OWNER_COMPLETED_DAYS, f"{completion_day(micros)}|{role}"))
    if completed and record.completed_at is not None:
        month = month_of(record.completed_at)
        found.append((month, ACTIONS_COMPLETED, ""))
        if micros is not None:
            found.append((month, ACTIONS_COMPLETED_DAYS, str(completion_day(micros))))
    if record.escalated_at is not None:
        found.append((month_of(record.escalated_at), ACTIONS_ESCALATED, ""))
    if record.reviewed_at is not None:
        reviewed = month_of(record.reviewed_at)
        found.append((reviewed, ACTIONS_REVIEWED, ""))
        if record.verdict == VERIFIED_EFFECTIVE:
            found.append((reviewed, ACTIONS_VERIFIED, ""))
    if record.due_at is not None:
        due = month_of(record.due_at)
        if completed and record.completed_at is not None:
            if record.completed_at > record.due_at:
                found.append((due, ACTIONS_LATE, ""))
        else:
            found.append((due, ACTIONS_UNFINISHED, due_day(record.due_at)))
    return found


def obligation_tallies(record: ObligationRecord) -> list[Tally]:
    """Where one obligation counts: all by its due month, per kind."""
    due, kind = month_of(record.due_at), record.kind
    found: list[Tally] = [(due, OBLIGATIONS_DUE, kind)]
    if record.met_at is not None:
        found.append((due, OBLIGATIONS_MET, kind))
        if record.on_time:
            found.append((due, OBLIGATIONS_MET_ON_TIME, kind))
    elif record.flagged_overdue:
        found.append((due, OBLIGATIONS_FLAGGED, kind))
    else:
        found.append((due, OBLIGATIONS_UNMET, f"{kind}|{due_day(record.due_at)}"))
    if record.statutory:
        found.append((due, OBLIGATIONS_STATUTORY, f"{kind}|{record.statutory}"))
    return found


def changes(old: Iterable[Tally], new: Iterable[Tally]) -> list[tuple[str, str, str, int]]:
    """What to add to the tallies when a row's tallies go from ``old`` to ``new``."""
    delta: dict[Tally, int] = {}
    for tally in old:
        delta[tally] = delta.get(tally, 0) - 1
    for tally in new:
        delta[tally] = delta.get(tally, 0) + 1
    return [(*tally, count) for tally, count in delta.items() if count]


@dataclass(frozen=True)
class BeforeNow:
    """Counted live: what falls due today (London) before ``now``."""

    actions_unfinished: int = 0
    obligations_unmet: Mapping[str, int] = field(default_factory=dict)  # by kind
    owners_open: Mapping[str, int] = field(default_factory=dict)  # by role, opened in the span


@dataclass(frozen=True)
class MedianPlan:
    """Where the middle values of a group lie: (whole days, 0-based index within that day)
    of the lower and the upper middle (the same one when the count is odd)."""

    lower: tuple[int, int]
    upper: tuple[int, int]


def plan_median(histogram: Mapping[int, int]) -> MedianPlan | None:
    """The plan for a histogram of completions per whole day; None when it is empty."""
    total = sum(count for count in histogram.values() if count > 0)
    if not total:
        return None
    ranks = ((total + 1) // 2, total // 2 + 1)  # 1-based lower and upper middle
    found: list[tuple[int, int]] = []
    for rank in ranks:
        seen = 0
        for day in sorted(histogram):
            count = histogram[day]
            if count > 0 and seen + count >= rank:
                found.append((day, rank - seen - 1))
                break
            seen += max(count, 0)
    return MedianPlan(found[0], found[1])


def median_of(lower: int, upper: int) -> float:
    """The median in days from the two middle durations in microseconds, computed as
    ``statistics.median`` of ``timedelta.total_seconds() / 86400`` values would."""
    low, high = lower / 1_000_000 / 86_400, upper / 1_000_000 / 86_400
    return round((low + high) / 2, 1)


def medians_from(
    plans: Mapping[str, MedianPlan | None], values: Mapping[tuple[str, int], list[int]]
) -> dict[str, float | None]:
    """Medians per group from their plans and the durations (microseconds) of the days the
    plans point at, by (group, whole days)."""
    found: dict[str, float | None] = {}
    for key, plan in plans.items():
        if plan is None:
            found[key] = None
            continue
        (low_day, low_at), (high_day, high_at) = plan.lower, plan.upper
        low = sorted(values[(key, low_day)])[low_at]
        high = sorted(values[(key, high_day)])[high_at]
        found[key] = median_of(low, high)
    return found
