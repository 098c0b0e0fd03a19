"""The intake's API keys: a site key sees only its sites, a provider never sees another's."""

from __future__ import annotations

import pytest

from tests.integration.services.reporting.conftest import QUARTERS, Loaded

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_without_a_valid_key_nothing_is_served(loaded: Loaded) -> None:
    client = loaded.served.client
    missing = await client.get("/v1/governance/summary")
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "unauthenticated"
    assert missing.headers["WWW-Authenticate"].startswith("ApiKey")
    wrong = await client.get("/v1/actions", headers={"X-API-Key": "ll_nope_nope"})
    assert wrong.status_code == 401


async def test_a_site_key_counts_only_its_site(loaded: Loaded) -> None:
    body = await loaded.served.get("/v1/governance/summary", loaded.keys.rosewood, **QUARTERS)
    assert body["scope"]["key_sites"] == ["rosewood-house"]
    q1, q2 = body["periods"]
    assert q1["incidents"]["total"] == 4  # I1-I4
    assert q1["incidents"]["by_physical_harm"]["none"] == 2
    assert [r["site_id"] for r in q1["incidents"]["rates"]] == ["rosewood-house"]
    assert q1["complaints"]["total"] == 1
    assert q1["audits"]["compliance_pct"] == 62.5  # (0.75 + 0.5) / 2
    assert (q1["feedback"]["total"], q1["feedback"]["compliments"]) == (2, 1)
    assert q1["actions"]["opened"] == 2  # ACT1, ACT3
    assert q1["alerts_raised"] == 1  # the falls alert involves rosewood-house
    assert q2["complaints"]["responded"]["overdue"] == 1
    actions = await loaded.served.get("/v1/actions", loaded.keys.rosewood)
    assert [a["action_id"] for a in actions["items"]] == ["ACT1", "ACT3"]
    sites = await loaded.served.get("/v1/sites", loaded.keys.rosewood)
    assert [s["site_id"] for s in sites["items"]] == ["rosewood-house"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/governance/summary", {"site": "elm-court"}),
        ("/v1/sites/elm-court/scorecard", {}),
        ("/v1/themes/trends", {"site": "elm-court"}),
        ("/v1/actions", {"site": "elm-court"}),
        ("/v1/obligations", {"site": "oak-lodge"}),
        ("/v1/evidence", {"site": "elm-court", "framework": "saf-2023",
                          "statement": "safe.medicines_optimisation"}),
    ],
)  # fmt: skip
async def test_a_site_key_cannot_read_other_sites(
    loaded: Loaded, path: str, params: dict[str, str]
) -> None:
    body = await loaded.served.get(path, loaded.keys.rosewood, expect=403, **params)
    assert body["error"]["code"] == "forbidden"


async def test_another_provider_sees_nothing_of_this_one(loaded: Loaded) -> None:
    key = loaded.keys.other_provider
    body = await loaded.served.get("/v1/governance/summary", key, **QUARTERS)
    q1, _ = body["periods"]
    assert q1["incidents"]["total"] == 1  # its own I7 only
    assert [(r["site_id"], r["rate_per_1000"]) for r in q1["incidents"]["rates"]] == [
        ("pine-view", 0.556)  # 1 / (20 x 90) x 1000
    ]
    assert (q1["complaints"]["total"], q1["actions"]["opened"], q1["alerts_raised"]) == (0, 0, 0)
    await loaded.served.get("/v1/sites/rosewood-house/scorecard", key, expect=404)
    assert (await loaded.served.get("/v1/actions", key))["total"] == 0
    assert (await loaded.served.get("/v1/obligations", key))["total"] == 0
    sites = await loaded.served.get("/v1/sites", key)
    assert [s["site_id"] for s in sites["items"]] == ["pine-view"]


async def test_bad_filters_are_refused(loaded: Loaded) -> None:
    key = loaded.keys.provider
    await loaded.served.get("/v1/governance/summary", key, expect=422, from_="2025-13")
    body = await loaded.served.get(
        "/v1/governance/summary", key, expect=422, from_="2025-06", to="2025-01"
    )
    assert body["error"]["code"] == "invalid_period"
    await loaded.served.get("/v1/themes/trends", key, expect=422, granularity="week")
