"""Theme trends: each theme's count per period, by kind of fact, with the latest movement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.reporting.domain.cube import Cell, CubeView
from services.reporting.domain.facts import FACT_KINDS, theme_metric
from services.reporting.domain.periods import Granularity, Period, previous_period
from services.reporting.domain.themes import ThemeMovement, theme_movement

SOURCES = {kind: theme_metric(event_type) for event_type, kind in FACT_KINDS.items()}


@dataclass(frozen=True)
class ThemePoint:
    """A theme in one period: events linked, in total and per kind of fact."""

    period: str
    count: int
    by_source: dict[str, int]


@dataclass(frozen=True)
class ThemeTrend:
    """One theme over the requested periods."""

    theme_id: str
    title: str
    total: int
    series: list[ThemePoint]


@dataclass(frozen=True)
class ThemeTrends:
    """Every theme seen in the range, most frequent first, and what moved in the last period."""

    granularity: Granularity
    periods: list[str]
    themes: list[ThemeTrend]
    latest: ThemeMovement


def theme_trends(
    cells: Sequence[Cell],
    periods: Sequence[Period],
    *,
    granularity: Granularity,
    titles: Mapping[str, str],
    min_count: int,
) -> ThemeTrends:
    """Trends from cube cells covering ``periods`` and the period before the first."""
    cube = CubeView(cells)
    seen: set[str] = set()
    for period in periods:
        seen.update(cube.merged(SOURCES.values(), period.months))
    trends = []
    for theme in seen:
        series = []
        for period in periods:
            by_source = {
                kind: cube.count(metric, period.months, theme) for kind, metric in SOURCES.items()
            }
            series.append(ThemePoint(period.label, sum(by_source.values()), by_source))
        total = sum(point.count for point in series)
        trends.append(ThemeTrend(theme, titles.get(theme, theme), total, series))
    trends.sort(key=lambda trend: (-trend.total, trend.theme_id))
    last = periods[-1]
    before = previous_period(last, granularity)
    latest = theme_movement(
        cube.merged(SOURCES.values(), last.months),
        cube.merged(SOURCES.values(), before.months),
        min_count=min_count,
        titles=titles,
    )
    return ThemeTrends(granularity, [p.label for p in periods], trends, latest)
