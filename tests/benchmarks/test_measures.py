"""The harness's arithmetic, without infrastructure: sustained rates, freshness by count matching,
poll windows, figures derived from details, and the results table."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from benchmarks.figures import (
    busy_share,
    cpu_seconds,
    figures_from_details,
    machine_cpu,
    percentiles,
)
from benchmarks.report import render
from benchmarks.runner import keep_other_scales
from benchmarks.visibility import Bucket, _windows
from benchmarks.workers import sustained_rate


def test_sustained_rate_skips_start_up_and_tail() -> None:
    # t, applied, every instance owns partitions: 2 s of start-up, then 1,000 events/s
    samples = [(0.0, 0, False), (1.0, 0, True), (2.0, 0, True)]
    samples += [(2.0 + s, 1000 * s, True) for s in range(1, 11)]
    rate, window = sustained_rate(samples, target=10_000)
    assert rate == pytest.approx(1000.0)
    assert window == pytest.approx(8.0)  # from 1,000 (10%) to 9,000 (90%)


def test_sustained_rate_when_one_batch_jumps_over_the_window() -> None:
    rate, window = sustained_rate([(0.0, 0, True), (0.5, 0, True), (1.0, 200, True)], 200)
    assert rate == pytest.approx(400.0)
    assert window == pytest.approx(0.5)


def test_sustained_rate_of_a_stalled_run_ends_at_its_last_progress() -> None:
    samples = [(0.0, 0, True), (1.0, 100, True), (2.0, 300, True)]
    samples += [(3.0 + s, 300, True) for s in range(20)]
    rate, _ = sustained_rate(samples, target=1000)
    assert rate == pytest.approx(200.0)


def test_freshness_matches_the_jth_acknowledged_event_to_the_first_poll_showing_j() -> None:
    bucket = Bucket(index=0, month="2001-01", lines=[b"", b"", b""], types=["x"] * 3, calls=1)
    bucket.answered = 1
    bucket.accepted_at = [10.0, 10.2, 10.4]
    bucket.seen = [(10.5, 10.6, 1), (10.9, 11.0, 1), (11.2, 11.3, 3)]
    latencies, unseen = bucket.freshness()
    assert latencies == pytest.approx([0.6, 1.1, 0.9])
    assert unseen == 0
    lower, _ = bucket.freshness(lower_bound=True)
    assert lower == pytest.approx([0.5, 1.0, 0.8])
    assert bucket.complete


def test_freshness_counts_events_never_seen() -> None:
    bucket = Bucket(index=0, month="2001-01", lines=[b"", b""], types=["x"] * 2, calls=1)
    bucket.accepted_at = [1.0, 1.0]
    bucket.seen = [(1.5, 2.0, 1)]
    latencies, unseen = bucket.freshness()
    assert latencies == pytest.approx([1.0])
    assert unseen == 1


def test_polls_cover_active_buckets_within_the_apis_months_per_request() -> None:
    active = [Bucket(index=i, month="", lines=[], types=[]) for i in (0, 1, 30, 59, 60, 61, 200)]
    assert _windows(active) == [(0, 59), (60, 61), (200, 200)]


def test_percentiles() -> None:
    assert percentiles([]) == {}
    values = percentiles([float(v) for v in range(1, 101)])
    assert values["p50"] == pytest.approx(50.5)
    assert values["p99"] == pytest.approx(99.01)


def test_figures_from_details_of_a_benchmark_written_elsewhere() -> None:
    details = {
        "postgresql": {"events_per_s": 25_000, "seconds": 3},
        "requests": {"summary": {"p95_ms": 250.0, "requests": 5}},
        "note": "text",
    }
    rows = figures_from_details(
        details, {"postgresql.events_per_s": (">=", 20_000), "p95_ms": ("<=", 200)}
    )
    assert [(r["figure"], r["met"]) for r in rows] == [
        ("postgresql.events_per_s", True),
        ("requests.summary.p95_ms", False),
    ]


def test_results_table_has_a_column_per_scale_and_a_verdict_per_row() -> None:
    def figure(value: float) -> dict[str, object]:
        return {"figure": "sustained", "value": value, "unit": "events/s",
                "target": ">= 10,000", "met": value >= 10_000}  # fmt: skip

    document = {
        "benchmark": "learning_service", "mode": "full", "provisional": False,
        "machine": {"date": "d", "git_commit": "c"},
        "scales": {"1": {"figures": [figure(12_000)]}, "10": {"figures": [figure(8_000)]}},
    }  # fmt: skip
    markdown = render([document], {"cpu": "x"})
    assert "| benchmark | figure | unit | target | 1x | 10x | met? |" in markdown
    row = "| learning_service | sustained | events/s | >= 10,000 | 12,000 | 8,000 |"
    assert f"{row} yes at 1x, **no** at 10x |" in markdown
    assert "Provisional" not in markdown


def test_a_run_at_one_scale_keeps_the_other_scales_of_the_same_mode() -> None:
    def document(mode: str, scales: dict[str, float], run_id: str) -> dict[str, Any]:
        return {
            "benchmark": "intake", "mode": mode, "run_id": run_id,
            "scales": {s: {"figures": [{"figure": "f", "value": v}], "run": {"run_id": run_id}}
                       for s, v in scales.items()},
        }  # fmt: skip

    earlier = document("full", {"1": 1.0, "10": 10.0}, "old")
    merged = keep_other_scales(document("full", {"10": 11.0}, "new"), earlier)
    assert list(merged["scales"]) == ["1", "10"]
    assert merged["scales"]["1"]["figures"][0]["value"] == 1.0  # kept
    assert merged["scales"]["10"]["figures"][0]["value"] == 11.0  # replaced
    assert merged["run_id"] == "new"
    quick = keep_other_scales(document("quick", {"1": 2.0}, "q"), earlier)
    assert list(quick["scales"]) == ["1"]  # another mode replaces everything
    assert keep_other_scales(earlier, None) == earlier
    markdown = render([merged], {})
    assert "1x ok" in markdown and "measured ? at ?" in markdown  # the kept scale says its run


def test_cpu_time_of_a_process_and_the_machines_busy_share() -> None:
    before, machine_before = cpu_seconds(os.getpid()), machine_cpu()
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:  # burn 0.2 s of CPU
        pass
    after, machine_after = cpu_seconds(os.getpid()), machine_cpu()
    assert before is not None and after is not None
    assert after - before >= 0.15
    share = busy_share(machine_before, machine_after)
    assert share is not None and 0 < share <= 1
    assert busy_share((10, 100), (60, 200)) == 0.5
    assert busy_share((10, 100), (10, 100)) is None
    assert cpu_seconds(2**22 + 12345) is None  # no such process
