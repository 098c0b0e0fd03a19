"""The one error shape of the API (as intake's): {"error": {"code", "message"}}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class ApiError(Exception):
    """An error answered with ``status`` and a machine-readable ``code``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


ERROR_RESPONSES: dict[int | str, dict[str, str]] = {
    401: {"description": "Missing, unknown or revoked API key"},
    403: {"description": "The key may not read this site"},
    422: {"description": "Invalid filters (e.g. a month not written YYYY-MM)"},
    503: {"description": "The API key store cannot be reached"},
}


async def _answer(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    headers = {"WWW-Authenticate": 'ApiKey header="X-API-Key"'} if exc.status == 401 else None
    return JSONResponse(
        {"error": {"code": exc.code, "message": exc.message}},
        status_code=exc.status,
        headers=headers,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Answer ApiError in the API's error shape."""
    app.add_exception_handler(ApiError, _answer)
