"""Governance summary, site scorecard, theme trends and the site list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from services.reporting.adapters.lists import ActionQuery, list_actions, list_obligations
from services.reporting.adapters.reader import read_cells, read_model, seen_sites, visible_sites
from services.reporting.api.deps import (
    FromMonth,
    RuntimeDep,
    ScopeDep,
    ToMonth,
    narrow,
    periods_for,
    refuse_nul_characters,
    span_of,
    span_with_previous,
)
from services.reporting.api.errors import ERROR_RESPONSES, ApiError
from services.reporting.api.items import ActionItem, ObligationItem
from services.reporting.api.schemas import (
    GovernanceSummary,
    ScopeInfo,
    SiteInfo,
    SiteList,
    SiteScorecard,
    ThemeTrendsResponse,
)
from services.reporting.domain.access import ReadFilter
from services.reporting.domain.actions import Accountability
from services.reporting.domain.obligations import ObligationState
from services.reporting.domain.periods import Granularity, Period
from services.reporting.domain.summary import SummaryRules, accountability_of, summarise
from services.reporting.domain.summary_model import PeriodSummary
from services.reporting.domain.trends import theme_trends
from services.reporting.runtime import ReportingRuntime

NOTES = [
    "Months are calendar months on the Europe/London clock; quarters are calendar quarters "
    "(Q1 = January-March), not financial quarters.",
    "Complaint upheld rate: complaints resolved in the period (complaint.resolved) upheld or "
    "partly upheld, over those resolved (withdrawn excluded); null when none were resolved.",
    "Actions 'overdue' in a period: due in it and completed late or still not done. Obligations "
    "are counted in the period they fall due.",
    "Incident rates are per 1,000 occupied bed days (care homes) or per 1,000 care hours "
    "(homecare), null when the site's size is unknown.",
]
API_DESCRIPTION = (
    "Read models of LearnLoop for governance meetings, managers, commissioners and inspectors. "
    "Authenticate with an intake API key in `X-API-Key`: a key scoped to sites sees only those "
    "sites; a provider-wide key sees its provider. Never another provider.\n\n- "
    + "\n- ".join(NOTES)
)
router = APIRouter(
    tags=["governance"], responses=ERROR_RESPONSES, dependencies=[Depends(refuse_nul_characters)]
)
GranularityQuery = Annotated[Granularity, Query(description="month, quarter or year")]
SiteQuery = Annotated[str | None, Query(description="Only this site.")]
RegionQuery = Annotated[str | None, Query(description="Only sites of this region.")]
MinCountQuery = Annotated[int | None, Query(ge=1, description="Fewest events to rise/fall.")]


async def _summaries(
    runtime: ReportingRuntime, read: ReadFilter, periods: list[Period], granularity: Granularity,
    min_count: int | None,
) -> tuple[list[PeriodSummary], list[Accountability]]:  # fmt: skip
    now = runtime.clock()
    span = span_with_previous(periods, granularity)
    async with runtime.engine.connect() as connection:
        model = await read_model(connection, read, periods, span, now)
    rules = SummaryRules(
        granularity=granularity, now=now, titles=runtime.titles,
        obligation_kinds=[kind.id for kind in runtime.rulebook.obligations],
        min_count=min_count or runtime.settings.reporting.theme_min_count,
    )  # fmt: skip
    return summarise(model, periods, rules), accountability_of(model, span_of(periods), now)


@router.get("/v1/governance/summary", response_model=GovernanceSummary)
async def governance_summary(
    runtime: RuntimeDep, scope: ScopeDep, region: RegionQuery = None, site: SiteQuery = None,
    granularity: GranularityQuery = Granularity.MONTH,
    first: FromMonth = None,
    last: ToMonth = None,
    min_count: MinCountQuery = None,
) -> GovernanceSummary:  # fmt: skip
    """Per period: incidents, complaints, audits, feedback, actions, obligations, alerts,
    lessons and rising/falling themes, each against the previous period."""
    read = narrow(scope, site=site, region=region)
    periods = periods_for(runtime, granularity, first, last)
    summaries, owners = await _summaries(runtime, read, periods, granularity, min_count)
    return GovernanceSummary(
        ScopeInfo.of(scope, read), granularity.value, periods[0].first.label,
        periods[-1].last.label, runtime.clock(), NOTES, summaries, owners,
    )  # fmt: skip


@router.get("/v1/sites", response_model=SiteList)
async def sites(runtime: RuntimeDep, scope: ScopeDep, region: RegionQuery = None) -> SiteList:
    """The sites the key may see, with their sizes when known."""
    read = narrow(scope, region=region)
    async with runtime.engine.connect() as connection:
        seen = await seen_sites(connection, read)
        sizes = await visible_sites(connection, read)
    regions = {**{s: size.region for s, size in sizes.items()}, **seen}
    return SiteList([SiteInfo.of(s, regions[s], sizes.get(s)) for s in sorted(regions)])


@router.get(
    "/v1/sites/{site_id}/scorecard",
    response_model=SiteScorecard,
    responses={404: {"description": "No such site for this provider"}},
)
async def site_scorecard(
    runtime: RuntimeDep, scope: ScopeDep, site_id: Annotated[str, Path()],
    granularity: GranularityQuery = Granularity.MONTH,
    first: FromMonth = None,
    last: ToMonth = None,
    min_count: MinCountQuery = None,
) -> SiteScorecard:  # fmt: skip
    """One site's periods, accountability per owner role, and what is overdue now."""
    read = narrow(scope, site=site_id)
    periods = periods_for(runtime, granularity, first, last)
    async with runtime.engine.connect() as connection:
        seen = await seen_sites(connection, read)
        sizes = await visible_sites(connection, read)
        if site_id not in seen and site_id not in sizes:
            raise ApiError(404, "not_found", f"no site {site_id!r} for this provider")
        now = runtime.clock()
        overdue = await list_actions(
            connection, read, ActionQuery(overdue=True), now=now, limit=50, offset=0
        )
        late, waiting = [
            await list_obligations(connection, read, state=state, kind=None, now=now, limit=50,
                                   offset=0)
            for state in (ObligationState.OVERDUE, ObligationState.OPEN)
        ]  # fmt: skip
    summaries, owners = await _summaries(runtime, read, periods, granularity, min_count)
    region = seen.get(site_id) or sizes[site_id].region
    return SiteScorecard(
        SiteInfo.of(site_id, region, sizes.get(site_id)), ScopeInfo.of(scope, read),
        granularity.value, periods[0].first.label, periods[-1].last.label, now,
        summaries, owners,
        [ActionItem.of(r, now) for r in overdue.items],
        [ObligationItem.of(r, now) for r in late.items],
        [ObligationItem.of(r, now) for r in waiting.items],
    )  # fmt: skip


@router.get("/v1/themes/trends", response_model=ThemeTrendsResponse)
async def themes_trends(
    runtime: RuntimeDep, scope: ScopeDep, region: RegionQuery = None, site: SiteQuery = None,
    granularity: GranularityQuery = Granularity.MONTH,
    first: FromMonth = None,
    last: ToMonth = None,
    min_count: MinCountQuery = None,
) -> ThemeTrendsResponse:  # fmt: skip
    """Each theme's events per period (incidents, complaints, audits, feedback)."""
    read = narrow(scope, site=site, region=region)
    periods = periods_for(runtime, granularity, first, last)
    async with runtime.engine.connect() as connection:
        cells = await read_cells(connection, read, span_with_previous(periods, granularity))
    trends = theme_trends(
        cells, periods, granularity=granularity, titles=runtime.titles,
        min_count=min_count or runtime.settings.reporting.theme_min_count,
    )  # fmt: skip
    return ThemeTrendsResponse(
        ScopeInfo.of(scope, read), granularity.value, runtime.clock(), trends.periods,
        trends.themes, trends.latest,
    )  # fmt: skip
