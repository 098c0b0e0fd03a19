"""A table of text cells, as the dashboard and every board pack format print it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """A caption, column headings and rows; the first cell of a row heads that row."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = "None."  # said instead of an empty table

    @property
    def is_empty(self) -> bool:
        """True when there are no rows."""
        return not self.rows
