"""The board pack's key figures as CSV: one row per figure, numbers as the API returns them."""

from __future__ import annotations

import csv
import io

from services.reporting.board_pack.content import BoardPack

COLUMNS = ("section", "figure", "period", "value", "previous_period", "previous_value", "unit")


def _number(value: int | float | None) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def to_csv(pack: BoardPack) -> str:
    """``section,figure,period,value,previous_period,previous_value,unit`` rows (empty: unknown)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for f in pack.figures:
        writer.writerow((f.section, f.figure, pack.period, _number(f.value), pack.previous,
                         _number(f.previous), f.unit))  # fmt: skip
    return out.getvalue()
