"""Fetching a board pack from a running reporting service (what the CLI does).

Over HTTP rather than from the database: the CLI then needs only a URL and an API key, never
database credentials, and the pack is scoped by the key exactly as the API scopes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from services.reporting.board_pack.exports import PackFormat


class BoardPackError(Exception):
    """The service refused or could not be reached."""


@dataclass(frozen=True)
class PackRequest:
    """Which pack: period, format and optional region or site."""

    period: str
    fmt: PackFormat = PackFormat.PDF
    region: str | None = None
    site: str | None = None

    def params(self) -> dict[str, str]:
        """The query string of ``GET /v1/board-pack``."""
        given = {"period": self.period, "format": self.fmt.value, "region": self.region,
                 "site": self.site}  # fmt: skip
        return {name: value for name, value in given.items() if value}


def fetch_board_pack(client: httpx.Client, request: PackRequest, *, api_key: str) -> bytes:
    """The pack's bytes; raises BoardPackError with the service's message on failure."""
    try:
        response = client.get(
            "/v1/board-pack", params=request.params(), headers={"X-API-Key": api_key}
        )
    except httpx.HTTPError as exc:
        raise BoardPackError(f"cannot reach the reporting service: {exc}") from exc
    if response.status_code != 200:
        raise BoardPackError(f"HTTP {response.status_code}: {_message(response)}")
    return response.content


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message", error))
    return str(body)[:200]
