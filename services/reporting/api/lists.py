"""Lists with filters and paging: improvement actions, obligations and lessons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.reporting.adapters.lists import (
    ActionQuery,
    LessonRow,
    list_actions,
    list_lessons,
    list_obligations,
)
from services.reporting.api.deps import RuntimeDep, ScopeDep, narrow, refuse_nul_characters
from services.reporting.api.errors import ERROR_RESPONSES
from services.reporting.api.items import ActionItem, ActionList, ObligationItem, ObligationList
from services.reporting.domain.obligations import ObligationState
from shared.events.derived import ActionStatus

router = APIRouter(
    tags=["lists"], responses=ERROR_RESPONSES, dependencies=[Depends(refuse_nul_characters)]
)
Limit = Annotated[int, Query(ge=1, le=500, description="Items per page.")]
# Far beyond any list, and inside both databases' 64-bit integers (a larger offset overflowed).
MAX_OFFSET = 1_000_000_000
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]
SiteQuery = Annotated[str | None, Query(description="Only this site.")]
RegionQuery = Annotated[str | None, Query(description="Only sites of this region.")]


def _next(offset: int, limit: int, total: int) -> int | None:
    return offset + limit if offset + limit < total else None


@router.get("/v1/actions", response_model=ActionList)
async def actions(
    runtime: RuntimeDep, scope: ScopeDep, status: ActionStatus | None = None,
    site: SiteQuery = None, region: RegionQuery = None,
    overdue: Annotated[bool | None, Query(description="Past due and not done.")] = None,
    owner_role: Annotated[str | None, Query(description="'unassigned' for none.")] = None,
    theme: str | None = None, limit: Limit = 50, offset: Offset = 0,
) -> ActionList:  # fmt: skip
    """Improvement actions, soonest due first."""
    read = narrow(scope, site=site, region=region)
    filters = ActionQuery(status.value if status else None, overdue, owner_role, theme)
    now = runtime.clock()
    async with runtime.engine.connect() as connection:
        page = await list_actions(connection, read, filters, now=now, limit=limit, offset=offset)
    items = [ActionItem.of(record, now) for record in page.items]
    return ActionList(items, page.total, limit, offset, _next(offset, limit, page.total))


@router.get("/v1/obligations", response_model=ObligationList)
async def obligations(
    runtime: RuntimeDep, scope: ScopeDep,
    status: Annotated[ObligationState | None, Query(description="open, overdue or met")] = None,
    kind: Annotated[str | None, Query(description="e.g. cqc_notification")] = None,
    site: SiteQuery = None, region: RegionQuery = None, limit: Limit = 50, offset: Offset = 0,
) -> ObligationList:  # fmt: skip
    """Statutory and policy obligations, soonest due first."""
    read = narrow(scope, site=site, region=region)
    now = runtime.clock()
    async with runtime.engine.connect() as connection:
        page = await list_obligations(
            connection, read, state=status, kind=kind, now=now, limit=limit, offset=offset
        )
    items = [ObligationItem.of(record, now) for record in page.items]
    return ObligationList(items, page.total, limit, offset, _next(offset, limit, page.total))


@dataclass(frozen=True)
class LessonList:
    """A page of the lessons library."""

    items: list[LessonRow]
    total: int
    limit: int
    offset: int
    next_offset: int | None


@router.get("/v1/lessons", response_model=LessonList)
async def lessons_library(
    runtime: RuntimeDep, scope: ScopeDep,
    theme: Annotated[str | None, Query(description="Only lessons of this theme.")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Words to look for.")] = None,
    site: SiteQuery = None, region: RegionQuery = None, limit: Limit = 50, offset: Offset = 0,
) -> LessonList:  # fmt: skip
    """The provider's lessons library: completed actions judged effective, newest first."""
    read = narrow(scope, site=site, region=region)
    async with runtime.engine.connect() as connection:
        page = await list_lessons(connection, read, theme=theme, text=q, limit=limit, offset=offset)
    return LessonList(page.items, page.total, limit, offset, _next(offset, limit, page.total))
