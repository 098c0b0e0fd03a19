"""The demo's pure helpers: its history ends this month, the pack is for the last full quarter."""

from __future__ import annotations

from datetime import date

import pytest

from learnloop.demo import _chance, batches
from learnloop.demo_cli import history_start, last_full_quarter
from tests.unit.shared.events.examples import all_examples


@pytest.mark.parametrize(
    ("months", "today", "start"),
    [
        (12, date(2026, 11, 22), date(2025, 12, 1)),
        (1, date(2026, 11, 22), date(2026, 11, 1)),
        (3, date(2026, 2, 5), date(2025, 12, 1)),
    ],
)
def test_history_ends_in_the_current_month(months: int, today: date, start: date) -> None:
    assert history_start(months, today) == start


@pytest.mark.parametrize(
    ("today", "quarter"),
    [(date(2026, 11, 22), "2026-Q3"), (date(2026, 1, 1), "2025-Q4"), (date(2026, 4, 1), "2026-Q1")],
)
def test_board_pack_is_for_the_last_full_quarter(today: date, quarter: str) -> None:
    assert last_full_quarter(today) == quarter


def test_choices_are_stable_per_id() -> None:
    assert _chance("act-1") == _chance("act-1")
    assert 0 <= _chance("act-2") < 1
    assert _chance("act-1") != _chance("act-2")


def test_batches_keep_every_event_in_order() -> None:
    events = all_examples()
    chunks = list(batches(iter(events), 4))
    assert [len(c) for c in chunks] == [4, len(events) - 4]
    assert [e for chunk in chunks for e in chunk] == events
