"""The formats a board pack is exported in, their media types and file names."""

from __future__ import annotations

import re
from enum import StrEnum

from services.reporting.board_pack.content import BoardPack
from services.reporting.board_pack.csv_export import to_csv
from services.reporting.board_pack.html_export import to_html
from services.reporting.board_pack.markdown_export import to_markdown
from services.reporting.board_pack.pdf_export import to_pdf


class PackFormat(StrEnum):
    """PDF for the meeting, CSV for the key figures, Markdown or HTML to edit and share."""

    PDF = "pdf"
    CSV = "csv"
    MD = "md"
    HTML = "html"


MEDIA_TYPES = {
    PackFormat.PDF: "application/pdf",
    PackFormat.CSV: "text/csv; charset=utf-8",
    PackFormat.MD: "text/markdown; charset=utf-8",
    PackFormat.HTML: "text/html; charset=utf-8",
}
INLINE = frozenset({PackFormat.PDF, PackFormat.HTML})  # a browser shows these itself
# Header values are Latin-1 and a quote would end the file name: names keep only safe characters.
UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def export(pack: BoardPack, fmt: PackFormat) -> bytes:
    """The pack in ``fmt``."""
    if fmt is PackFormat.PDF:
        return to_pdf(pack)
    text = {PackFormat.CSV: to_csv, PackFormat.MD: to_markdown, PackFormat.HTML: to_html}[fmt]
    return text(pack).encode("utf-8")


def file_name(pack: BoardPack, fmt: PackFormat, *, region: str | None, site: str | None) -> str:
    """``board-pack-2025-Q4[-region][-site].pdf``."""
    parts = ["board-pack", pack.period, *(p for p in (region, site) if p)]
    return "-".join(UNSAFE_IN_NAME.sub("_", part)[:64] for part in parts) + f".{fmt.value}"


def disposition(name: str, fmt: PackFormat) -> str:
    """``inline`` for PDF and HTML, ``attachment`` otherwise, with the file name."""
    return f'{"inline" if fmt in INLINE else "attachment"}; filename="{name}"'
