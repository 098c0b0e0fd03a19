"""Health, readiness, metrics, and that duplicates and poison changed nothing."""

from __future__ import annotations

import re

import pytest

from tests.integration.services.reporting.conftest import Loaded
from tests.integration.services.reporting.derived_fixture import derived
from tests.integration.services.reporting.fixture import facts

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


def metric(text: str, name: str) -> float:
    found = re.search(rf"^{name} (\S+)$", text, re.MULTILINE)
    assert found, name
    return float(found.group(1))


async def test_duplicates_are_skipped_and_poison_dead_lettered(loaded: Loaded) -> None:
    runtime = loaded.served.runtime
    assert runtime.projection.projected == len(facts()) + len(derived())
    assert runtime.projection.skipped == loaded.duplicates
    assert runtime.consumer.stats.dead_lettered == loaded.poison


async def test_health_readiness_and_metrics(loaded: Loaded) -> None:
    client = loaded.served.client
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["partitions"] == 60  # 10 topics x 6
    text = (await client.get("/metrics")).text
    assert metric(text, "learnloop_reporting_events_projected") == len(facts()) + len(derived())
    assert metric(text, "learnloop_reporting_dead_letters") == 1
    lag_line = r"^learnloop_reporting_consumer_lag\{partition=\"\d+\",topic=\"[^\"]+\"\} (\S+)$"
    lags = re.findall(lag_line, text, re.MULTILINE)
    assert len(lags) == 60 and all(float(lag) == 0 for lag in lags)
    # The newest event time is the lesson/outcome/derived June time; the clock is 15 July.
    assert metric(text, "learnloop_reporting_freshness_seconds") == 15 * 86_400


async def test_openapi_documents_the_api(loaded: Loaded) -> None:
    schema = (await loaded.served.client.get("/openapi.json")).json()
    assert {"/v1/governance/summary", "/v1/sites/{site_id}/scorecard", "/v1/themes/trends",
            "/v1/actions", "/v1/obligations", "/v1/evidence"} <= set(schema["paths"])  # fmt: skip
    assert "X-API-Key" in str(schema["components"]["securitySchemes"])
