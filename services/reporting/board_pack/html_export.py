"""The board pack as one self-contained HTML document (inline SVG charts and styles)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from services.reporting.board_pack.content import BoardPack
from services.reporting.dashboard.charts import chart_table
from services.reporting.dashboard.svg import render_svg

HERE = Path(__file__).parent
environment = Environment(
    loader=FileSystemLoader([HERE / "templates", HERE.parent / "dashboard" / "templates"]),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters["svg"] = lambda chart: Markup(render_svg(chart))  # escaped by ElementTree
environment.filters["chart_table"] = chart_table
# The document is saved and opened offline: its styles are inline, it runs no script.
HTML_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "X-Content-Type-Options": "nosniff",
}


def to_html(pack: BoardPack) -> str:
    """The whole pack."""
    return environment.get_template("board_pack.html").render(pack=pack)
