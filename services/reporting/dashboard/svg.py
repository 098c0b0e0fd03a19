"""Charts as inline SVG, drawn server-side: stacked bars, grouped bars and lines.

Hand-written on purpose: the same SVG is inlined in the dashboard (offline, no JavaScript, no CDN)
and embedded in the board pack PDF by fpdf2, whose SVG importer understands presentation
attributes but not CSS - which rules out chart libraries that style their SVG with stylesheets.
ElementTree builds the markup, so every label is escaped.
"""

from __future__ import annotations

import math
from xml.etree.ElementTree import Element, SubElement, tostring

from services.reporting.dashboard.charts import Chart, ChartKind, label_of
from services.reporting.dashboard.svg_frame import (
    GRID,
    HEIGHT,
    INK,
    LEFT,
    MUTED,
    TOP,
    WIDTH,
    Frame,
    short,
    text,
)
from services.reporting.dashboard.svg_marks import grouped, legend, lines, stacked


def render_svg(chart: Chart, *, accessible: bool = True) -> str:
    """The chart as an ``<svg>`` element; ``accessible=False`` leaves out ``<title>``/``<desc>``
    (for the PDF, whose SVG importer does not know them)."""
    root = Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg", "width": str(WIDTH), "height": str(HEIGHT),
        "viewBox": f"0 0 {WIDTH} {HEIGHT}", "class": "chart", "id": chart.chart_id,
    })  # fmt: skip
    if accessible:
        root.set("role", "img")
        root.set("aria-labelledby", f"{chart.chart_id}-title {chart.chart_id}-desc")
        SubElement(root, "title", {"id": f"{chart.chart_id}-title"}).text = chart.title
        SubElement(root, "desc", {"id": f"{chart.chart_id}-desc"}).text = chart.description
    SubElement(root, "rect", {"x": "0", "y": "0", "width": str(WIDTH), "height": str(HEIGHT),
                              "fill": "#ffffff"})  # fmt: skip
    frame = Frame(chart)
    _axes(root, frame)
    marks = SubElement(root, "g", {"class": "marks"})
    draw = {ChartKind.STACKED: stacked, ChartKind.GROUPED: grouped, ChartKind.LINES: lines}
    draw[chart.kind](marks, frame, accessible=accessible)
    if not chart.has_data:
        text(root, LEFT + frame.width / 2, TOP + frame.height / 2, "No data in this range",
              **{"text-anchor": "middle", "font-size": "15", "fill": MUTED})  # fmt: skip
    legend(root, chart)
    return tostring(root, encoding="unicode")


def _axes(root: Element, frame: Frame) -> None:
    axes = SubElement(root, "g", {"class": "axes"})
    for tick in frame.ticks:
        y = frame.y(tick)
        SubElement(axes, "line", {"x1": str(LEFT), "x2": str(LEFT + frame.width),
                                  "y1": f"{y:.1f}", "y2": f"{y:.1f}", "stroke": GRID,
                                  "stroke-width": "1"})  # fmt: skip
        text(axes, LEFT - 6, y + 4, label_of(tick, frame.chart.unit),
              **{"text-anchor": "end", "font-size": "13"})  # fmt: skip
    baseline = f"{TOP + frame.height:.1f}"
    SubElement(axes, "line", {"x1": str(LEFT), "x2": str(LEFT + frame.width), "y1": baseline,
                              "y2": baseline, "stroke": INK, "stroke-width": "1"})  # fmt: skip
    categories = frame.chart.categories
    every = max(1, math.ceil(len(categories) * 66 / frame.width))  # keep labels apart
    limit = max(6, int(frame.slot * every / 7.5))
    for i, category in enumerate(categories):
        if i % every == 0:
            text(axes, frame.x(i), TOP + frame.height + 18, short(category, limit),
                  **{"text-anchor": "middle", "font-size": "13"})  # fmt: skip
