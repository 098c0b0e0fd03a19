"""Metrics from tallies equal metrics from the rows, for random rows, periods and clocks.

The row functions (``actions_in_period``, ``accountability``, ``tally``) define the numbers; the
API answers from tallies. Rows are random - missing dates, late and early completions, DST
changes, due dates today before and after ``now`` - and so are the periods and ``now``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from services.reporting.domain.actions import (
    ActionRecord,
    accountability,
    actions_in_period,
    median_days,
)
from services.reporting.domain.cube import Cell, CubeView
from services.reporting.domain.obligations import ObligationRecord, tally
from services.reporting.domain.periods import LONDON, Granularity, Month, Period, periods_between
from services.reporting.domain.tallies import (
    BeforeNow,
    Tally,
    action_tallies,
    changes,
    completion_day,
    completion_microseconds,
    medians_from,
    obligation_tallies,
    plan_median,
)
from services.reporting.domain.tally_metrics import (
    Clock,
    accountability_tallied,
    actions_tallied,
    completion_histograms,
    obligations_tallied,
    owner_histograms,
)

START = datetime(2024, 1, 1, tzinfo=UTC)
STATUSES = ["open", "in_progress", "completed", "verified_effective", "not_effective", "closed"]
ROLES = [None, "", "registered_manager", "deputy|manager"]
KINDS = ["cqc_notification", "duty_of_candour", "complaint_response"]
WORDING = {"cqc_notification": "statutory", "duty_of_candour": "statutory (policy default)",
           "complaint_response": "policy"}  # fmt: skip


def moment(rng: random.Random) -> datetime:
    """Anywhere in 2024-2025, often near midnight (London days and months)."""
    at = START + timedelta(days=rng.randrange(730))
    return at + timedelta(
        minutes=rng.choice([0, 30, 59, 60, 61, 23 * 60 + 30, rng.randrange(1440)])
    )


def maybe(rng: random.Random, value: datetime) -> datetime | None:
    return value if rng.random() < 0.8 else None


def an_action(rng: random.Random, n: int) -> ActionRecord:
    opened = moment(rng)
    record = ActionRecord(f"A{n}", "p", "r", "s", status=rng.choice(STATUSES))
    record.opened_at = maybe(rng, opened)
    record.due_at = maybe(
        rng, opened + timedelta(days=rng.randrange(-3, 60), hours=rng.randrange(24))
    )
    record.completed_at = maybe(rng, opened + timedelta(days=rng.randrange(-2, 90),
                                                        seconds=rng.randrange(86_400)))  # fmt: skip
    if rng.random() < 0.4:
        record.reviewed_at = opened + timedelta(days=rng.randrange(120))
        record.verdict = rng.choice(["verified_effective", "not_effective"])
    if rng.random() < 0.3:
        record.escalated_at = opened + timedelta(days=rng.randrange(60))
    record.owner_role = rng.choice(ROLES)
    return record


def an_obligation(rng: random.Random, n: int) -> ObligationRecord:
    kind = rng.choice(KINDS)
    record = ObligationRecord(f"O{n}", "p", "r", "s", kind, moment(rng))
    record.statutory = WORDING[kind] if rng.random() < 0.9 else None
    if rng.random() < 0.5:
        record.met_at = record.due_at + timedelta(days=rng.randrange(-5, 5))
        record.on_time = rng.choice([True, False, None])
    record.flagged_overdue = rng.random() < 0.3
    return record


def view_of(tallies: Sequence[Tally]) -> CubeView:
    counts: dict[Tally, int] = defaultdict(int)
    for item in tallies:
        counts[item] += 1
    return CubeView(Cell(month, metric, dim, n) for (month, metric, dim), n in counts.items())


def before_now(actions: Sequence[ActionRecord], obligations: Sequence[ObligationRecord],
               whole: Period, now: datetime) -> BeforeNow:  # fmt: skip
    """What the reader counts live: due today (London) before now."""
    local = now.astimezone(LONDON)
    today = datetime(local.year, local.month, local.day, tzinfo=LONDON).astimezone(UTC)

    def due_today(at: datetime | None) -> bool:
        return at is not None and today <= at < now

    kinds: dict[str, int] = defaultdict(int)
    for o in obligations:
        if due_today(o.due_at) and o.met_at is None and not o.flagged_overdue:
            kinds[o.kind] += 1
    roles: dict[str, int] = defaultdict(int)
    for a in actions:
        if due_today(a.due_at) and not a.done and whole.contains(a.opened_at):
            roles[a.owner_role or "unassigned"] += 1
    unfinished = sum(
        1 for a in actions
        if due_today(a.due_at) and not (a.done and a.completed_at is not None)
    )  # fmt: skip
    return BeforeNow(unfinished, dict(kinds), dict(roles))


def periods_and_now(rng: random.Random) -> tuple[list[Period], datetime]:
    granularity = rng.choice(list(Granularity))
    first = Month(2024, 1).shift(rng.randrange(20))
    last = first.shift(rng.randrange(6))
    return periods_between(first.label, last.label, granularity), moment(rng)


def durations(
    actions: Sequence[ActionRecord], key_of: Callable[[ActionRecord], str | None]
) -> dict[tuple[str, int], list[int]]:
    """What the reader fetches for medians (here: every completed action)."""
    found: dict[tuple[str, int], list[int]] = defaultdict(list)
    for a in actions:
        micros = completion_microseconds(a)
        key = key_of(a)
        if a.done and micros is not None and key is not None:
            found[(key, completion_day(micros))].append(micros)
    return found


def period_of(periods: Sequence[Period], action: ActionRecord) -> str | None:
    return next((p.label for p in periods if p.contains(action.completed_at)), None)


def role_of(whole: Period, action: ActionRecord) -> str | None:
    return (action.owner_role or "unassigned") if whole.contains(action.opened_at) else None


@pytest.mark.parametrize("seed", range(40))
def test_action_metrics_from_tallies_equal_those_from_rows(seed: int) -> None:
    rng = random.Random(seed)
    actions = [an_action(rng, n) for n in range(rng.randrange(1, 150))]
    view = view_of([t for a in actions for t in action_tallies(a)])
    for _ in range(5):
        periods, now = periods_and_now(rng)
        whole = Period("whole", periods[0].first, periods[-1].last)
        live = before_now(actions, [], whole, now)
        plans = {label: plan_median(h) for label, h in completion_histograms(view, periods).items()}

        medians = medians_from(plans, durations(actions, partial(period_of, periods)))
        for period in periods:
            expected = actions_in_period(actions, period, now)
            got = actions_tallied(view, period, Clock.at(now), live, medians[period.label])
            assert got == expected, (period, now)
        opened = [a for a in actions if whole.contains(a.opened_at)]
        roles = {role: plan_median(h) for role, h in owner_histograms(view, whole).items()}

        by_role = medians_from(roles, durations(actions, partial(role_of, whole)))
        got_owners = accountability_tallied(view, whole, Clock.at(now), live, by_role)
        assert got_owners == accountability(opened, now), now


@pytest.mark.parametrize("seed", range(40))
def test_obligation_tallies_equal_those_from_rows(seed: int) -> None:
    rng = random.Random(seed)
    obligations = [an_obligation(rng, n) for n in range(rng.randrange(1, 120))]
    view = view_of([t for o in obligations for t in obligation_tallies(o)])
    for _ in range(5):
        periods, now = periods_and_now(rng)
        whole = Period("whole", periods[0].first, periods[-1].last)
        live = before_now([], obligations, whole, now)
        for period in periods:
            assert obligations_tallied(view, period, Clock.at(now), live) == tally(
                obligations, period, now
            ), (period, now)


def test_mixed_statutory_wordings_report_the_first_alphabetically() -> None:
    due = datetime(2025, 3, 10, tzinfo=UTC)
    rows = [ObligationRecord(f"O{n}", "p", "r", "s", "cqc", due, statutory=wording)
            for n, wording in enumerate(["statutory", "policy", None])]  # fmt: skip
    view = view_of([t for o in rows for t in obligation_tallies(o)])
    march = periods_between("2025-03", "2025-03", Granularity.MONTH)[0]
    [cqc] = obligations_tallied(view, march, Clock.at(due), BeforeNow()).values()
    assert (cqc.statutory, cqc.due) == ("policy", 3)


@pytest.mark.parametrize("seed", range(20))
def test_changes_keep_tallies_equal_to_counting_the_final_rows(seed: int) -> None:
    rng = random.Random(seed)
    rows = [an_action(rng, n) for n in range(30)]
    running: dict[Tally, int] = defaultdict(int)
    for row in rows:
        for month, metric, dim, count in changes([], action_tallies(row)):
            running[(month, metric, dim)] += count
    for step in range(100):
        n = rng.randrange(len(rows))
        before, after = rows[n], an_action(rng, 1000 + step)
        after = replace(after, action_id=before.action_id)
        for month, metric, dim, count in changes(action_tallies(before), action_tallies(after)):
            running[(month, metric, dim)] += count
        rows[n] = after
    recounted: dict[Tally, int] = defaultdict(int)
    for row in rows:
        for item in action_tallies(row):
            recounted[item] += 1
    assert {k: v for k, v in running.items() if v} == dict(recounted)


def test_a_median_plan_points_at_the_middle_values() -> None:
    assert plan_median({}) is None
    plan = plan_median({3: 2, 1: 1, 7: 1})  # days 1, 3, 3, 7: middles are both in day 3
    assert plan is not None and (plan.lower, plan.upper) == ((3, 0), (3, 1))
    odd = plan_median({2: 1, 5: 2})  # 2, 5, 5: the middle is the first of day 5
    assert odd is not None and odd.lower == odd.upper == (5, 0)
    day = 86_400_000_000
    values = {("g", 1): [day + 7], ("g", 3): [3 * day + 5, 3 * day + 1], ("g", 7): [7 * day]}
    plans = {"g": plan_median({1: 1, 3: 2, 7: 1})}
    expected = median_days([1 + 7e-6 / 86_400, 3 + 1e-6 / 86_400, 3 + 5e-6 / 86_400, 7.0])
    assert medians_from(plans, values) == {"g": expected}
