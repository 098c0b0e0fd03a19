"""The drawing area of an SVG chart: its size, margins, scale and text."""

from __future__ import annotations

from xml.etree.ElementTree import Element, SubElement

from services.reporting.dashboard.charts import Chart, ChartKind, nice_ticks

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 60, 16, 16, 78
INK, GRID, MUTED = "#1d1d1b", "#c9c9c9", "#4b4b4b"
FONT = {"font-family": "sans-serif", "fill": INK}
MAX_BAR = 56.0  # a lone period or theme still gets a bar, not a wall
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2")  # lines differ by more than their colour


def text(parent: Element, x: float, y: float, content: str, **attributes: str) -> Element:
    """A ``<text>`` element in the chart's font."""
    node = SubElement(parent, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", **FONT, **attributes})
    node.text = content
    return node


def short(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


class Frame:
    """The plot area and its scale."""

    def __init__(self, chart: Chart) -> None:
        self.chart = chart
        self.width, self.height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        self.ticks = nice_ticks(peak(chart), fixed_max=chart.y_max)
        self.slot = self.width / max(len(chart.categories), 1)

    def y(self, value: float) -> float:
        """The vertical position of ``value``."""
        return TOP + self.height * (1 - value / self.ticks[-1])

    def x(self, index: int) -> float:
        """The horizontal centre of category ``index``."""
        return LEFT + self.slot * (index + 0.5)


def peak(chart: Chart) -> float:
    """The highest value (stacked: the highest total) the scale must reach."""
    if chart.kind is ChartKind.STACKED:
        totals = [sum(s.values[i] or 0 for s in chart.series) for i in range(len(chart.categories))]
        return max(totals, default=0)
    return max((v for s in chart.series for v in s.values if v is not None), default=0)
