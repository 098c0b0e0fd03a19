"""Published facts and derived events become the numbers worked out by hand from the fixture."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.services.reporting.conftest import QUARTERS, Loaded

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def summary(loaded: Loaded, **params: Any) -> list[dict[str, Any]]:
    body = await loaded.served.get("/v1/governance/summary", loaded.keys.provider, **params)
    periods: list[dict[str, Any]] = body["periods"]
    return periods


async def test_incidents_by_harm_category_theme_and_rate(loaded: Loaded) -> None:
    q1, q2 = await summary(loaded, **QUARTERS)
    assert q1["period"] == {
        "label": "2025-Q1", "first_month": "2025-01", "last_month": "2025-03", "days": 90,
        "previous": "2024-Q4",
    }  # fmt: skip
    incidents = q1["incidents"]
    assert incidents["total"] == 6 and incidents["previous_total"] == 0
    assert incidents["by_physical_harm"] == {
        "none": 2, "low": 2, "moderate": 2, "severe": 0, "fatal": 0
    }  # fmt: skip
    assert incidents["by_category"] == {"fall": 4, "medication": 1, "pressure_damage": 1}
    assert [(t["theme_id"], t["count"]) for t in incidents["top_themes"]] == [
        ("falls", 4), ("medication", 1), ("pressure_damage", 1)
    ]  # fmt: skip
    rates = {
        r["site_id"]: (r["incidents"], r["unit"], r["rate_per_1000"]) for r in incidents["rates"]
    }
    assert rates == {
        "elm-court": (1, "occupied_bed_days", 0.37),  # 1 / (30 beds x 90 days) x 1000
        "oak-lodge": (1, "care_hours", 0.167),  # 1 / (2000 h x 3 months) x 1000
        "rosewood-house": (4, "occupied_bed_days", 1.111),  # 4 / (40 x 90) x 1000
    }
    assert q2["incidents"]["total"] == 0 and q2["incidents"]["previous_total"] == 6
    assert q2["incidents"]["top_themes"] == []


async def test_complaints_audits_feedback(loaded: Loaded) -> None:
    q1, q2 = await summary(loaded, **QUARTERS)
    complaints = q1["complaints"]
    assert complaints["total"] == 2 and complaints["upheld_rate"] is None
    assert complaints["by_category"] == {"care_quality": 1, "communication": 1}
    ack = complaints["acknowledged"]
    assert (ack["due"], ack["met_on_time"], ack["met_late"], ack["on_time_share"]) == (2, 2, 0, 1.0)
    assert complaints["responded"]["due"] == 0
    responded = q2["complaints"]["responded"]  # C1's response was due 1 April, never recorded
    assert (responded["due"], responded["overdue"], responded["on_time_share"]) == (1, 1, 0.0)
    audits = q1["audits"]  # medication: (0.75 + 1.0 + 0.5) / 3
    assert (audits["total"], audits["compliance_pct"], audits["failed_items"]) == (3, 75.0, 2)
    [medication] = audits["by_type"]
    assert medication == {
        "audit_type": "medication", "audits": 3, "scored": 3, "compliance_pct": 75.0,
        "previous_compliance_pct": None, "change_pct_points": None, "failed_items": 2,
    }  # fmt: skip
    feedback = q1["feedback"]
    assert feedback == {
        "total": 3, "previous_total": 0, "rated": 2, "average_rating": 3.5, "compliments": 2,
        "by_kind": {"compliment": 1, "concern": 1, "good_practice": 1},
    }  # fmt: skip
    assert (q2["feedback"]["total"], q2["feedback"]["average_rating"]) == (1, 4.0)


async def test_monthly_audit_trend_and_region_filter(loaded: Loaded) -> None:
    february, march = await summary(loaded, granularity="month", from_="2025-02", to="2025-03")
    assert february["audits"]["compliance_pct"] == 50.0
    [medication] = march["audits"]["by_type"]  # (0.75 + 1.0) / 2 against February's 0.5
    assert (medication["compliance_pct"], medication["change_pct_points"]) == (87.5, 37.5)
    assert (february["incidents"]["total"], march["incidents"]["total"]) == (1, 5)
    [north_west] = await summary(
        loaded, granularity="quarter", from_="2025-01", to="2025-03", region="north-west"
    )
    assert north_west["incidents"]["total"] == 5
    assert {r["site_id"] for r in north_west["incidents"]["rates"]} == {
        "rosewood-house",
        "elm-court",
    }


async def test_actions_obligations_alerts_lessons(loaded: Loaded) -> None:
    q1, q2 = await summary(loaded, **QUARTERS)
    assert q1["actions"] == {
        "opened": 3, "completed": 1, "overdue": 0, "escalated": 0,
        "median_days_to_complete": 18.0, "reviewed": 0, "verified_effective": 0,
        "share_verified_effective": None,
    }  # fmt: skip
    assert q2["actions"] == {
        "opened": 0, "completed": 1, "overdue": 1, "escalated": 1,
        "median_days_to_complete": 10.0, "reviewed": 1, "verified_effective": 1,
        "share_verified_effective": 1.0,
    }  # fmt: skip
    kinds = {o["kind"]: o for o in q1["obligations"]}
    assert set(kinds) >= {"cqc_notification", "duty_of_candour", "safeguarding_referral", "riddor"}
    outcome = {k: (o["met_on_time"], o["met_late"], o["overdue"]) for k, o in kinds.items()}
    assert outcome["duty_of_candour"] == (1, 0, 0)
    assert outcome["cqc_notification"] == (0, 1, 0)
    assert outcome["safeguarding_referral"] == (0, 0, 1)
    assert outcome["riddor"] == (0, 0, 0)
    assert (q1["alerts_raised"], q2["alerts_raised"]) == (1, 0)
    assert (q1["lessons_shared"], q2["lessons_shared"]) == (0, 1)
    assert (q1["outcomes_published"], q2["outcomes_published"]) == (0, 1)


async def test_themes_rise_then_fall_and_accountability(loaded: Loaded) -> None:
    body = await loaded.served.get("/v1/governance/summary", loaded.keys.provider, **QUARTERS)
    q1, q2 = body["periods"]
    # All kinds of fact: falls 4, medication 2, communication 2, pressure damage 1 (minimum 3).
    assert [(t["theme_id"], t["current"], t["previous"]) for t in q1["themes"]["rising"]] == [
        ("falls", 4, 0)
    ]
    assert [(t["theme_id"], t["change"]) for t in q2["themes"]["falling"]] == [("falls", -4)]
    owners = {
        a["owner_role"]: (a["actions"], a["open"], a["overdue"], a["median_days_to_complete"])
        for a in body["accountability"]
    }
    assert owners == {
        "clinical_lead": (1, 1, 1, None),
        "registered_manager": (1, 0, 0, 18.0),
        "unassigned": (1, 0, 0, 10.0),
    }


async def test_derived_events_placed_before_their_facts_then_moved(loaded: Loaded) -> None:
    q1, q2 = loaded.early["periods"]  # only derived events known: they sat at their June time
    assert q1["incidents"]["top_themes"] == [] and q1["actions"]["opened"] == 0
    assert [(t["theme_id"], t["count"]) for t in q2["incidents"]["top_themes"]] == [
        ("falls", 4), ("medication", 1), ("pressure_damage", 1)
    ]  # fmt: skip
    assert (q2["actions"]["opened"], q2["alerts_raised"]) == (3, 1)
    assert q1["incidents"]["total"] == 0
