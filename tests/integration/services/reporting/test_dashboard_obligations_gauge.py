"""The ops dashboard's gauge ``learnloop_reporting_obligations_overdue`` (alert rules use it)."""

from __future__ import annotations

import re

import pytest

from tests.integration.services.reporting.conftest import Loaded

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


async def test_the_gauge_counts_obligations_past_due_and_not_met(loaded: Loaded) -> None:
    text = (await loaded.served.client.get("/metrics")).text
    found = re.search(r"^learnloop_reporting_obligations_overdue (\S+)$", text, re.MULTILINE)
    assert found, "gauge missing"
    # OB3 (flagged overdue) and OB5 (due 1 April, never met) on the API's clock of 15 July;
    # OB2 was met late (met, not overdue), OB7 is not due until August.
    assert float(found.group(1)) == 2
    listed = 0
    for key in (loaded.keys.provider, loaded.keys.other_provider):
        listed += (await loaded.served.get("/v1/obligations", key, status="overdue"))["total"]
    assert float(found.group(1)) == listed
