"""Figures (a value with its unit and target), percentiles, rates and peak memory of a process.

A benchmark returns ``{"figures": [Figure.as_json(), ...], ...details}``; the results README
shows every figure, and whether it met its target, per scale.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One measured number, e.g. ``Figure("PostgreSQL sustained", 12000.0, "events/s")``."""

    figure: str
    value: float | None
    unit: str
    target: str | None = None
    met: bool | None = None

    def as_json(self) -> dict[str, Any]:
        """The JSON row the results README reads."""
        return {
            "figure": self.figure, "value": self.value, "unit": self.unit,
            "target": self.target, "met": self.met,
        }  # fmt: skip


def at_least(figure: str, value: float | None, unit: str, threshold: float) -> Figure:
    """A figure whose target is a floor (throughput)."""
    met = None if value is None else value >= threshold
    return Figure(figure, value, unit, f">= {threshold:,.0f}", met)


def at_most(figure: str, value: float | None, unit: str, threshold: float) -> Figure:
    """A figure whose target is a ceiling (latency, memory)."""
    met = None if value is None else value <= threshold
    return Figure(figure, value, unit, f"<= {threshold:,.0f}", met)


RSS_CEILING_MB = 300.0  # the target: each service under 300 MB RSS under load


def rss_figure(service: str, megabytes: float | None) -> Figure:
    """Peak RSS of a service process against the 300 MB ceiling."""
    return at_most(f"{service} peak RSS", megabytes, "MB", RSS_CEILING_MB)


def percentiles(values: Sequence[float], points: Sequence[int] = (50, 95, 99)) -> dict[str, float]:
    """``{"p50": ..., "p95": ..., "p99": ...}`` (inclusive method; empty when no values)."""
    if not values:
        return {}
    if len(values) == 1:
        return {f"p{point}": float(values[0]) for point in points}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {f"p{point}": cuts[point - 1] for point in points}


def per_second(count: float, seconds: float) -> float | None:
    """A rate, or None when nothing was timed."""
    return round(count / seconds, 1) if seconds > 0 else None


def peak_rss_mb(pid: int) -> float | None:
    """Peak resident set size (VmHWM) of a live process in MB, from /proc (Linux)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a live process has used so far, in seconds (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def machine_cpu() -> tuple[int, int]:
    """Busy and total CPU time of the whole machine so far, in clock ticks (Linux /proc/stat)."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return 0, 0
    ticks = [int(value) for value in first[1:9]]  # user nice system idle iowait irq softirq steal
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float | None:
    """Share of the machine's CPU time (all cores) that was busy between two ``machine_cpu``."""
    total = after[1] - before[1]
    return round((after[0] - before[0]) / total, 3) if total > 0 else None


def rounded(value: float | None, digits: int = 1) -> float | None:
    """Round for the report, keeping None."""
    return None if value is None else round(value, digits)


SHOWN_SUFFIXES = {
    "events_per_s": "events/s", "p50_ms": "ms", "p95_ms": "ms", "p99_ms": "ms", "rss_mb": "MB",
}  # fmt: skip


def figures_from_details(
    details: dict[str, Any], targets: dict[str, tuple[str, float]]
) -> list[dict[str, Any]]:
    """Figure rows for a result without ``figures``: every number whose key ends in
    ``events_per_s``, ``p50_ms``/``p95_ms``/``p99_ms`` or ``rss_mb``, named by its dotted path;
    ``targets`` maps a path suffix to (">=" or "<=", threshold)."""
    rows: list[dict[str, Any]] = []

    def visit(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                visit(child, f"{path}.{key}" if path else str(key))
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            return
        unit = next((u for suffix, u in SHOWN_SUFFIXES.items() if path.endswith(suffix)), None)
        if unit is None:
            return
        target = next((t for suffix, t in targets.items() if path.endswith(suffix)), None)
        if target is None:
            rows.append(Figure(path, value, unit).as_json())
        elif target[0] == ">=":
            rows.append(at_least(path, value, unit, target[1]).as_json())
        else:
            rows.append(at_most(path, value, unit, target[1]).as_json())

    visit(details, "")
    return rows
