"""Action and obligation lists, the site scorecard, theme trends and the CQC evidence view."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.services.reporting.conftest import QUARTERS, Loaded

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def ids(loaded: Loaded, path: str, **params: Any) -> list[str]:
    body = await loaded.served.get(path, loaded.keys.provider, **params)
    field = "action_id" if path == "/v1/actions" else "obligation_id"
    return [item[field] for item in body["items"]]


async def test_action_list_filters_and_pages(loaded: Loaded) -> None:
    assert await ids(loaded, "/v1/actions") == ["ACT1", "ACT2", "ACT3"]  # soonest due first
    assert await ids(loaded, "/v1/actions", overdue="true") == ["ACT2"]
    assert await ids(loaded, "/v1/actions", owner_role="unassigned") == ["ACT3"]
    assert await ids(loaded, "/v1/actions", status="verified_effective") == ["ACT1"]
    assert await ids(loaded, "/v1/actions", region="north-east") == ["ACT2"]
    page = await loaded.served.get("/v1/actions", loaded.keys.provider, limit=2)
    assert (len(page["items"]), page["total"], page["next_offset"]) == (2, 3, 2)
    act1 = page["items"][0]
    assert act1["opened_at"].startswith("2025-03-12T10:00")  # moved from June to I3's time
    assert (act1["days_to_complete"], act1["linked_events"], act1["owner_role"]) == (
        18.0, 2, "registered_manager"
    )  # fmt: skip


async def test_obligation_list_by_state_and_kind(loaded: Loaded) -> None:
    assert await ids(loaded, "/v1/obligations", status="overdue") == ["OB3", "OB5"]
    assert await ids(loaded, "/v1/obligations", status="met") == ["OB4", "OB2", "OB1", "OB6"]
    assert await ids(loaded, "/v1/obligations", status="open") == ["OB7"]
    assert await ids(loaded, "/v1/obligations", kind="cqc_notification") == ["OB2"]


async def test_site_scorecard(loaded: Loaded) -> None:
    card = await loaded.served.get(
        "/v1/sites/oak-lodge/scorecard", loaded.keys.provider, **QUARTERS
    )
    assert card["site"]["kind"] == "homecare" and card["site"]["region"] == "north-east"
    assert card["periods"][0]["incidents"]["total"] == 1
    assert [a["action_id"] for a in card["overdue_actions"]] == ["ACT2"]
    assert [o["obligation_id"] for o in card["overdue_obligations"]] == ["OB3"]
    assert [a["owner_role"] for a in card["accountability"]] == ["clinical_lead"]


async def test_theme_trends(loaded: Loaded) -> None:
    body = await loaded.served.get("/v1/themes/trends", loaded.keys.provider, **QUARTERS)
    assert body["periods"] == ["2025-Q1", "2025-Q2"]
    trends = {t["theme_id"]: t for t in body["themes"]}
    assert {theme: t["total"] for theme, t in trends.items()} == {
        "falls": 4, "communication": 2, "medication": 2, "pressure_damage": 1
    }  # fmt: skip
    assert trends["communication"]["series"][0]["by_source"] == {
        "incident": 0, "complaint": 1, "audit": 0, "feedback": 1
    }  # fmt: skip
    assert [t["theme_id"] for t in body["latest"]["falling"]] == ["falls"]


async def test_evidence_for_a_quality_statement(loaded: Loaded) -> None:
    body = await loaded.served.get(
        "/v1/evidence", loaded.keys.provider, framework="saf-2023",
        statement="safe.medicines_optimisation", from_="2025-01", to="2025-06",
    )  # fmt: skip
    evidence = body["evidence"]
    assert evidence["statement"]["title"] == "Medicines optimisation"
    assert [t["theme_id"] for t in evidence["themes"]] == ["medication"]
    counts = evidence["counts"]
    assert (counts["incidents"], counts["audits"], counts["actions"], counts["lessons"]) == (
        1, 1, 1, 0
    )  # fmt: skip
    assert [e["event_id"] for e in evidence["latest_events"]] == ["I4"]
    [audit] = evidence["latest_audits"]
    assert (audit["event_id"], audit["score_pct"]) == ("A1", 75.0)
    assert [a["action_id"] for a in evidence["latest_actions"]] == ["ACT3"]


async def test_evidence_in_the_draft_framework(loaded: Loaded) -> None:
    body = await loaded.served.get(
        "/v1/evidence", loaded.keys.provider, framework="draft-2026",
        statement="safe.managing_risks_during_care", from_="2025-01", to="2025-06",
    )  # fmt: skip
    evidence = body["evidence"]
    assert {"falls", "pressure_damage"} <= {t["theme_id"] for t in evidence["themes"]}
    counts = evidence["counts"]  # I1, I2, I3, I5 (falls) and I6 (pressure damage)
    assert (counts["incidents"], counts["actions"], counts["actions_verified_effective"]) == (
        5, 2, 1
    )  # fmt: skip
    assert [lesson["lesson_id"] for lesson in evidence["latest_lessons"]] == ["L1"]
    assert [e["event_id"] for e in evidence["latest_events"]] == ["I6", "I3", "I5", "I2", "I1"]
    unknown = {"framework": "saf-2023", "statement": "safe.nothing"}
    await loaded.served.get("/v1/evidence", loaded.keys.provider, expect=404, **unknown)
    frameworks = await loaded.served.get("/v1/frameworks", loaded.keys.provider)
    assert {f["id"] for f in frameworks["frameworks"]} == {"saf-2023", "draft-2026"}


async def test_lessons_library_is_searchable_by_theme_and_words(loaded: Loaded) -> None:
    async def ids(key: str, **query: Any) -> list[str]:
        body = await loaded.served.get("/v1/lessons", key, **query)
        return [lesson["lesson_id"] for lesson in body["items"]]

    provider = loaded.keys.provider
    assert await ids(provider) == ["L1"]
    assert await ids(provider, theme="falls") == ["L1"]
    assert await ids(provider, theme="medication") == []
    assert await ids(provider, q="NIGHT") == ["L1"]  # what happened, any case
    assert await ids(provider, q="30 days") == ["L1"]  # evidence of effect
    assert await ids(provider, q="sensor") == []  # what was done is free text: not stored
    for wildcard in ("%", "_", "night%", "n_ght", "/"):  # taken literally, not as patterns
        assert await ids(provider, q=wildcard) == [], wildcard
    assert await ids(loaded.keys.other_provider) == []
    [lesson] = (await loaded.served.get("/v1/lessons", provider))["items"]
    assert (lesson["site_id"], lesson["evidence_of_effect"]) == (
        "rosewood-house", "No falls for 30 days"
    )  # fmt: skip
