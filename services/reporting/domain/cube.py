"""The monthly cube as read back: cells of (month, metric, dimension) -> count, total."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    """A cube cell already summed over the sites a query may see."""

    month: str
    metric: str
    dimension: str
    count: int
    total: int = 0


class CubeView:
    """Sums of cube cells over the months of a period."""

    def __init__(self, cells: Iterable[Cell]) -> None:
        self._by_metric: dict[str, list[Cell]] = defaultdict(list)
        for cell in cells:
            self._by_metric[cell.metric].append(cell)

    def count(self, metric: str, months: Iterable[str], dimension: str = "") -> int:
        """Things counted under ``metric``/``dimension`` in ``months``."""
        wanted = set(months)
        return sum(
            c.count
            for c in self._by_metric[metric]
            if c.month in wanted and c.dimension == dimension
        )

    def by_dimension(self, metric: str, months: Iterable[str]) -> dict[str, int]:
        """Counts per dimension in ``months``, largest first (ties by name)."""
        return {key: count for key, (count, _) in self.pairs(metric, months).items()}

    def pairs(self, metric: str, months: Iterable[str]) -> dict[str, tuple[int, int]]:
        """(count, total) per dimension in ``months``, largest count first."""
        wanted = set(months)
        sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for cell in self._by_metric[metric]:
            if cell.month in wanted:
                sums[cell.dimension][0] += cell.count
                sums[cell.dimension][1] += cell.total
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
