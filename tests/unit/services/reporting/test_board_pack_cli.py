"""`learnloop reporting board-pack` fetches the pack from the running service over HTTP."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from services.reporting.board_pack.client import BoardPackError, PackRequest, fetch_board_pack
from services.reporting.board_pack.exports import PackFormat
from services.reporting.cli import reporting_app

PDF = b"%PDF-1.7 test"


def service(request: httpx.Request) -> httpx.Response:
    """A stand-in for ``GET /v1/board-pack``: key ``good`` only."""
    if request.headers.get("X-API-Key") != "good":
        return httpx.Response(
            401,
            json={"error": {"code": "unauthenticated", "message": "unknown or revoked API key"}},
        )
    if request.url.params["period"] == "2025-Q5":
        return httpx.Response(422, json={"error": {"code": "invalid_period", "message": "bad"}})
    return httpx.Response(200, content=PDF, headers={"content-type": "application/pdf"})


def test_the_request_carries_period_format_filters_and_key() -> None:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return service(request)

    with httpx.Client(transport=httpx.MockTransport(record), base_url="http://r") as client:
        body = fetch_board_pack(client, PackRequest("2025-Q4", PackFormat.CSV, site="elm-court"),
                                api_key="good")  # fmt: skip
    assert body == PDF
    [request] = seen
    assert request.url.path == "/v1/board-pack"
    assert dict(request.url.params) == {"period": "2025-Q4", "format": "csv", "site": "elm-court"}


def test_refusals_carry_the_services_message() -> None:
    transport = httpx.MockTransport(service)
    with (
        httpx.Client(transport=transport, base_url="http://r") as client,
        pytest.raises(BoardPackError, match="HTTP 401: unknown or revoked API key"),
    ):
        fetch_board_pack(client, PackRequest("2025-Q4"), api_key="bad")


def test_the_command_writes_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    offline = partial(httpx.Client, transport=httpx.MockTransport(service))
    monkeypatch.setattr(httpx, "Client", offline)
    target = tmp_path / "pack.pdf"
    result = CliRunner().invoke(reporting_app, [
        "board-pack", "--period", "2025-Q4", "--format", "pdf", "--output", str(target),
        "--url", "http://reporting", "--api-key", "good",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == PDF
    refused = CliRunner().invoke(reporting_app, [
        "board-pack", "--period", "2025-Q5", "--url", "http://reporting", "--api-key", "good",
        "--output", str(target),
    ])  # fmt: skip
    assert refused.exit_code == 1 and "HTTP 422: bad" in refused.output
    wrong = CliRunner().invoke(reporting_app, ["board-pack", "--period", "2025-Q4", "--format",
                                               "docx", "--api-key", "good"])  # fmt: skip
    assert wrong.exit_code == 2 and "pdf, csv, md or html" in wrong.output


def test_the_command_is_listed() -> None:
    result = CliRunner().invoke(reporting_app, ["--help"])
    assert result.exit_code == 0 and "board-pack" in result.output
