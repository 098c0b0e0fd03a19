"""The governance summary of one period, computed from what the read models hold.

Upheld rate: complaints resolved in the period (``complaint.resolved``) that were upheld or
partly upheld, over those resolved (withdrawn ones excluded); null when none were resolved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from services.reporting.domain import facts as m
from services.reporting.domain.actions import Accountability, ActionsInPeriod
from services.reporting.domain.cube import Cell, CubeView
from services.reporting.domain.obligations import (
    COMPLAINT_ACKNOWLEDGEMENT,
    COMPLAINT_RESPONSE,
    ObligationTally,
    empty_tally,
)
from services.reporting.domain.periods import Granularity, Period, previous_period
from services.reporting.domain.sites import IncidentRate, SiteSize, incident_rate
from services.reporting.domain.summary_model import (
    AuditSummary,
    AuditTypeSummary,
    ComplaintSummary,
    FeedbackSummary,
    IncidentSummary,
    PeriodInfo,
    PeriodSummary,
    ThemeCount,
)
from services.reporting.domain.tallies import ALERTS_RAISED, LESSONS_SHARED, BeforeNow
from services.reporting.domain.tally_metrics import (
    Clock,
    accountability_tallied,
    actions_tallied,
    obligations_tallied,
)
from services.reporting.domain.themes import theme_movement
from shared.events.incident_codes import PhysicalHarm, PsychologicalHarm

TOP_THEMES = 5


@dataclass(frozen=True)
class ReadModel:
    """What the reader fetched for a range of months (and the period before it)."""

    cells: Sequence[Cell]
    site_incidents: Sequence[Cell]  # metric "incidents", dimension: site id
    tallies: CubeView = field(default_factory=lambda: CubeView(()))  # see domain.tallies
    before_now: BeforeNow = field(default_factory=BeforeNow)
    median_days: Mapping[str, float | None] = field(default_factory=dict)  # by period label
    owner_median_days: Mapping[str, float | None] = field(default_factory=dict)  # by role
    sites: Mapping[str, SiteSize] = field(default_factory=dict)

    @cached_property
    def cube_view(self) -> CubeView:
        """The cube cells, indexed."""
        return CubeView(self.cells)


@dataclass(frozen=True)
class SummaryRules:
    """Settings of a summary: names, thresholds and the clock."""

    granularity: Granularity
    now: datetime
    titles: Mapping[str, str]
    obligation_kinds: Sequence[str]
    min_count: int = 3


def summarise(
    model: ReadModel, periods: Sequence[Period], rules: SummaryRules
) -> list[PeriodSummary]:
    """One summary per period, each compared with the period before it."""
    cube, counted = model.cube_view, model.tallies
    return [_period(cube, counted, model, period, rules) for period in periods]


def accountability_of(model: ReadModel, whole: Period, now: datetime) -> list[Accountability]:
    """Actions opened in ``whole`` by owner role."""
    return accountability_tallied(
        model.tallies, whole, Clock.at(now), model.before_now, model.owner_median_days
    )


def _period(
    cube: CubeView, counted: CubeView, model: ReadModel, period: Period, rules: SummaryRules
) -> PeriodSummary:
    before = previous_period(period, rules.granularity)
    months, earlier = period.months, before.months
    themes_now = cube.merged(m.THEME_METRICS, months)
    themes_before = cube.merged(m.THEME_METRICS, earlier)
    clock = Clock.at(rules.now)
    obligations = obligations_tallied(counted, period, clock, model.before_now)
    kinds = sorted(set(rules.obligation_kinds) | set(obligations))
    return PeriodSummary(
        period=PeriodInfo(
            period.label, period.first.label, period.last.label, period.days, before.label
        ),
        incidents=_incidents(cube, model, period, before, rules),
        complaints=ComplaintSummary(
            total=cube.count(m.COMPLAINTS, months),
            previous_total=cube.count(m.COMPLAINTS, earlier),
            by_category=cube.by_dimension(m.COMPLAINT_CATEGORY, months),
            by_severity=cube.by_dimension(m.COMPLAINT_SEVERITY, months),
            acknowledged=obligations.get(COMPLAINT_ACKNOWLEDGEMENT)
            or empty_tally(COMPLAINT_ACKNOWLEDGEMENT),
            responded=obligations.get(COMPLAINT_RESPONSE) or empty_tally(COMPLAINT_RESPONSE),
            by_outcome=cube.by_dimension(m.COMPLAINT_OUTCOME, months),
            upheld_rate=upheld_rate(cube.by_dimension(m.COMPLAINT_OUTCOME, months)),
        ),
        audits=_audits(cube, months, earlier),
        feedback=_feedback(cube, months, earlier),
        actions=actions_tallied(
            counted, period, clock, model.before_now, model.median_days.get(period.label)
        ),
        obligations=[obligations.get(kind) or empty_tally(kind) for kind in kinds],
        alerts_raised=counted.count(ALERTS_RAISED, months),
        lessons_shared=counted.count(LESSONS_SHARED, months),
        outcomes_published=cube.count(m.OUTCOMES, months),
        themes=theme_movement(
            themes_now, themes_before, min_count=rules.min_count, titles=rules.titles
        ),
    )


def _incidents(
    cube: CubeView, model: ReadModel, period: Period, before: Period, rules: SummaryRules
) -> IncidentSummary:
    months = period.months
    physical = cube.by_dimension(m.INCIDENT_PHYSICAL_HARM, months)
    psychological = cube.by_dimension(m.INCIDENT_PSYCHOLOGICAL_HARM, months)
    themes = cube.by_dimension("themes.incident", months)
    per_site: dict[str, int] = {}
    wanted = set(months)
    for cell in model.site_incidents:
        if cell.month in wanted:
            per_site[cell.dimension] = per_site.get(cell.dimension, 0) + cell.count
    rates: list[IncidentRate] = [
        incident_rate(site, per_site.get(site, 0), model.sites.get(site), period)
        for site in sorted(set(per_site) | set(model.sites))
    ]
    return IncidentSummary(
        total=cube.count(m.INCIDENTS, months),
        previous_total=cube.count(m.INCIDENTS, before.months),
        by_physical_harm={level.value: physical.get(level.value, 0) for level in PhysicalHarm},
        by_psychological_harm={
            level.value: psychological.get(level.value, 0) for level in PsychologicalHarm
        },
        by_category=cube.by_dimension(m.INCIDENT_CATEGORY, months),
        top_themes=[
            ThemeCount(theme, rules.titles.get(theme, theme), count)
            for theme, count in list(themes.items())[:TOP_THEMES]
        ],
        rates=rates,
    )


def _audits(cube: CubeView, months: Sequence[str], earlier: Sequence[str]) -> AuditSummary:
    scored_now, scored_before = (
        cube.pairs(m.AUDIT_SCORED, months),
        cube.pairs(m.AUDIT_SCORED, earlier),
    )
    failed = cube.by_dimension(m.AUDIT_FAILED_ITEMS, months)
    by_type = []
    for audit_type, audits in cube.by_dimension(m.AUDIT_TYPE, months).items():
        now_pct = _compliance(*scored_now.get(audit_type, (0, 0)))
        before_pct = _compliance(*scored_before.get(audit_type, (0, 0)))
        change = None
        if now_pct is not None and before_pct is not None:
            change = round(now_pct - before_pct, 1)
        by_type.append(
            AuditTypeSummary(
                audit_type=audit_type, audits=audits,
                scored=scored_now.get(audit_type, (0, 0))[0], compliance_pct=now_pct,
                previous_compliance_pct=before_pct, change_pct_points=change,
                failed_items=failed.get(audit_type, 0),
            )
        )  # fmt: skip
    count = sum(c for c, _ in scored_now.values())
    return AuditSummary(
        total=cube.count(m.AUDITS, months),
        compliance_pct=_compliance(count, sum(t for _, t in scored_now.values())),
        failed_items=sum(failed.values()),
        by_type=by_type,
    )


def _compliance(count: int, total_ppm: int) -> float | None:
    """Mean audit score as a percentage, one decimal."""
    return round(100 * total_ppm / (count * m.SCORE_SCALE), 1) if count else None


def _feedback(cube: CubeView, months: Sequence[str], earlier: Sequence[str]) -> FeedbackSummary:
    rated = cube.count(m.FEEDBACK_RATING, months)
    stars = sum(total for _, total in cube.pairs(m.FEEDBACK_RATING, months).values())
    return FeedbackSummary(
        total=cube.count(m.FEEDBACK, months),
        previous_total=cube.count(m.FEEDBACK, earlier),
        rated=rated,
        average_rating=round(stars / rated, 2) if rated else None,
        compliments=cube.count(m.FEEDBACK_COMPLIMENTS, months),
        by_kind=cube.by_dimension(m.FEEDBACK_KIND, months),
    )


__all__ = ["ActionsInPeriod", "ObligationTally", "ReadModel", "SummaryRules", "summarise"]


def upheld_rate(outcomes: Mapping[str, int]) -> float | None:
    """Upheld or partly upheld, over all resolved except withdrawn; None when none resolved."""
    decided = sum(count for outcome, count in outcomes.items() if outcome != "withdrawn")
    if not decided:
        return None
    upheld = outcomes.get("upheld", 0) + outcomes.get("partly_upheld", 0)
    return round(upheld / decided, 4)
