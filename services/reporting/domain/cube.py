"""The monthly cube as read back: cells of (month, metric, dimension) -> count, total."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple


class Cell(NamedTuple):
    """A cube cell already summed over the sites a query may see (a tuple: cheap to build)."""

    month: str
    metric: str
    dimension: str
    count: int  # type: ignore[assignment]  # shadows tuple.count, which no one calls
    total: int = 0


class CubeView:
    """Sums of cells over the months of a period (cells indexed by metric, month, dimension)."""

    def __init__(self, cells: Iterable[Cell]) -> None:
        self._cells: dict[str, dict[str, dict[str, list[int]]]] = {}
        for cell in cells:
            sums = self._cells.setdefault(cell.metric, {}).setdefault(cell.month, {})
            pair = sums.setdefault(cell.dimension, [0, 0])
            pair[0] += cell.count
            pair[1] += cell.total

    def metrics(self) -> list[str]:
        """Every metric with cells."""
        return list(self._cells)

    def count(self, metric: str, months: Iterable[str], dimension: str = "") -> int:
        """Things counted under ``metric``/``dimension`` in ``months``."""
        by_month = self._cells.get(metric, {})
        total = 0
        for month in set(months):
            pair = by_month.get(month, {}).get(dimension)
            if pair is not None:
                total += pair[0]
        return total

    def by_dimension(self, metric: str, months: Iterable[str]) -> dict[str, int]:
        """Counts per dimension in ``months``, largest first (ties by name)."""
        return {key: count for key, (count, _) in self.pairs(metric, months).items()}

    def pairs(self, metric: str, months: Iterable[str]) -> dict[str, tuple[int, int]]:
        """(count, total) per dimension in ``months``, largest count first."""
        by_month = self._cells.get(metric, {})
        sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for month in set(months):
            for dimension, (count, total) in by_month.get(month, {}).items():
                pair = sums[dimension]
                pair[0] += count
                pair[1] += total
        ordered = sorted(sums.items(), key=lambda item: (-item[1][0], item[0]))
        return {key: (count, total) for key, (count, total) in ordered}

    def merged(self, metrics: Iterable[str], months: Iterable[str]) -> dict[str, int]:
        """Counts per dimension summed over several metrics (e.g. themes of every fact kind)."""
        result: dict[str, int] = defaultdict(int)
        months = list(months)
        for metric in metrics:
            for key, count in self.by_dimension(metric, months).items():
                result[key] += count
        return dict(sorted(result.items(), key=lambda item: (-item[1], item[0])))
