"""Tables of the dashboard and the board pack, from the API's JSON answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from services.reporting.dashboard import formats
from services.reporting.dashboard.tables import Table

Json = Mapping[str, Any]


def kind_title(kind: str, titles: Mapping[str, str]) -> str:
    """An obligation kind's title from the rule files, else its id in words."""
    return titles.get(kind) or formats.words(kind)


def overdue_actions(items: Sequence[Json], caption: str = "Overdue improvement actions") -> Table:
    """Actions past due and not done, soonest due first (as listed by the API)."""
    rows = tuple(
        (a["title"] or a["action_id"], a["site_id"], formats.words(a["theme_id"]),
         formats.words(a["owner_role"] or "unassigned"), formats.day(a["due_at"]),
         formats.words(a["status"]))
        for a in items
    )  # fmt: skip
    return Table(caption, ("Action", "Site", "Theme", "Owner", "Due", "Status"), rows,
                 empty="No improvement action is overdue.")  # fmt: skip


def obligations(
    items: Sequence[Json], titles: Mapping[str, str], *, caption: str, empty: str
) -> Table:
    """Obligations as listed by the API (overdue or open), soonest due first."""
    rows = tuple(
        (kind_title(o["kind"], titles), o["site_id"], formats.words(o["statutory"]),
         formats.day(o["due_at"]), o["source_event_id"] or formats.NO_DATA)
        for o in items
    )  # fmt: skip
    return Table(caption, ("Obligation", "Site", "Status", "Due", "Source event"), rows, empty)


def theme_changes(changes: Sequence[Json], *, caption: str, empty: str) -> Table:
    """Rising or falling themes with their counts this and the previous period."""
    rows = tuple(
        (c["title"], formats.count(c["previous"]), formats.count(c["current"]),
         f"{c['change']:+d}", "new" if c["change_pct"] is None else f"{c['change_pct']:+.1f}%")
        for c in changes
    )  # fmt: skip
    return Table(caption, ("Theme", "Previous period", "This period", "Change", "Change %"),
                 rows, empty)  # fmt: skip


def effectiveness(periods: Sequence[Json]) -> Table:
    """Per period: actions completed, median days to complete, reviewed, verified effective."""
    rows = tuple(
        (p["period"]["label"], formats.count(a["completed"]),
         formats.days(a["median_days_to_complete"]), formats.count(a["reviewed"]),
         formats.count(a["verified_effective"]), formats.share(a["share_verified_effective"]))
        for p in periods
        for a in [p["actions"]]
    )  # fmt: skip
    columns = ("Period", "Completed", "Median time to complete", "Reviewed",
               "Verified effective", "Share verified effective")  # fmt: skip
    return Table("Did the actions work?", columns, rows)


def alerts_and_lessons(periods: Sequence[Json]) -> Table:
    """Per period: learning alerts raised, lessons shared and outcomes published."""
    rows = tuple(
        (p["period"]["label"], formats.count(p["alerts_raised"]),
         formats.count(p["lessons_shared"]), formats.count(p["outcomes_published"]))
        for p in periods
    )  # fmt: skip
    columns = ("Period", "Learning alerts raised", "Lessons shared", "Outcomes published")
    return Table("Learning alerts and lessons", columns, rows)


def accountability(rows: Sequence[Json]) -> Table:
    """Actions opened in the range, by the role that owns them."""
    body = tuple(
        (formats.words(r["owner_role"]), formats.count(r["actions"]), formats.count(r["open"]),
         formats.count(r["overdue"]), formats.count(r["completed"]),
         formats.days(r["median_days_to_complete"]), formats.count(r["verified_effective"]))
        for r in rows
    )  # fmt: skip
    columns = ("Owner", "Actions", "Open", "Overdue now", "Completed", "Median time to complete",
               "Verified effective")  # fmt: skip
    return Table("Accountability by action owner", columns, body,
                 empty="No improvement action was opened in this range.")  # fmt: skip


def obligation_tallies(period: Json, titles: Mapping[str, str]) -> Table:
    """A period's obligations per kind: due, met on time, met late, overdue, open."""
    rows = tuple(
        (kind_title(o["kind"], titles), formats.count(o["due"]), formats.count(o["met_on_time"]),
         formats.count(o["met_late"]), formats.count(o["overdue"]), formats.count(o["open"]),
         formats.share(o["on_time_share"]))
        for o in period["obligations"]
        if o["due"]
    )  # fmt: skip
    columns = ("Obligation", "Due", "Met on time", "Met late", "Overdue", "Open", "On time")
    return Table(f"Statutory and policy obligations due in {period['period']['label']}",
                 columns, rows, empty="No obligation fell due in this period.")  # fmt: skip
