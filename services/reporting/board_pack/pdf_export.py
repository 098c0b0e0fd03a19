"""The board pack as an A4 PDF (fpdf2): the same SVG charts as the dashboard, tables, outline.

fpdf2's built-in fonts cover Latin-1 only, so text is folded to Latin-1 first (dashes, quotes
and ellipses to their ASCII look-alikes; anything else to ``?``).
"""

from __future__ import annotations

import io

from fpdf import FPDF
from fpdf.fonts import FontFace

from services.reporting.board_pack.content import BoardPack, Section
from services.reporting.dashboard.charts import Chart, chart_table
from services.reporting.dashboard.svg import render_svg
from services.reporting.dashboard.svg_frame import HEIGHT, WIDTH
from services.reporting.dashboard.tables import Table

FOLD = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2018": "'", "\u2019": "'",
                      "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u2022": "-",
                      "\u00a0": " ", "\u2212": "-"})  # fmt: skip
FONT = "helvetica"
BRAND = (31, 78, 121)
CHART_WIDTH_MM = 170.0


def latin1(text: str) -> str:
    """``text`` as the built-in PDF fonts can print it."""
    return text.translate(FOLD).encode("latin-1", errors="replace").decode("latin-1")


class _Document(FPDF):
    """A4 pages with the pack's title on top and page numbers below."""

    def __init__(self, pack: BoardPack) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.pack = pack
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(latin1(pack.title))
        self.set_author("LearnLoop")
        self.set_subject(latin1(f"{pack.scope}, {pack.period}"))
        self.set_creator("LearnLoop reporting service")
        self.set_lang("en-GB")

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(FONT, size=8)
        self.set_text_color(75, 75, 75)
        self.cell(0, 5, latin1(f"{self.pack.title} - {self.pack.scope}"), align="L")
        self.ln(8)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(75, 75, 75)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")


def _paragraph(pdf: FPDF, text: str, *, size: float = 10.5, style: str = "") -> None:
    pdf.set_font(FONT, style=style, size=size)
    pdf.set_text_color(29, 29, 27)
    pdf.multi_cell(0, 5.5, latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def _heading(pdf: FPDF, text: str, size: float) -> None:
    if pdf.will_page_break(40):  # keep a heading with what follows it
        pdf.add_page()
    pdf.set_font(FONT, style="B", size=size)
    pdf.set_text_color(*BRAND)
    pdf.multi_cell(0, size * 0.55, latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def _table(pdf: FPDF, table: Table) -> None:
    if table.is_empty:
        _paragraph(pdf, f"{table.caption}: {table.empty}", size=9.5, style="I")
        return
    if pdf.will_page_break(20):
        pdf.add_page()
    _paragraph(pdf, table.caption, size=10, style="B")
    pdf.set_font(FONT, size=8.5)
    pdf.set_text_color(29, 29, 27)
    headings = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
    with pdf.table(headings_style=headings, line_height=4.6, text_align="LEFT",
                   borders_layout="HORIZONTAL_LINES") as body:  # fmt: skip
        for row in (table.columns, *table.rows):
            cells = body.row()
            for cell in row:
                cells.cell(latin1(cell))
    pdf.ln(3)


def _chart(pdf: FPDF, chart: Chart) -> None:
    height = CHART_WIDTH_MM * HEIGHT / WIDTH
    if pdf.will_page_break(height + 12):
        pdf.add_page()
    _paragraph(pdf, chart.title, size=10, style="B")
    svg = latin1(render_svg(chart, accessible=False)).encode("latin-1")
    pdf.image(io.BytesIO(svg), x=pdf.l_margin, w=CHART_WIDTH_MM, alt_text=latin1(chart.title))
    pdf.ln(2)
    _paragraph(pdf, chart.description, size=8.5, style="I")
    _table(pdf, chart_table(chart))


def _section(pdf: FPDF, number: int, section: Section) -> None:
    pdf.start_section(latin1(section.title))
    _heading(pdf, f"{number}. {section.title}", 14)
    for paragraph in section.paragraphs:
        _paragraph(pdf, paragraph)
    for chart in section.charts:
        _chart(pdf, chart)
    for table in section.tables:
        _table(pdf, table)


def to_pdf(pack: BoardPack) -> bytes:
    """The whole pack as PDF bytes."""
    pdf = _Document(pack)
    pdf.add_page()
    _heading(pdf, pack.title, 20)
    _paragraph(pdf, pack.introduction)
    for number, section in enumerate(pack.sections, start=1):
        _section(pdf, number, section)
    pdf.start_section("Key figures")
    _heading(pdf, "Key figures", 14)
    rows = tuple((f.section, f.figure, _shown(f.value), _shown(f.previous))
                 for f in pack.figures)  # fmt: skip
    _table(pdf, Table(f"{pack.period} against {pack.previous}",
                      ("Section", "Figure", pack.period, pack.previous), rows))  # fmt: skip
    if pack.notes:
        _heading(pdf, "Notes", 12)
        for note in pack.notes:
            _paragraph(pdf, f"- {note}", size=9)
    return bytes(pdf.output())


def _shown(value: int | float | None) -> str:
    return "n/a" if value is None else f"{value:g}"
