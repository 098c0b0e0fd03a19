"""The one error shape of the API (as intake's): {"error": {"code", "message"}}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from shared.logging import get_logger

log = get_logger(__name__)

RETRY_AFTER_UNAVAILABLE = "5"


class ApiError(Exception):
    """An error answered with ``status`` and a machine-readable ``code``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


ERROR_RESPONSES: dict[int | str, dict[str, str]] = {
    401: {"description": "Missing, unknown or revoked API key"},
    403: {"description": "The key may not read this site"},
    422: {"description": "Invalid filters (e.g. a month not written YYYY-MM)"},
    503: {"description": "The API key store or the read models cannot be reached"},
}


async def _answer(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    headers = {"WWW-Authenticate": 'ApiKey header="X-API-Key"'} if exc.status == 401 else None
    return JSONResponse(
        {"error": {"code": exc.code, "message": exc.message}},
        status_code=exc.status,
        headers=headers,
    )


async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    # The error's message may quote the query's parameters: only its type is logged.
    log.warning("database unavailable", error=type(exc).__name__)
    return JSONResponse(
        {"error": {"code": "database_unavailable", "message": "try again shortly"}},
        status_code=503,
        headers={"Retry-After": RETRY_AFTER_UNAVAILABLE},
    )


def install_error_handlers(app: FastAPI) -> None:
    """Answer ApiError in the API's error shape, and a database outage with 503."""
    app.add_exception_handler(ApiError, _answer)
    for error in (DBAPIError, OSError, PoolTimeoutError):
        app.add_exception_handler(error, _database_unavailable)
