"""How numbers, shares and dates read to a care manager (one place for page and board pack)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

NO_DATA = "n/a"
ACRONYMS = {"cqc": "CQC", "riddor": "RIDDOR", "mar": "MAR"}


def count(value: int | float | None) -> str:
    """A whole number with thousands separators; ``n/a`` when unknown."""
    return NO_DATA if value is None else f"{value:,.0f}"


def percent(value: float | None) -> str:
    """A percentage already scaled to 0-100, e.g. ``75.0%``."""
    return NO_DATA if value is None else f"{value:.1f}%"


def share(value: float | None) -> str:
    """A share of 0-1 as a whole percentage, e.g. ``0.667`` -> ``67%``."""
    return NO_DATA if value is None else f"{100 * value:.0f}%"


def days(value: float | None) -> str:
    """A number of days to one decimal."""
    return NO_DATA if value is None else f"{value:.1f} days"


def rating(value: float | None) -> str:
    """An average rating out of 5."""
    return NO_DATA if value is None else f"{value:.1f} / 5"


def day(value: str | datetime | None) -> str:
    """An ISO timestamp as ``9 Apr 2025``."""
    if value is None:
        return NO_DATA
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return f"{moment.day} {moment:%b %Y}"


def words(identifier: str | None) -> str:
    """A slug as words: ``cqc_notification`` -> ``CQC notification``."""
    if not identifier:
        return NO_DATA
    parts = [ACRONYMS.get(part, part) for part in identifier.replace("-", "_").split("_")]
    text = " ".join(parts)
    return text[:1].upper() + text[1:]


def plain(value: float) -> str:
    """A number without trailing zeros: ``6``, ``3.5``."""
    return f"{value:g}"


def change(
    current: float | None, previous: float | None, earlier: str, *,
    show: Callable[[float], str] = plain, step: str = "",
) -> str:  # fmt: skip
    """``up 4 from 2 in 2024-Q4`` / ``down ...`` / ``same as ...``; empty when unknown.

    ``show`` prints the earlier value, ``step`` follows the difference (`` points`` for %).
    """
    if current is None or previous is None:
        return ""
    delta = round(current - previous, 3)
    if delta == 0:
        return f"same as {earlier}"
    direction = "up" if delta > 0 else "down"
    return f"{direction} {abs(delta):g}{step} from {show(previous)} in {earlier}"
