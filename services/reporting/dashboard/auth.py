"""The API key of a page request: the ``X-API-Key`` header, or the dashboard's cookie.

A browser that reaches the service without a proxy cannot add a header, so the dashboard takes
the key once (a ``key`` query parameter or its sign-in form field) and keeps it in a cookie that
scripts cannot read (HttpOnly) and other sites cannot make the browser send (SameSite=Strict).
Behind a proxy that adds ``X-API-Key``, no cookie is ever set. Either way the key is checked and
scoped exactly as the JSON API does (:func:`services.reporting.api.deps.get_scope`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Request, Response, Security
from fastapi.security import APIKeyCookie

from services.reporting.api.deps import RuntimeDep, api_key_header, get_scope
from services.reporting.domain.access import Scope

COOKIE = "learnloop_reporting_key"
cookie_key = APIKeyCookie(
    name=COOKIE, auto_error=False, description="The API key kept by the dashboard's sign-in."
)
HeaderKey = Annotated[str | None, Security(api_key_header)]
CookieKey = Annotated[str | None, Security(cookie_key)]


async def get_page_scope(runtime: RuntimeDep, header: HeaderKey, cookie: CookieKey) -> Scope:
    """The scope of the header's key, else the cookie's; 401 without a valid key."""
    return await get_scope(runtime, header or cookie)


def remember(response: Response, request: Request, key: str) -> None:
    """Keep ``key`` in the dashboard's cookie for this browser session."""
    response.set_cookie(
        COOKIE, key, httponly=True, samesite="strict", path="/",
        secure=request.url.scheme == "https",
    )  # fmt: skip


def forget(response: Response) -> None:
    """Drop the dashboard's cookie."""
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
