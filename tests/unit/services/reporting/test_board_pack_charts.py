"""The SVG charts shared by the dashboard and the board pack."""

from __future__ import annotations

from xml.etree.ElementTree import Element, fromstring

import pytest

from services.reporting.dashboard.charts import (
    Chart,
    ChartKind,
    Series,
    chart_table,
    nice_ticks,
)
from services.reporting.dashboard.svg import render_svg

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart: Chart, *, accessible: bool = True) -> Element:
    return fromstring(render_svg(chart, accessible=accessible))


def marks(root: Element) -> list[Element]:
    return [node for node in root.iter() if node.get("class") == "mark"]


def chart(kind: ChartKind, *series: Series, unit: str = "", y_max: float | None = None) -> Chart:
    return Chart("c1", "Falls <& trips>", "What the chart shows.", kind,
                 ("2025-Q1", "2025-Q2", "2025-Q3"), series, unit, y_max)  # fmt: skip


@pytest.mark.parametrize(
    ("peak", "ticks"),
    [(0, [0, 1]), (3, [0, 1, 2, 3]), (6, [0, 2, 4, 6]), (37, [0, 10, 20, 30, 40]),
     (240, [0, 100, 200, 300]), (0.4, [0, 1])],
)  # fmt: skip
def test_ticks_are_round_numbers_covering_the_peak(peak: float, ticks: list[float]) -> None:
    assert nice_ticks(peak) == ticks


def test_percentages_keep_a_fixed_scale() -> None:
    assert nice_ticks(62.5, fixed_max=100) == [0, 20, 40, 60, 80, 100]


def test_an_svg_names_and_describes_itself_and_escapes_text() -> None:
    root = parse(chart(ChartKind.STACKED, Series("Low harm", (1, 0, 2), "#2e7d32")))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.findtext(f"{SVG}title") == "Falls <& trips>"
    assert root.findtext(f"{SVG}desc") == "What the chart shows."
    assert "Falls &lt;&amp; trips&gt;" in render_svg(chart(ChartKind.LINES))


def test_stacked_bars_draw_one_mark_per_non_zero_value() -> None:
    root = parse(chart(ChartKind.STACKED, Series("No harm", (1, 0, 2), "#3b6ea5"),
                       Series("Low harm", (3, 0, None), "#2e7d32")))  # fmt: skip
    drawn = marks(root)
    assert len(drawn) == 3
    assert [m.findtext(f"{SVG}title") for m in drawn] == [
        "2025-Q1, No harm: 1", "2025-Q1, Low harm: 3", "2025-Q3, No harm: 2"
    ]  # fmt: skip
    heights = [float(m.get("height", "0")) for m in drawn]
    assert heights[1] == pytest.approx(3 * heights[0])  # one scale for every segment


def test_lines_break_where_a_value_is_unknown() -> None:
    root = parse(chart(ChartKind.LINES, Series("All audits", (75.0, None, 90.0), "#1f5f8b"),
                       unit="%", y_max=100.0))  # fmt: skip
    assert len(root.findall(f".//{SVG}polyline")) == 2
    assert [m.findtext(f"{SVG}title") for m in marks(root)] == [
        "2025-Q1, All audits: 75%", "2025-Q3, All audits: 90%"
    ]  # fmt: skip


def test_grouped_bars_and_the_pdf_variant_without_titles() -> None:
    grouped = chart(ChartKind.GROUPED, Series("Opened", (2, 1, 0), "#1f5f8b"),
                    Series("Completed", (1, 1, 1), "#2e7d32"))  # fmt: skip
    assert len(marks(parse(grouped))) == 5
    bare = parse(grouped, accessible=False)
    assert bare.find(f".//{SVG}title") is None and bare.find(f".//{SVG}desc") is None
    assert len(marks(bare)) == 5


def test_an_empty_chart_says_there_is_no_data() -> None:
    empty = chart(ChartKind.STACKED, Series("No harm", (0, 0, 0), "#3b6ea5"))
    assert not empty.has_data
    texts = [node.text for node in parse(empty).iter(f"{SVG}text")]
    assert "No data in this range" in texts


def test_the_data_table_is_the_text_alternative() -> None:
    table = chart_table(chart(ChartKind.LINES, Series("All audits", (75.0, None, 87.5), "#000"),
                              unit="%"))  # fmt: skip
    assert table.columns == ("Period", "All audits")
    assert table.rows == (("2025-Q1", "75%"), ("2025-Q2", "no data"), ("2025-Q3", "87.5%"))
