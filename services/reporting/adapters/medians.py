"""Medians of days to complete: the histogram's plan, then just the middle day's completions.

Completed actions are tallied per whole day to complete (domain/tallies.py). The plan says in
which day, and at which position, the middle values lie; this reads the exact durations of the
completed actions of that day only (a partial index holds them), so a median over hundreds of
thousands of actions reads a few hundred rows.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.adapters.rows import aware
from services.reporting.adapters.tables import actions
from services.reporting.domain.access import ReadFilter
from services.reporting.domain.actions import DONE, UNASSIGNED
from services.reporting.domain.cube import CubeView
from services.reporting.domain.periods import Period
from services.reporting.domain.tallies import medians_from, plan_median
from services.reporting.domain.tally_metrics import completion_histograms, owner_histograms


def owner_role() -> ColumnElement[str]:
    """An action's owner role, ``unassigned`` when it has none."""
    return func.coalesce(func.nullif(actions.c.owner_role, ""), literal(UNASSIGNED))


async def completion_days(
    connection: AsyncConnection, read: ReadFilter, view: CubeView, periods: Sequence[Period]
) -> dict[str, float | None]:
    """Per period: the median days to complete of the actions completed in it."""
    plans = {label: plan_median(h) for label, h in completion_histograms(view, periods).items()}
    by_label = {period.label: period for period in periods}
    wanted = [
        and_(actions.c.completion_day == day, actions.c.completed_at >= by_label[label].start,
             actions.c.completed_at < by_label[label].end)
        for label, plan in plans.items() if plan is not None
        for day in {plan.lower[0], plan.upper[0]}
    ]  # fmt: skip
    values: dict[tuple[str, int], list[int]] = defaultdict(list)
    if wanted:
        starts = [period.start for period in periods]
        rows = await connection.execute(
            select(actions.c.completed_at, actions.c.completion_day, actions.c.completion_us).where(
                *_completed(read), or_(*wanted)
            )
        )
        for completed_at, day, micros in rows.all():
            label = periods[bisect.bisect_right(starts, aware(completed_at)) - 1].label
            values[(label, day)].append(micros)
    return medians_from(plans, values)


async def days_by_owner(
    connection: AsyncConnection, read: ReadFilter, view: CubeView, whole: Period
) -> dict[str, float | None]:
    """Per owner role: the median days to complete of the done actions opened in ``whole``."""
    plans = {role: plan_median(h) for role, h in owner_histograms(view, whole).items()}
    role = owner_role()
    wanted = [
        and_(actions.c.completion_day == day, role == name)
        for name, plan in plans.items() if plan is not None
        for day in {plan.lower[0], plan.upper[0]}
    ]  # fmt: skip
    values: dict[tuple[str, int], list[int]] = defaultdict(list)
    if wanted:
        rows = await connection.execute(
            select(role, actions.c.completion_day, actions.c.completion_us).where(
                *_completed(read), actions.c.opened_at >= whole.start,
                actions.c.opened_at < whole.end, or_(*wanted),
            )
        )  # fmt: skip
        for name, day, micros in rows.all():
            values[(name, day)].append(micros)
    return medians_from(plans, values)


def _completed(read: ReadFilter) -> list[ColumnElement[bool]]:
    """Done actions with a completion time, within the filter."""
    conditions = [
        actions.c.provider_id == read.provider_id, actions.c.completion_us.is_not(None),
        actions.c.status.in_(sorted(DONE)),
    ]  # fmt: skip
    if read.sites is not None:
        conditions.append(actions.c.site_id.in_(sorted(read.sites)))
    if read.region is not None:
        conditions.append(actions.c.region == read.region)
    return conditions
