"""The shape of a period's governance summary (served as JSON by the API)."""

from __future__ import annotations

from dataclasses import dataclass

from services.reporting.domain.actions import ActionsInPeriod
from services.reporting.domain.obligations import ObligationTally
from services.reporting.domain.sites import IncidentRate
from services.reporting.domain.themes import ThemeMovement


@dataclass(frozen=True)
class PeriodInfo:
    """Which period: its label, first and last month, length, and the one compared with."""

    label: str
    first_month: str
    last_month: str
    days: int
    previous: str


@dataclass(frozen=True)
class ThemeCount:
    """A theme and how many events were linked to it."""

    theme_id: str
    title: str
    count: int


@dataclass(frozen=True)
class IncidentSummary:
    """Incidents by harm, category and theme, and rates per site."""

    total: int
    previous_total: int
    by_physical_harm: dict[str, int]
    by_psychological_harm: dict[str, int]
    by_category: dict[str, int]
    top_themes: list[ThemeCount]
    rates: list[IncidentRate]


@dataclass(frozen=True)
class ComplaintSummary:
    """Complaints by category; acknowledged and responded to within deadline."""

    total: int
    previous_total: int
    by_category: dict[str, int]
    by_severity: dict[str, int]
    acknowledged: ObligationTally
    responded: ObligationTally
    by_outcome: dict[str, int]  # complaints resolved in the period, by outcome
    upheld_rate: float | None  # upheld or partly upheld / resolved (withdrawn excluded)


@dataclass(frozen=True)
class AuditTypeSummary:
    """One audit type: mean score as compliance %, against the previous period."""

    audit_type: str
    audits: int
    scored: int
    compliance_pct: float | None
    previous_compliance_pct: float | None
    change_pct_points: float | None
    failed_items: int


@dataclass(frozen=True)
class AuditSummary:
    """Audits completed, overall compliance and failed items."""

    total: int
    compliance_pct: float | None
    failed_items: int
    by_type: list[AuditTypeSummary]


@dataclass(frozen=True)
class FeedbackSummary:
    """Feedback volume, average rating (1-5) and compliments (incl. good practice)."""

    total: int
    previous_total: int
    rated: int
    average_rating: float | None
    compliments: int
    by_kind: dict[str, int]


@dataclass(frozen=True)
class PeriodSummary:
    """Everything a governance meeting reviews for one period."""

    period: PeriodInfo
    incidents: IncidentSummary
    complaints: ComplaintSummary
    audits: AuditSummary
    feedback: FeedbackSummary
    actions: ActionsInPeriod
    obligations: list[ObligationTally]
    alerts_raised: int
    lessons_shared: int
    outcomes_published: int
    themes: ThemeMovement
