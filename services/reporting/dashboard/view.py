"""What the dashboard page shows, built from the API's JSON answers (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.reporting.dashboard import formats, summary_tables, trend_charts
from services.reporting.dashboard.charts import Chart, chart_table
from services.reporting.dashboard.svg import render_svg
from services.reporting.dashboard.tables import Table

Json = Mapping[str, Any]
SERIOUS_HARM = ("moderate", "severe", "fatal")


@dataclass(frozen=True)
class Headline:
    """One headline figure of the latest period."""

    key: str  # stable id, also the element's data-figure
    label: str
    value: str
    raw: float | None
    comparison: str = ""


@dataclass(frozen=True)
class ChartView:
    """A chart, its inline SVG and its data table."""

    chart: Chart
    svg: str
    table: Table


@dataclass(frozen=True)
class DashboardSource:
    """The API's answers the page is built from."""

    summary: Json  # GET /v1/governance/summary
    trends: Json  # GET /v1/themes/trends
    overdue_actions: Json  # GET /v1/actions?overdue=true
    overdue_obligations: Json  # GET /v1/obligations?status=overdue
    open_obligations: Json  # GET /v1/obligations?status=open
    kind_titles: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DashboardView:
    """Everything the template prints."""

    scope: str
    latest: str
    previous: str
    range_label: str
    headlines: list[Headline]
    charts: list[ChartView]
    tables: dict[str, Table]


def serious_harm(incidents: Json) -> int:
    """Incidents with moderate, severe or fatal physical harm."""
    harm: Mapping[str, int] = incidents["by_physical_harm"]
    return sum(harm.get(level, 0) for level in SERIOUS_HARM)


def describe_scope(scope: Json) -> str:
    """Whose data, e.g. ``harbour-care: all sites`` or ``harbour-care: rosewood-house``."""
    where = "all sites" if scope["sites"] is None else ", ".join(scope["sites"])
    if scope["region"]:
        where += f" in region {scope['region']}"
    return f"{scope['provider_id']}: {where}"


def headlines(periods: Sequence[Json], source: DashboardSource) -> list[Headline]:
    """The latest period's figures, each against the period before when known."""
    now = periods[-1]
    before = periods[-2] if len(periods) > 1 else None
    earlier = now["period"]["previous"]

    def old(path: tuple[str, ...]) -> Any:
        value: Any = before
        for key in path:
            value = None if value is None else value[key]
        return value

    incidents, actions = now["incidents"], now["actions"]
    harm_before = serious_harm(before["incidents"]) if before else None
    compliance = now["audits"]["compliance_pct"]
    rating = now["feedback"]["average_rating"]
    total = "total"
    return [
        Headline("incidents", "Incidents", formats.count(incidents[total]), incidents[total],
                 formats.change(incidents[total], incidents["previous_total"], earlier)),
        Headline("serious-harm", "Incidents with moderate harm or worse",
                 formats.count(serious_harm(incidents)), serious_harm(incidents),
                 formats.change(serious_harm(incidents), harm_before, earlier)),
        Headline("complaints", "Complaints", formats.count(now["complaints"][total]),
                 now["complaints"][total],
                 formats.change(now["complaints"][total], now["complaints"]["previous_total"],
                                earlier)),
        Headline("audit-compliance", "Audit compliance", formats.percent(compliance), compliance,
                 formats.change(compliance, old(("audits", "compliance_pct")), earlier,
                                show=formats.percent, step=" points")),
        Headline("feedback-rating", "Average feedback rating", formats.rating(rating), rating,
                 f"from {formats.count(now['feedback']['rated'])} rated of "
                 f"{formats.count(now['feedback'][total])}"),
        Headline("actions-completed", "Actions completed", formats.count(actions["completed"]),
                 actions["completed"],
                 formats.change(actions["completed"], old(("actions", "completed")), earlier)),
        Headline("verified-effective", "Actions verified effective",
                 formats.share(actions["share_verified_effective"]),
                 actions["share_verified_effective"],
                 f"{actions['verified_effective']} of {actions['reviewed']} reviewed"),
        Headline("median-days", "Median time to complete an action",
                 formats.days(actions["median_days_to_complete"]),
                 actions["median_days_to_complete"]),
        Headline("alerts", "Learning alerts raised", formats.count(now["alerts_raised"]),
                 now["alerts_raised"]),
        Headline("lessons", "Lessons shared", formats.count(now["lessons_shared"]),
                 now["lessons_shared"]),
        Headline("overdue-actions", "Improvement actions overdue now",
                 formats.count(source.overdue_actions["total"]), source.overdue_actions["total"]),
        Headline("overdue-obligations", "Obligations overdue now",
                 formats.count(source.overdue_obligations["total"]),
                 source.overdue_obligations["total"]),
    ]  # fmt: skip


def charts(periods: Sequence[Json], trends: Json) -> list[ChartView]:
    """The trend charts of the page."""
    built = [
        trend_charts.incidents_by_harm(periods),
        trend_charts.audit_compliance(periods),
        trend_charts.theme_trends(trends),
        trend_charts.improvement_actions(periods),
    ]
    return [ChartView(chart, render_svg(chart), chart_table(chart)) for chart in built]


def build(source: DashboardSource) -> DashboardView:
    """The page's content."""
    summary = source.summary
    periods: list[Json] = summary["periods"]
    latest = periods[-1]
    titles = source.kind_titles
    movement = latest["themes"]
    tables = {
        "overdue_actions": summary_tables.overdue_actions(source.overdue_actions["items"]),
        "overdue_obligations": summary_tables.obligations(
            source.overdue_obligations["items"], titles, caption="Overdue obligations",
            empty="No obligation is overdue."),
        "open_obligations": summary_tables.obligations(
            source.open_obligations["items"], titles, caption="Open obligations (not yet due)",
            empty="No obligation is waiting."),
        "obligation_tallies": summary_tables.obligation_tallies(latest, titles),
        "rising": summary_tables.theme_changes(
            movement["rising"], caption=f"Themes rising in {latest['period']['label']}",
            empty="No theme is rising."),
        "falling": summary_tables.theme_changes(
            movement["falling"], caption=f"Themes falling in {latest['period']['label']}",
            empty="No theme is falling."),
        "effectiveness": summary_tables.effectiveness(periods),
        "alerts_lessons": summary_tables.alerts_and_lessons(periods),
        "accountability": summary_tables.accountability(summary["accountability"]),
    }  # fmt: skip
    first, last = periods[0]["period"]["label"], latest["period"]["label"]
    return DashboardView(
        scope=describe_scope(summary["scope"]),
        latest=last,
        previous=latest["period"]["previous"],
        range_label=first if first == last else f"{first} to {last}",
        headlines=headlines(periods, source),
        charts=charts(periods, source.trends),
        tables=tables,
    )
