"""The board pack as Markdown: headings, paragraphs, tables, and each chart's data as a table."""

from __future__ import annotations

from services.reporting.board_pack.content import BoardPack, Section
from services.reporting.dashboard.charts import chart_table
from services.reporting.dashboard.tables import Table


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def table_lines(table: Table) -> list[str]:
    """A pipe table under a bold caption (or the caption and the empty-table sentence)."""
    if table.is_empty:
        return [f"**{_cell(table.caption)}:** {table.empty}", ""]
    lines = [f"**{_cell(table.caption)}**", ""]
    lines.append("| " + " | ".join(_cell(c) for c in table.columns) + " |")
    lines.append("|" + "|".join(" --- " for _ in table.columns) + "|")
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    return [*lines, ""]


def _section(number: int, section: Section) -> list[str]:
    lines = [f"## {number}. {section.title}", ""]
    for paragraph in section.paragraphs:
        lines += [paragraph, ""]
    for chart in section.charts:
        lines += [f"*Chart: {chart.title}.* {chart.description}", ""]
        lines += table_lines(chart_table(chart))
    for table in section.tables:
        lines += table_lines(table)
    return lines


def to_markdown(pack: BoardPack) -> str:
    """The whole pack."""
    lines = [f"# {pack.title}", "", pack.introduction, ""]
    for number, section in enumerate(pack.sections, start=1):
        lines += _section(number, section)
    lines += ["## Key figures", ""]
    rows = tuple((f.section, f.figure, _shown(f.value), _shown(f.previous), f.unit)
                 for f in pack.figures)  # fmt: skip
    lines += table_lines(
        Table(
            f"{pack.period} against {pack.previous}",
            ("Section", "Figure", pack.period, pack.previous, "Unit"),
            rows,
        )
    )
    if pack.notes:
        lines += ["## Notes", "", *(f"- {note}" for note in pack.notes), ""]
    return "\n".join(lines)


def _shown(value: int | float | None) -> str:
    return "n/a" if value is None else f"{value:g}"
