"""Replays and rebuilds: a second consumer group and a rebuild give the very same numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services.reporting.rebuild import rebuild
from shared.provisioning import ensure_topics
from shared.settings import KafkaSettings
from tests.integration.services.reporting.derived_fixture import derived
from tests.integration.services.reporting.fixture import NOW, facts
from tests.integration.services.reporting.harness import (
    Keys,
    Served,
    make_keys,
    publish,
    serving,
    settings_for,
)

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow]
VIEWS: list[tuple[str, dict[str, Any]]] = [
    ("/v1/governance/summary", {"granularity": "quarter", "from_": "2025-01", "to": "2025-06"}),
    ("/v1/governance/summary", {"granularity": "month", "from_": "2025-01", "to": "2025-06"}),
    ("/v1/themes/trends", {"granularity": "month", "from_": "2025-01", "to": "2025-06"}),
    ("/v1/actions", {}),
    ("/v1/obligations", {}),
    ("/v1/evidence", {"framework": "saf-2023", "statement": "safe.involving_people_to_manage_risks",
                      "from_": "2025-01", "to": "2025-06"}),
]  # fmt: skip


async def snapshot(served: Served, keys: Keys) -> list[Any]:
    """What the API says, minus when it said it."""
    views = []
    for path, params in VIEWS:
        body = await served.get(path, keys.provider, **params)
        body.pop("generated_at", None)
        views.append(body)
    return views


async def test_replay_and_rebuild_equal_live(
    kafka_settings: KafkaSettings, database_url: str, tmp_path: Path
) -> None:
    await ensure_topics(kafka_settings)
    keys_url, keys = await make_keys(tmp_path)
    happened, learned = facts(), derived()
    events = [*learned, *happened]
    await publish(kafka_settings, [*events, *happened[:3], *learned[:3]])  # 6 duplicates
    records = len(events) + 6
    settings = settings_for(kafka_settings, database_url, keys_url, tmp_path)
    async with serving(settings) as served:
        await served.consumed(records)
        assert served.runtime.projection.projected == len(events)
        live = await snapshot(served, keys)
    assert live[0]["periods"][0]["incidents"]["total"] == 6  # the numbers are really there

    replay = settings_for(kafka_settings, database_url, keys_url, tmp_path, group="replay-2")
    async with serving(replay) as served:  # a second group reads everything again
        await served.consumed(records)
        assert served.runtime.projection.projected == 0
        assert served.runtime.projection.skipped == records
        assert await snapshot(served, keys) == live

    report = await rebuild(settings, timeout_s=120, clock=lambda: NOW)
    assert report.group_id.startswith(f"{settings.reporting.group_id}-rebuild-")
    assert (report.events_projected, report.duplicates_skipped) == (len(events), 6)
    assert report.rows["reporting_facts"] == len(happened)
    assert report.rows["reporting_actions"] == 3

    async with serving(settings) as served:  # serve resumes the rebuild's group: nothing to do
        assert served.runtime.group_id == report.group_id
        assert await snapshot(served, keys) == live
        assert served.runtime.projection.projected == 0
