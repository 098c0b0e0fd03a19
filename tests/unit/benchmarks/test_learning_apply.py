"""The learning_apply benchmark measures with the service's collector settings and restores the
runner's afterwards; it reports CPU per fact besides events/s."""

import gc
from pathlib import Path

from benchmarks.facts import facts
from benchmarks.learning_apply import measure


async def test_measure_on_sqlite_restores_the_collector(tmp_path: Path) -> None:
    thresholds = gc.get_threshold()
    frozen = gc.get_freeze_count()
    result = await measure(f"sqlite+aiosqlite:///{tmp_path}/a.db", list(facts(40)), 20)
    assert result["events"] == 40
    assert result["events_per_s"] > 0
    assert result["cpu_us_per_event"] > 0
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == frozen
