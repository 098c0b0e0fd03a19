"""The charts of the dashboard and the board pack, from the API's JSON answers.

Each builder takes a part of ``GET /v1/governance/summary`` or ``GET /v1/themes/trends`` as
served (plain dicts), so the charts show exactly the numbers the API returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from services.reporting.dashboard.charts import Chart, ChartKind, Series, label_of

Json = Mapping[str, Any]
HARM_COLOURS = {"none": "#3b6ea5", "low": "#2e7d32", "moderate": "#b35c00",
                "severe": "#c0392b", "fatal": "#4a1942"}  # fmt: skip
HARM_NAMES = {"none": "No harm", "low": "Low harm", "moderate": "Moderate harm",
              "severe": "Severe harm", "fatal": "Fatal"}  # fmt: skip
PALETTE = ("#1f5f8b", "#b8432f", "#2e7d32", "#6b3fa0", "#7a5c00", "#00697a")
TOP_THEMES = 5


def labels(periods: Sequence[Json]) -> tuple[str, ...]:
    """The period labels, in order."""
    return tuple(p["period"]["label"] for p in periods)


def _listing(categories: Sequence[str], values: Sequence[float | None], unit: str = "") -> str:
    shown = ("no data" if v is None else label_of(v, unit) for v in values)
    return "; ".join(f"{c}: {v}" for c, v in zip(categories, shown, strict=True))


def incidents_by_harm(periods: Sequence[Json], chart_id: str = "incidents-chart") -> Chart:
    """Stacked bars: incidents per period split by physical harm."""
    categories = labels(periods)
    levels = list(HARM_COLOURS)
    for p in periods:
        levels += [level for level in p["incidents"]["by_physical_harm"] if level not in levels]
    harm = [p["incidents"]["by_physical_harm"] for p in periods]
    series = tuple(
        Series(HARM_NAMES.get(level, f"{level} harm"), tuple(h.get(level, 0) for h in harm),
               HARM_COLOURS.get(level, "#555555"))
        for level in levels
    )  # fmt: skip
    totals = [p["incidents"]["total"] for p in periods]
    return Chart(
        chart_id, "Incidents by physical harm",
        "Stacked bars of incidents reported per period, split by physical harm. Totals: "
        + _listing(categories, totals) + ".",
        ChartKind.STACKED, categories, series,
    )  # fmt: skip


def audit_compliance(periods: Sequence[Json], chart_id: str = "audit-chart") -> Chart:
    """Lines: overall audit compliance and each audit type's, per period (0-100%)."""
    categories = labels(periods)
    overall = tuple(p["audits"]["compliance_pct"] for p in periods)
    types: list[str] = []
    for p in periods:
        types += [t["audit_type"] for t in p["audits"]["by_type"] if t["audit_type"] not in types]
    per_type = [
        tuple(next((t["compliance_pct"] for t in p["audits"]["by_type"]
                    if t["audit_type"] == name), None) for p in periods)
        for name in types
    ]  # fmt: skip
    series = [Series("All audits", overall, PALETTE[0])]
    if len(types) > 1:  # with one type its line would repeat the overall one
        series += [
            Series(f"{name.replace('_', ' ')} audits", values, PALETTE[(n + 1) % len(PALETTE)])
            for n, (name, values) in enumerate(zip(types, per_type, strict=True))
        ]
    return Chart(
        chart_id, "Audit compliance",
        "Line chart of average audit compliance per period, in percent. "
        + _listing(categories, overall, "%") + ".",
        ChartKind.LINES, categories, tuple(series), unit="%", y_max=100.0,
    )  # fmt: skip


def improvement_actions(periods: Sequence[Json], chart_id: str = "actions-chart") -> Chart:
    """Grouped bars: actions opened, completed and overdue per period."""
    categories = labels(periods)
    parts = (("opened", "Opened", PALETTE[0]), ("completed", "Completed", PALETTE[2]),
             ("overdue", "Missed due date", PALETTE[1]))  # fmt: skip
    series = tuple(
        Series(name, tuple(p["actions"][key] for p in periods), colour)
        for key, name, colour in parts
    )
    return Chart(
        chart_id, "Improvement actions",
        "Grouped bars of improvement actions opened, completed and due in the period but not done "
        "on time, per period. Opened: "
        + _listing(categories, series[0].values) + ".",
        ChartKind.GROUPED, categories, series,
    )  # fmt: skip


def theme_trends(trends: Json, chart_id: str = "themes-chart", top: int = TOP_THEMES) -> Chart:
    """Lines: events linked to each of the most frequent themes, per period."""
    categories = tuple(trends["periods"])
    leading = list(trends["themes"])[:top]
    series = tuple(
        Series(t["title"], tuple(point["count"] for point in t["series"]),
               PALETTE[n % len(PALETTE)])
        for n, t in enumerate(leading)
    )  # fmt: skip
    described = "; ".join(f"{t['title']} {t['total']}" for t in leading) or "none"
    return Chart(
        chart_id, "Theme trends",
        f"Line chart of events linked to the {top} most frequent themes per period. Totals in "
        f"the range: {described}.",
        ChartKind.LINES, categories, series,
    )  # fmt: skip


def theme_movement(period: Json, chart_id: str = "movement-chart") -> Chart:
    """Grouped bars: rising and falling themes, previous period against this one."""
    info, movement = period["period"], period["themes"]
    changes = [*movement["rising"], *movement["falling"]]
    categories = tuple(c["title"] for c in changes)
    series = (
        Series(info["previous"], tuple(c["previous"] for c in changes), "#7a7a7a"),
        Series(info["label"], tuple(c["current"] for c in changes), PALETTE[0]),
    )
    described = "; ".join(f"{c['title']} {c['previous']} to {c['current']}" for c in changes)
    return Chart(
        chart_id, f"Themes rising and falling, {info['label']} against {info['previous']}",
        "Grouped bars of events per theme in the previous and this period. "
        + (described or "No theme rose or fell.") + ".",
        ChartKind.GROUPED, categories, series, category_name="Theme",
    )  # fmt: skip
