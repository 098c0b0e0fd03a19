"""``GET /v1/board-pack``: a period's board pack as PDF, CSV, Markdown or HTML."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.encoders import jsonable_encoder

from services.reporting.api import governance
from services.reporting.api.deps import RuntimeDep, refuse_nul_characters
from services.reporting.api.errors import ERROR_RESPONSES, ApiError
from services.reporting.board_pack.content import BoardPack, NowLists, build_board_pack
from services.reporting.board_pack.exports import (
    MEDIA_TYPES,
    PackFormat,
    disposition,
    export,
    file_name,
)
from services.reporting.board_pack.html_export import HTML_HEADERS
from services.reporting.board_pack.period import PackPeriod, parse_pack_period
from services.reporting.dashboard.auth import get_page_scope
from services.reporting.dashboard.filters import blank_to_none
from services.reporting.dashboard.source import kind_titles, now_lists
from services.reporting.domain.access import Scope
from services.reporting.domain.periods import PeriodError
from services.reporting.runtime import ReportingRuntime

router = APIRouter(
    tags=["board pack"], responses=ERROR_RESPONSES, dependencies=[Depends(refuse_nul_characters)]
)
PageScopeDep = Annotated[Scope, Depends(get_page_scope)]
CONTENT: dict[str, dict[str, str]] = {media.split(";")[0]: {} for media in MEDIA_TYPES.values()}


async def make_pack(
    runtime: ReportingRuntime, scope: Scope, when: PackPeriod, *, region: str | None,
    site: str | None,
) -> BoardPack:  # fmt: skip
    """The pack from the API's own answers (same numbers, same scoping)."""
    trend = await governance.governance_summary(
        runtime, scope, region=region, site=site, granularity=when.granularity,
        first=when.trend_from, last=when.trend_to,
    )  # fmt: skip
    own = await governance.governance_summary(
        runtime, scope, region=region, site=site, granularity=when.granularity,
        first=when.period.first.label, last=when.trend_to,
    )  # fmt: skip
    listed = jsonable_encoder(await now_lists(runtime, scope, region=region, site=site))
    return build_board_pack(
        jsonable_encoder(trend), now=NowLists(**listed),
        accountability=jsonable_encoder(own.accountability), kind_titles=kind_titles(runtime),
    )  # fmt: skip


@router.get(
    "/v1/board-pack",
    response_class=Response,
    responses={200: {"description": "The board pack", "content": CONTENT}},
)
async def board_pack(
    runtime: RuntimeDep, scope: PageScopeDep,
    period: Annotated[str, Query(description="2025-11 (month), 2025-Q4 (quarter) or 2025.")],
    fmt: Annotated[PackFormat, Query(alias="format", description="pdf, csv, md or html")] = (
        PackFormat.PDF
    ),
    region: Annotated[str | None, Query(description="Only sites of this region.")] = None,
    site: Annotated[str | None, Query(description="Only this site.")] = None,
) -> Response:  # fmt: skip
    """What happened, what we learned, what we did, did it work, what is overdue and what is
    rising in a period, with charts; the CSV holds the key figures. Authenticates with
    ``X-API-Key`` or the dashboard's cookie; a site-scoped key gets its sites only."""
    try:
        when = parse_pack_period(period)
    except PeriodError as exc:
        raise ApiError(422, "invalid_period", str(exc)) from exc
    region, site = blank_to_none(region), blank_to_none(site)
    pack = await make_pack(runtime, scope, when, region=region, site=site)
    body = await asyncio.to_thread(export, pack, fmt)  # rendering a PDF is CPU work
    headers = {"Content-Disposition": disposition(file_name(pack, fmt, region=region, site=site),
                                                  fmt), "Cache-Control": "no-store"}  # fmt: skip
    if fmt is PackFormat.HTML:
        headers.update(HTML_HEADERS)
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)
