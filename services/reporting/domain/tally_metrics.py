"""Governance metrics of actions and obligations from monthly tallies - the same numbers as
counting the rows (``actions_in_period``, ``accountability``, ``tally``), without the rows.

The reader adds what tallies cannot hold (see ``tallies``): today's live counts
(:class:`BeforeNow`) and the medians, worked out from the histograms' plans. When rows of one
obligation kind carry different statutory wordings, the alphabetically first is reported
(counting rows reported whichever row came first).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from services.reporting.domain.actions import Accountability, ActionsInPeriod, share
from services.reporting.domain.cube import CubeView
from services.reporting.domain.obligations import ObligationTally
from services.reporting.domain.periods import LONDON, Period, month_of
from services.reporting.domain.tallies import (
    ACTIONS_COMPLETED,
    ACTIONS_COMPLETED_DAYS,
    ACTIONS_ESCALATED,
    ACTIONS_LATE,
    ACTIONS_OPENED,
    ACTIONS_REVIEWED,
    ACTIONS_UNFINISHED,
    ACTIONS_VERIFIED,
    OBLIGATIONS_DUE,
    OBLIGATIONS_FLAGGED,
    OBLIGATIONS_MET,
    OBLIGATIONS_MET_ON_TIME,
    OBLIGATIONS_STATUTORY,
    OBLIGATIONS_UNMET,
    OWNER_ACTIONS,
    OWNER_COMPLETED_DAYS,
    OWNER_DONE,
    OWNER_OPEN_DUE,
    OWNER_VERIFIED,
    BeforeNow,
)


@dataclass(frozen=True)
class Clock:
    """``now`` as the tallies split it: its London month and day of the month."""

    now: datetime
    month: str
    day: str

    @classmethod
    def at(cls, now: datetime) -> Clock:
        """The split of ``now``."""
        return cls(now, month_of(now), f"{now.astimezone(LONDON).day:02d}")

    def due_before(self, month: str, day: str) -> bool:
        """Whether things due on ``day`` of ``month`` fell due before today (London)."""
        return month < self.month or (month == self.month and day < self.day)


def overdue_by_day(
    view: CubeView, metric: str, months: Sequence[str], clock: Clock, day_of: int
) -> dict[str, int]:
    """Per the rest of the dimension, what is tallied by due day before today. The due day
    is part ``day_of`` (0 or 1) of a two-part dimension ``a|b``, or the whole dimension."""
    found: dict[str, int] = {}
    for month in months:
        for dimension, count in view.by_dimension(metric, [month]).items():
            parts = dimension.split("|", 1) if "|" in dimension else [dimension, ""]
            day, rest = parts[day_of], parts[1 - day_of]
            if clock.due_before(month, day):
                found[rest] = found.get(rest, 0) + count
    return found


def actions_tallied(
    view: CubeView, period: Period, clock: Clock, before_now: BeforeNow,
    median_days: float | None,
) -> ActionsInPeriod:  # fmt: skip
    """What happened to actions in ``period`` (``median_days``: of those completed in it)."""
    months = period.months
    overdue = view.count(ACTIONS_LATE, months)
    overdue += sum(overdue_by_day(view, ACTIONS_UNFINISHED, months, clock, 0).values())
    if clock.month in months:
        overdue += before_now.actions_unfinished
    reviewed = view.count(ACTIONS_REVIEWED, months)
    effective = view.count(ACTIONS_VERIFIED, months)
    return ActionsInPeriod(
        opened=view.count(ACTIONS_OPENED, months),
        completed=view.count(ACTIONS_COMPLETED, months),
        overdue=overdue,
        escalated=view.count(ACTIONS_ESCALATED, months),
        median_days_to_complete=median_days,
        reviewed=reviewed,
        verified_effective=effective,
        share_verified_effective=share(effective, reviewed),
    )


def obligations_tallied(
    view: CubeView, period: Period, clock: Clock, before_now: BeforeNow
) -> dict[str, ObligationTally]:
    """Per kind, the obligations due in ``period``."""
    months = period.months
    statutory: dict[str, str] = {}
    for key, count in view.by_dimension(OBLIGATIONS_STATUTORY, months).items():
        kind, _, wording = key.partition("|")
        if count > 0 and (kind not in statutory or wording < statutory[kind]):
            statutory[kind] = wording
    unmet: dict[str, int] = {}
    for key, count in view.by_dimension(OBLIGATIONS_UNMET, months).items():
        kind = key.partition("|")[0]
        unmet[kind] = unmet.get(kind, 0) + count
    unmet_overdue = overdue_by_day(view, OBLIGATIONS_UNMET, months, clock, 1)
    if clock.month in months:
        for kind, count in before_now.obligations_unmet.items():
            unmet_overdue[kind] = unmet_overdue.get(kind, 0) + count
    found: dict[str, ObligationTally] = {}
    for kind, due in sorted(view.by_dimension(OBLIGATIONS_DUE, months).items()):
        if due <= 0:
            continue
        met = view.count(OBLIGATIONS_MET, months, kind)
        on_time = view.count(OBLIGATIONS_MET_ON_TIME, months, kind)
        late_unmet = unmet_overdue.get(kind, 0)
        overdue = view.count(OBLIGATIONS_FLAGGED, months, kind) + late_unmet
        found[kind] = ObligationTally(
            kind=kind, statutory=statutory.get(kind), due=due, met_on_time=on_time,
            met_late=met - on_time, overdue=overdue, open=unmet.get(kind, 0) - late_unmet,
            on_time_share=share(on_time, met + overdue),
        )  # fmt: skip
    return found


def accountability_tallied(
    view: CubeView, whole: Period, clock: Clock, before_now: BeforeNow,
    median_days: Mapping[str, float | None],
) -> list[Accountability]:  # fmt: skip
    """Actions opened in ``whole`` by owner role, most actions first (``median_days``: of the
    completed ones, per role)."""
    months = whole.months
    overdue: dict[str, int] = dict(before_now.owners_open)
    for metric in view.metrics():
        if metric.startswith(OWNER_OPEN_DUE):
            due_month = metric.removeprefix(OWNER_OPEN_DUE)
            for dimension, count in view.by_dimension(metric, months).items():
                day, _, role = dimension.partition("|")
                if clock.due_before(due_month, day):
                    overdue[role] = overdue.get(role, 0) + count
    done = view.by_dimension(OWNER_DONE, months)
    verified = view.by_dimension(OWNER_VERIFIED, months)
    result = [
        Accountability(
            owner_role=role,
            actions=count,
            open=count - done.get(role, 0),
            overdue=overdue.get(role, 0),
            completed=done.get(role, 0),
            median_days_to_complete=median_days.get(role),
            verified_effective=verified.get(role, 0),
        )
        for role, count in view.by_dimension(OWNER_ACTIONS, months).items()
        if count > 0
    ]
    return sorted(result, key=lambda row: (-row.actions, row.owner_role))


def completion_histograms(view: CubeView, periods: Sequence[Period]) -> dict[str, dict[int, int]]:
    """Per period: completed actions per whole day to complete."""
    return {
        period.label: {
            int(day): count
            for day, count in view.by_dimension(ACTIONS_COMPLETED_DAYS, period.months).items()
        }
        for period in periods
    }


def owner_histograms(view: CubeView, whole: Period) -> dict[str, dict[int, int]]:
    """Per owner role: done actions opened in ``whole`` per whole day to complete."""
    found: dict[str, dict[int, int]] = {}
    for dimension, count in view.by_dimension(OWNER_COMPLETED_DAYS, whole.months).items():
        day, _, role = dimension.partition("|")
        found.setdefault(role, {})[int(day)] = count
    return found
