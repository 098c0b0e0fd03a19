"""The dashboard pages: ``GET /`` and ``/dashboard``, sign-in and sign-out.

Errors are answered as pages (sign-in for 401, a message for 403/422), not as the API's JSON.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from services.reporting.api.deps import RuntimeDep, get_scope
from services.reporting.api.errors import ApiError
from services.reporting.api.governance import NOTES
from services.reporting.dashboard.auth import CookieKey, HeaderKey, forget, remember
from services.reporting.dashboard.filters import Filters
from services.reporting.dashboard.rendering import STATIC_DIR, page
from services.reporting.dashboard.source import gather, site_choices
from services.reporting.dashboard.view import build
from services.reporting.domain.periods import Granularity

router = APIRouter(include_in_schema=False)
GRANULARITIES = [(g.value, f"{g.value.capitalize()}ly") for g in Granularity]
FORMATS = [("pdf", "PDF"), ("csv", "Key figures (CSV)"), ("md", "Markdown"), ("html", "HTML")]
Text = Annotated[str | None, Query()]


def static_files() -> StaticFiles:
    """The dashboard's stylesheet (mounted by the app)."""
    return StaticFiles(directory=STATIC_DIR)


def _sign_in(filters_query: str, message: str | None, status_code: int = 401) -> Response:
    return page("sign_in.html", status_code, message=message, query=filters_query)


def _board_pack_links(latest: str, filters: Filters) -> list[tuple[str, str]]:
    where = {name: value for name, value in (("region", filters.region), ("site", filters.site))
             if value}  # fmt: skip
    return [
        (f"{label} for {latest}",
         "/v1/board-pack?" + urlencode({"period": latest, "format": fmt, **where}))
        for fmt, label in FORMATS
    ]  # fmt: skip


@router.get("/")
@router.get("/dashboard")
async def dashboard(
    request: Request, runtime: RuntimeDep, header: HeaderKey, cookie: CookieKey,
    key: Text = None, granularity: Text = None,
    first: Annotated[str | None, Query(alias="from")] = None,
    last: Annotated[str | None, Query(alias="to")] = None,
    region: Text = None, site: Text = None,
) -> Response:  # fmt: skip
    """The governance dashboard for the key's sites, filtered by the GET form."""
    problem: str | None = None
    try:
        filters = Filters.parse(granularity, first, last, region, site)
    except ApiError as exc:
        filters, problem = Filters(), exc.message
    if key:  # a browser without a proxy: keep the key in a cookie, drop it from the URL
        return await _accept_key(request, runtime, key, filters)
    context: dict[str, Any] = {
        "filters": filters, "granularities": GRANULARITIES, "notes": NOTES, "view": None,
        "error": problem, "board_pack": [], "generated_at": None, "sites": [], "regions": [],
    }  # fmt: skip
    try:
        scope = await get_scope(runtime, header or cookie)
    except ApiError as exc:
        if exc.status != 401:  # the key store is down: say so on the page
            return page("dashboard.html", exc.status, **{**context, "error": exc.message})
        refused = _sign_in(filters.query(), "Your key was not accepted." if header or cookie
                           else None)  # fmt: skip
        if cookie:
            forget(refused)  # revoked since it was kept
        return refused
    sites = await site_choices(runtime, scope)
    context["sites"] = sites
    context["regions"] = sorted({s["region"] for s in sites})
    if problem is not None:
        return page("dashboard.html", 422, **context)
    try:
        view = build(await gather(runtime, scope, filters))
    except ApiError as exc:
        return page("dashboard.html", exc.status, **{**context, "error": exc.message})
    context.update(view=view, board_pack=_board_pack_links(view.latest, filters),
                   generated_at=runtime.clock().strftime("%d %b %Y %H:%M UTC"))  # fmt: skip
    return page("dashboard.html", **context)


async def _accept_key(
    request: Request, runtime: RuntimeDep, key: str, filters: Filters
) -> Response:
    try:
        await get_scope(runtime, key)
    except ApiError as exc:
        if exc.status == 401:
            return _sign_in(filters.query(), "That API key was not accepted.")
        raise
    target = "/dashboard" + (f"?{filters.query()}" if filters.query() else "")
    response = RedirectResponse(target, status_code=303)
    remember(response, request, key)
    return response


@router.post("/dashboard/sign-in")
async def sign_in(
    request: Request, runtime: RuntimeDep, granularity: Text = None,
    first: Annotated[str | None, Query(alias="from")] = None,
    last: Annotated[str | None, Query(alias="to")] = None,
    region: Text = None, site: Text = None,
) -> Response:  # fmt: skip
    """The sign-in form: its ``key`` field goes into the cookie (never into the URL)."""
    # The form is one urlencoded field: the standard library reads it without python-multipart.
    fields = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    key = (fields.get("key") or [""])[0].strip()
    try:
        filters = Filters.parse(granularity, first, last, region, site)
    except ApiError:
        filters = Filters()
    if not key:
        return _sign_in(filters.query(), "Enter your API key.", 400)
    return await _accept_key(request, runtime, key, filters)


@router.post("/dashboard/sign-out")
async def sign_out() -> Response:
    """Forget the key kept by this browser."""
    response = RedirectResponse("/dashboard", status_code=303)
    forget(response)
    return response
