"""What every route needs: the runtime, the caller's scope, and the periods asked for."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.exc import SQLAlchemyError

from services.reporting.api.errors import ApiError
from services.reporting.domain.access import AccessDenied, ReadFilter, Scope
from services.reporting.domain.periods import (
    MONTH_PATTERN,
    Granularity,
    Month,
    Period,
    PeriodError,
    previous_period,
    resolve_range,
)
from services.reporting.runtime import ReportingRuntime

# Python's datetime holds years 1 to 9999, and a request also reads the period before its range
# (comparisons) and up to the month after it (an exclusive end), so ranges stay well inside.
EARLIEST_MONTH, LATEST_MONTH = Month(1900, 1), Month(9998, 12)
NUL = "\x00"

api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An intake API key (`learnloop keys create`)."
)


def get_runtime(request: Request) -> ReportingRuntime:
    """The running service."""
    runtime: ReportingRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ReportingRuntime, Depends(get_runtime)]


async def get_scope(
    runtime: RuntimeDep, api_key: Annotated[str | None, Security(api_key_header)]
) -> Scope:
    """The reach of the caller's API key; 401 without a valid key."""
    if not api_key:
        raise ApiError(401, "unauthenticated", "send your API key in the X-API-Key header")
    if NUL in api_key:  # no key has one, and PostgreSQL text cannot hold one
        raise ApiError(401, "unauthenticated", "unknown or revoked API key")
    try:
        key = await runtime.keys.authenticate(api_key)
    except SQLAlchemyError as exc:
        raise ApiError(503, "keys_unavailable", "the API key store cannot be reached") from exc
    if key is None:
        raise ApiError(401, "unauthenticated", "unknown or revoked API key")
    return Scope(provider_id=key.provider_id, sites=key.sites)


ScopeDep = Annotated[Scope, Depends(get_scope)]


def refuse_nul_characters(request: Request) -> None:
    """422 for a NUL character in a query or path parameter (PostgreSQL text cannot hold one,
    and no site, region, theme or word has one)."""
    params = [*request.query_params.multi_items(), *request.path_params.items()]
    if any(NUL in name or NUL in str(value) for name, value in params):
        raise ApiError(422, "invalid_parameter", "parameters may not contain NUL characters")


FromMonth = Annotated[
    str | None,
    Query(alias="from", pattern=MONTH_PATTERN.pattern, description="First month, YYYY-MM."),
]
ToMonth = Annotated[
    str | None,
    Query(alias="to", pattern=MONTH_PATTERN.pattern, description="Last month, YYYY-MM."),
]


def narrow(scope: Scope, *, site: str | None = None, region: str | None = None) -> ReadFilter:
    """The read filter for the request; 403 for a site outside the key's scope."""
    try:
        return scope.narrow(site=site, region=region)
    except AccessDenied as exc:
        raise ApiError(403, "forbidden", str(exc)) from exc


def periods_for(
    runtime: ReportingRuntime, granularity: Granularity, first: str | None, last: str | None
) -> list[Period]:
    """The periods of the request (422 for a bad range)."""
    try:
        periods = resolve_range(first, last, granularity, runtime.clock().date())
    except PeriodError as exc:
        raise ApiError(422, "invalid_period", str(exc)) from exc
    if periods[0].first < EARLIEST_MONTH or periods[-1].last > LATEST_MONTH:
        raise ApiError(422, "invalid_period", f"months must lie between {EARLIEST_MONTH.label} "
                       f"and {LATEST_MONTH.label}")  # fmt: skip
    return periods


def span_with_previous(periods: list[Period], granularity: Granularity) -> Period:
    """One span from the period before the first to the last (for comparisons)."""
    before = previous_period(periods[0], granularity)
    return Period("span", before.first, periods[-1].last)


def span_of(periods: list[Period]) -> Period:
    """One span covering exactly ``periods``."""
    return Period("span", periods[0].first, periods[-1].last)
