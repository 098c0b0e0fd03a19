"""Obligations: met on time vs late per kind, overdue when the deadline passed unmet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.reporting.domain.obligations import ObligationRecord, ObligationState, tally
from services.reporting.domain.periods import Granularity, Month, period_of
from shared.events.derived import ObligationFlag, ObligationOutcome

DUE = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
MARCH = period_of(Month(2025, 3), Granularity.MONTH)


def record(kind: str = "cqc_notification", due: datetime = DUE) -> ObligationRecord:
    return ObligationRecord("O", "p", "r", "s", kind, due)


def outcome(met: datetime | None, on_time: bool | None = None) -> ObligationOutcome:
    return ObligationOutcome(
        obligation_id="O", kind="cqc_notification", due_at=DUE, source_event_id="E", met_at=met,
        on_time=on_time,
    )  # fmt: skip


def test_state_as_of_now() -> None:
    waiting = record()
    assert waiting.state(DUE - timedelta(hours=1)) is ObligationState.OPEN
    assert waiting.state(DUE + timedelta(hours=1)) is ObligationState.OVERDUE
    flagged = record()
    flagged.overdue()
    assert flagged.state(DUE - timedelta(days=1)) is ObligationState.OVERDUE
    flagged.met(outcome(DUE + timedelta(days=2)), DUE)
    assert flagged.state(DUE) is ObligationState.MET and flagged.on_time is False


def test_met_before_flagged_ends_the_same() -> None:
    flag = ObligationFlag(
        obligation_id="O", kind="cqc_notification", status="statutory", due_at=DUE,
        source_event_id="E", reasons=["death"],
    )  # fmt: skip
    first, second = record(), record()
    first.flagged(flag)
    first.met(outcome(DUE - timedelta(hours=3)), DUE)
    second.met(outcome(DUE - timedelta(hours=3)), DUE)
    second.flagged(flag)
    assert first == second and first.on_time is True  # worked out from the dates


def test_tally_per_kind_in_the_period_of_the_due_date() -> None:
    rows = [record() for _ in range(4)] + [record("riddor", DUE + timedelta(days=40))]
    rows[0].met(outcome(DUE, on_time=True), DUE)
    rows[1].met(outcome(DUE + timedelta(days=1), on_time=False), DUE)
    rows[2].overdue()
    [cqc] = tally(rows, MARCH, now=DUE - timedelta(days=1)).values()
    assert (cqc.due, cqc.met_on_time, cqc.met_late, cqc.overdue, cqc.open) == (4, 1, 1, 1, 1)
    assert cqc.on_time_share == 0.333
