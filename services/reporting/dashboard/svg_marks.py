"""The marks of an SVG chart (bars, lines and points) and its legend."""

from __future__ import annotations

from collections.abc import Sequence
from xml.etree.ElementTree import Element, SubElement

from services.reporting.dashboard.charts import Chart, ChartKind, label_of
from services.reporting.dashboard.svg_frame import (
    DASHES,
    HEIGHT,
    LEFT,
    MAX_BAR,
    RIGHT,
    WIDTH,
    Frame,
    short,
    text,
)


def _mark(parent: Element, tag: str, attributes: dict[str, str], tooltip: str, *,
          accessible: bool) -> None:  # fmt: skip
    node = SubElement(parent, tag, {"class": "mark", **attributes})
    if accessible:
        SubElement(node, "title").text = tooltip


def _bar(parent: Element, frame: Frame, x: float, width: float, low: float, high: float,
         colour: str) -> dict[str, str]:  # fmt: skip
    top, bottom = frame.y(high), frame.y(low)
    return {"x": f"{x:.1f}", "y": f"{top:.1f}", "width": f"{width:.1f}",
            "height": f"{max(bottom - top, 0.0):.1f}", "fill": colour}  # fmt: skip


def stacked(parent: Element, frame: Frame, *, accessible: bool) -> None:
    """One bar per category, its series stacked bottom-up (zero values draw nothing)."""
    chart, width = frame.chart, min(frame.slot * 0.6, MAX_BAR)
    for i, category in enumerate(chart.categories):
        low = 0.0
        for series in chart.series:
            value = series.values[i] or 0
            if value <= 0:
                continue
            box = _bar(parent, frame, frame.x(i) - width / 2, width, low, low + value,
                       series.colour)  # fmt: skip
            box.update({"stroke": "#ffffff", "stroke-width": "1"})  # segments stay apart
            tooltip = f"{category}, {series.name}: {label_of(value, chart.unit)}"
            _mark(parent, "rect", box, tooltip, accessible=accessible)
            low += value


def grouped(parent: Element, frame: Frame, *, accessible: bool) -> None:
    """The series side by side in each category."""
    chart = frame.chart
    width = min(frame.slot * 0.7 / max(len(chart.series), 1), MAX_BAR)
    group = width * len(chart.series)
    for i, category in enumerate(chart.categories):
        for n, series in enumerate(chart.series):
            value = series.values[i]
            if not value:
                continue
            x = frame.x(i) - group / 2 + n * width
            box = _bar(parent, frame, x + 1, width - 2, 0, value, series.colour)
            tooltip = f"{category}, {series.name}: {label_of(value, chart.unit)}"
            _mark(parent, "rect", box, tooltip, accessible=accessible)


def lines(parent: Element, frame: Frame, *, accessible: bool) -> None:
    """A dashed or solid line per series, with a point at each known value."""
    chart = frame.chart
    for n, series in enumerate(chart.series):
        for run in _runs(series.values):
            points = " ".join(f"{frame.x(i):.1f},{frame.y(v):.1f}" for i, v in run)
            line = {"points": points, "fill": "none", "stroke": series.colour,
                    "stroke-width": "2.5"}  # fmt: skip
            if DASHES[n % len(DASHES)]:
                line["stroke-dasharray"] = DASHES[n % len(DASHES)]
            SubElement(parent, "polyline", line)
            for i, value in run:
                dot = {"cx": f"{frame.x(i):.1f}", "cy": f"{frame.y(value):.1f}", "r": "4",
                       "fill": series.colour}  # fmt: skip
                tooltip = f"{chart.categories[i]}, {series.name}: {label_of(value, chart.unit)}"
                _mark(parent, "circle", dot, tooltip, accessible=accessible)


def _runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Consecutive known values: a line is broken where a value is unknown."""
    runs: list[list[tuple[int, float]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((i, value))
    return [run for run in runs if run]


def legend(root: Element, chart: Chart) -> None:
    """Swatches and names in up to two rows (the data table names every series)."""
    group = SubElement(root, "g", {"class": "legend"})
    x, y = float(LEFT), HEIGHT - 34.0
    for n, series in enumerate(chart.series):
        label = short(series.name, 28)
        advance = 24 + 7.4 * len(label) + 16
        if x + advance > WIDTH - RIGHT and x > LEFT:
            x, y = float(LEFT), y + 20
            if y > HEIGHT:
                return
        dash = DASHES[n % len(DASHES)]
        if chart.kind is ChartKind.LINES:
            stroke = {"stroke": series.colour, "stroke-width": "2.5"}
            if dash:
                stroke["stroke-dasharray"] = dash
            ends = {"x1": f"{x:.1f}", "x2": f"{x + 18:.1f}", "y1": f"{y - 4:.1f}",
                    "y2": f"{y - 4:.1f}"}  # fmt: skip
            SubElement(group, "line", {**ends, **stroke})
        else:
            SubElement(group, "rect", {"x": f"{x:.1f}", "y": f"{y - 10:.1f}", "width": "12",
                                        "height": "12", "fill": series.colour})  # fmt: skip
        text(group, x + 24, y, label, **{"font-size": "13"})
        x += advance
