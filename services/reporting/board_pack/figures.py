"""The board pack's key figures: one row each in the CSV, the same numbers the API returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from services.reporting.dashboard.view import serious_harm

Json = Mapping[str, Any]
Unit = Literal["count", "percent", "share", "days", "rating"]
Number = int | float | None


@dataclass(frozen=True)
class KeyFigure:
    """A figure of the pack's period and of the period before (None: unknown)."""

    section: str
    figure: str
    value: Number
    previous: Number
    unit: Unit


def _total(kind: str) -> Callable[[Json], Number]:
    return lambda period: period[kind]["total"]


def _at(*path: str) -> Callable[[Json], Number]:
    def read(period: Json) -> Number:
        value: Any = period
        for key in path:
            value = value[key]
        result: Number = value
        return result

    return read


def _obligations(part: str) -> Callable[[Json], Number]:
    return lambda period: sum(o[part] for o in period["obligations"])


FIGURES: list[tuple[str, str, Unit, Callable[[Json], Number]]] = [
    ("What happened", "Incidents", "count", _total("incidents")),
    ("What happened", "Incidents with moderate harm or worse", "count",
     lambda period: serious_harm(period["incidents"])),
    ("What happened", "Complaints", "count", _total("complaints")),
    ("What happened", "Complaints acknowledged on time", "share",
     _at("complaints", "acknowledged", "on_time_share")),
    ("What happened", "Audits completed", "count", _total("audits")),
    ("What happened", "Audit compliance", "percent", _at("audits", "compliance_pct")),
    ("What happened", "Failed audit items", "count", _at("audits", "failed_items")),
    ("What happened", "Feedback received", "count", _total("feedback")),
    ("What happened", "Average feedback rating", "rating", _at("feedback", "average_rating")),
    ("What happened", "Compliments", "count", _at("feedback", "compliments")),
    ("What we learned", "Learning alerts raised", "count", _at("alerts_raised")),
    ("What we learned", "Lessons shared", "count", _at("lessons_shared")),
    ("What we did", "Improvement actions opened", "count", _at("actions", "opened")),
    ("What we did", "Improvement actions completed", "count", _at("actions", "completed")),
    ("What we did", "Improvement actions escalated", "count", _at("actions", "escalated")),
    ("Did it work", "Actions reviewed for effectiveness", "count", _at("actions", "reviewed")),
    ("Did it work", "Actions verified effective", "count", _at("actions", "verified_effective")),
    ("Did it work", "Share verified effective", "share",
     _at("actions", "share_verified_effective")),
    ("Did it work", "Median days to complete an action", "days",
     _at("actions", "median_days_to_complete")),
    ("Did it work", "Outcomes published", "count", _at("outcomes_published")),
    ("What is overdue", "Actions due in the period and missed", "count",
     _at("actions", "overdue")),
    ("What is overdue", "Obligations due", "count", _obligations("due")),
    ("What is overdue", "Obligations met on time", "count", _obligations("met_on_time")),
    ("What is overdue", "Obligations met late", "count", _obligations("met_late")),
    ("What is overdue", "Obligations overdue", "count", _obligations("overdue")),
    ("What is rising", "Themes rising", "count", lambda p: len(p["themes"]["rising"])),
    ("What is rising", "Themes falling", "count", lambda p: len(p["themes"]["falling"])),
]  # fmt: skip


def key_figures(
    current: Json, before: Json | None, overdue_actions_now: int, overdue_obligations_now: int
) -> list[KeyFigure]:
    """The period's figures against the period before, then what is overdue now."""
    figures = [
        KeyFigure(section, name, read(current), read(before) if before else None, unit)
        for section, name, unit, read in FIGURES
    ]
    figures += [
        KeyFigure("What is overdue", "Improvement actions overdue now", overdue_actions_now,
                  None, "count"),
        KeyFigure("What is overdue", "Obligations overdue now", overdue_obligations_now, None,
                  "count"),
    ]  # fmt: skip
    return figures
