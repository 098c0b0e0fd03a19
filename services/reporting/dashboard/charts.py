"""What a chart shows: its kind, categories and series, its scale and its data table.

Drawn as SVG by :mod:`services.reporting.dashboard.svg`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from services.reporting.dashboard.tables import Table


class ChartKind(StrEnum):
    """How the series are drawn."""

    STACKED = "stacked"
    GROUPED = "grouped"
    LINES = "lines"


@dataclass(frozen=True)
class Series:
    """One named series of values, one per category (None: no value)."""

    name: str
    values: tuple[float | None, ...]
    colour: str


@dataclass(frozen=True)
class Chart:
    """What to draw, and the words a screen reader is given instead."""

    chart_id: str
    title: str
    description: str
    kind: ChartKind
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""  # "%" for percentages
    y_max: float | None = None  # a fixed top of the scale, e.g. 100 for percentages
    category_name: str = "Period"  # what the categories are, for the data table

    @property
    def has_data(self) -> bool:
        """True when any value is known and not zero."""
        return any(value for s in self.series for value in s.values)


def nice_ticks(peak: float, *, fixed_max: float | None = None) -> list[float]:
    """Axis ticks from 0 to a round number at or above ``peak`` (steps of 1, 2 or 5 x 10^n)."""
    if fixed_max is not None:
        return [fixed_max * i / 5 for i in range(6)]
    if peak <= 0:
        return [0.0, 1.0]
    raw = peak / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(step, 1.0)  # the charts count things or percentages: no fractional ticks
    steps = math.ceil(peak / step - 1e-9)
    return [i * step for i in range(steps + 1)]


def label_of(value: float, unit: str = "") -> str:
    """A value as printed on an axis or in a tooltip."""
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return text + unit


def chart_table(chart: Chart) -> Table:
    """The chart's data as a table: its text alternative."""
    rows = tuple(
        (category, *(_cell(s.values[i], chart.unit) for s in chart.series))
        for i, category in enumerate(chart.categories)
    )
    return Table(chart.title, (chart.category_name, *(s.name for s in chart.series)), rows)


def _cell(value: float | None, unit: str) -> str:
    return "no data" if value is None else label_of(value, unit)
