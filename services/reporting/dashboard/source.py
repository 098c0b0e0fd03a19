"""The dashboard's data: the JSON API's own handlers, called in-process and encoded as served.

Calling the route functions (rather than their SQL) keeps one definition of every number and of
the key's scope: the page can never show what ``/v1/...`` would not.
"""

from __future__ import annotations

from typing import Any

from fastapi.encoders import jsonable_encoder

from services.reporting.api import governance, lists
from services.reporting.dashboard.filters import Filters
from services.reporting.dashboard.view import DashboardSource
from services.reporting.domain.access import Scope
from services.reporting.domain.obligations import ObligationState
from services.reporting.runtime import ReportingRuntime

LIST_LIMIT = 50


def kind_titles(runtime: ReportingRuntime) -> dict[str, str]:
    """Obligation kind titles from the rule files."""
    return {kind.id: kind.title for kind in runtime.rulebook.obligations}


async def now_lists(
    runtime: ReportingRuntime, scope: Scope, *, region: str | None, site: str | None
) -> dict[str, Any]:
    """What is overdue or open now: actions, obligations (JSON as served)."""
    return {
        "overdue_actions": await lists.actions(
            runtime, scope, overdue=True, region=region, site=site, limit=LIST_LIMIT
        ),
        "overdue_obligations": await lists.obligations(
            runtime, scope, status=ObligationState.OVERDUE, region=region, site=site,
            limit=LIST_LIMIT,
        ),
        "open_obligations": await lists.obligations(
            runtime, scope, status=ObligationState.OPEN, region=region, site=site,
            limit=LIST_LIMIT,
        ),
    }  # fmt: skip


async def gather(runtime: ReportingRuntime, scope: Scope, filters: Filters) -> DashboardSource:
    """Everything the page shows; raises ApiError (403, 422) as the API would."""
    f = filters
    summary = await governance.governance_summary(
        runtime, scope, region=f.region, site=f.site, granularity=f.granularity, first=f.first,
        last=f.last,
    )  # fmt: skip
    trends = await governance.themes_trends(
        runtime, scope, region=f.region, site=f.site, granularity=f.granularity, first=f.first,
        last=f.last,
    )  # fmt: skip
    listed = await now_lists(runtime, scope, region=f.region, site=f.site)
    return DashboardSource(
        summary=jsonable_encoder(summary),
        trends=jsonable_encoder(trends),
        overdue_actions=jsonable_encoder(listed["overdue_actions"]),
        overdue_obligations=jsonable_encoder(listed["overdue_obligations"]),
        open_obligations=jsonable_encoder(listed["open_obligations"]),
        kind_titles=kind_titles(runtime),
    )


async def site_choices(runtime: ReportingRuntime, scope: Scope) -> list[dict[str, Any]]:
    """The sites the key may see, for the filter form (JSON as served by ``/v1/sites``)."""
    listed: list[dict[str, Any]] = jsonable_encoder(await governance.sites(runtime, scope))["items"]
    return listed
