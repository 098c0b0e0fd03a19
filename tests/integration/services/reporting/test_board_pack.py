"""`GET /v1/board-pack`: a real PDF, and CSV rows equal to the API's numbers."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from pypdf import PdfReader

from tests.integration.services.reporting.conftest import Loaded

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def pack(loaded: Loaded, key: str, expect: int = 200, **params: str) -> bytes:
    response = await loaded.served.client.get(
        "/v1/board-pack", params=params, headers={"X-API-Key": key}
    )
    assert response.status_code == expect, response.text[:500]
    return response.content


async def figures(loaded: Loaded, key: str, **params: Any) -> dict[str, dict[str, str]]:
    text = (await pack(loaded, key, format="csv", **params)).decode("utf-8")
    return {row["figure"]: row for row in csv.DictReader(io.StringIO(text))}


def number(value: Any) -> str:
    return "" if value is None else f"{value:g}"


async def test_the_pdf_is_a_real_document(loaded: Loaded) -> None:
    response = await loaded.served.client.get(
        "/v1/board-pack", params={"period": "2025-Q1"}, headers={"X-API-Key": loaded.keys.provider}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'inline; filename="board-pack-2025-Q1.pdf"'
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 3
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Governance board pack: 2025-Q1" in text
    assert "In 2025-Q1, 6 incidents were reported" in text
    for heading in ("What happened", "What we learned", "What we did", "Did it work?",
                    "What is overdue", "What is rising"):  # fmt: skip
        assert heading in text
    assert "Pressure care" in text  # ACT2, overdue on the API's clock


async def test_csv_rows_equal_the_api_numbers(loaded: Loaded) -> None:
    key = loaded.keys.provider
    rows = await figures(loaded, key, period="2025-Q1")
    api = await loaded.served.get("/v1/governance/summary", key, granularity="quarter",
                                  from_="2024-10", to="2025-03")  # fmt: skip
    q4, q1 = api["periods"]
    overdue = await loaded.served.get("/v1/actions", key, overdue="true")
    late = await loaded.served.get("/v1/obligations", key, status="overdue")
    expected = {
        "Incidents": (q1["incidents"]["total"], q4["incidents"]["total"]),
        "Complaints": (q1["complaints"]["total"], q4["complaints"]["total"]),
        "Audit compliance": (q1["audits"]["compliance_pct"], q4["audits"]["compliance_pct"]),
        "Average feedback rating": (q1["feedback"]["average_rating"], None),
        "Compliments": (q1["feedback"]["compliments"], 0),
        "Learning alerts raised": (q1["alerts_raised"], q4["alerts_raised"]),
        "Improvement actions opened": (q1["actions"]["opened"], 0),
        "Median days to complete an action": (q1["actions"]["median_days_to_complete"], None),
        "Obligations met late": (sum(o["met_late"] for o in q1["obligations"]), 0),
        "Obligations overdue": (sum(o["overdue"] for o in q1["obligations"]), 0),
        "Themes rising": (len(q1["themes"]["rising"]), 0),
        "Improvement actions overdue now": (overdue["total"], None),
        "Obligations overdue now": (late["total"], None),
    }
    got = {name: (rows[name]["value"], rows[name]["previous_value"]) for name in expected}
    assert got == {name: (number(now), number(before)) for name, (now, before) in expected.items()}
    assert (rows["Incidents"]["value"], rows["Audit compliance"]["value"]) == ("6", "75")
    assert {row["period"] for row in rows.values()} == {"2025-Q1"}
    assert {row["previous_period"] for row in rows.values()} == {"2024-Q4"}


async def test_months_years_and_filters(loaded: Loaded) -> None:
    key = loaded.keys.provider
    march = await figures(loaded, key, period="2025-03")
    assert (march["Incidents"]["value"], march["Incidents"]["previous_value"]) == ("5", "1")
    year = await figures(loaded, key, period="2025")
    api = await loaded.served.get("/v1/governance/summary", key, granularity="year",
                                  from_="2025-01", to="2025-12")  # fmt: skip
    assert year["Incidents"]["value"] == str(api["periods"][0]["incidents"]["total"]) == "6"
    north_east = await figures(loaded, key, period="2025-Q1", region="north-east")
    assert north_east["Incidents"]["value"] == "1"
    blank = await figures(loaded, key, period="2025-Q1", region="", site="")
    assert blank["Incidents"]["value"] == "6"  # empty form fields are no filter


async def test_a_site_key_gets_only_its_site(loaded: Loaded) -> None:
    key = loaded.keys.rosewood
    rows = await figures(loaded, key, period="2025-Q1")
    assert (rows["Incidents"]["value"], rows["Obligations overdue now"]["value"]) == ("4", "1")
    text = (await pack(loaded, key, period="2025-Q1", format="md")).decode("utf-8")
    assert "rosewood-house" in text and "oak-lodge" not in text and "elm-court" not in text
    refused = await pack(loaded, key, expect=403, period="2025-Q1", site="elm-court")
    assert b'"forbidden"' in refused


async def test_markdown_and_html(loaded: Loaded) -> None:
    key = loaded.keys.provider
    response = await loaded.served.client.get(
        "/v1/board-pack", params={"period": "2025-Q1", "format": "md"}, headers={"X-API-Key": key}
    )
    assert response.headers["content-type"] == "text/markdown; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert "## 6. What is rising" in response.text and "| Falls | 0 | 4 | +4 | new |" in (
        response.text
    )
    html = await loaded.served.client.get(
        "/v1/board-pack", params={"period": "2025-Q1", "format": "html"}, headers={"X-API-Key": key}
    )
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert (
        html.text.count("<svg") == 4
        and "default-src 'none'" in (html.headers["content-security-policy"])
    )


async def test_bad_requests(loaded: Loaded) -> None:
    key = loaded.keys.provider
    body = await pack(loaded, key, expect=422, period="2025-Q5")
    assert b"invalid_period" in body
    await pack(loaded, key, expect=422, period="2025-Q1", format="docx")
    missing = await loaded.served.client.get("/v1/board-pack", params={"period": "2025-Q1"})
    assert missing.status_code == 401
    schema = (await loaded.served.client.get("/openapi.json")).json()
    assert "/v1/board-pack" in schema["paths"] and "/dashboard" not in schema["paths"]
