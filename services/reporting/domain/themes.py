"""Themes rising or falling against the previous period.

A theme is rising when it reached at least ``min_count`` events this period and more than last
period; falling when it had at least ``min_count`` last period and fewer now. The minimum keeps
one-off events (1 -> 2, "+100%") off a board's agenda.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ThemeChange:
    """A theme's count this period against the previous one."""

    theme_id: str
    title: str
    current: int
    previous: int
    change: int
    change_pct: float | None  # None when the previous count was 0


@dataclass(frozen=True)
class ThemeMovement:
    """Themes rising and falling, largest change first."""

    rising: list[ThemeChange]
    falling: list[ThemeChange]


def theme_movement(
    current: Mapping[str, int],
    previous: Mapping[str, int],
    *,
    min_count: int,
    titles: Mapping[str, str],
) -> ThemeMovement:
    """Compare per-theme counts of two consecutive periods."""
    changes = [
        _change(theme, current.get(theme, 0), previous.get(theme, 0), titles)
        for theme in sorted(set(current) | set(previous))
    ]
    rising = [c for c in changes if c.current >= min_count and c.current > c.previous]
    falling = [c for c in changes if c.previous >= min_count and c.current < c.previous]
    rising.sort(key=lambda c: (-c.change, c.theme_id))
    falling.sort(key=lambda c: (c.change, c.theme_id))
    return ThemeMovement(rising=rising, falling=falling)


def _change(theme: str, now: int, before: int, titles: Mapping[str, str]) -> ThemeChange:
    pct = round(100 * (now - before) / before, 1) if before else None
    return ThemeChange(theme, titles.get(theme, theme), now, before, now - before, pct)
