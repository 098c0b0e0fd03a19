"""A database outage answers 503 with Retry-After, and never echoes what the query carried."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy.exc import OperationalError

from services.reporting.api.errors import install_error_handlers


async def test_a_database_outage_answers_503_without_the_query() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/v1/summary")
    async def summary() -> None:
        raise OperationalError("SELECT ... WHERE q = $1", ("a resident's name",), OSError())

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/v1/summary")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["error"]["code"] == "database_unavailable"
    assert "resident" not in response.text and "SELECT" not in response.text
