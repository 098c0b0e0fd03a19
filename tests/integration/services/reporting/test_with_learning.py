"""The real learning service's derived events project cleanly next to the facts."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from services.learning.app import running as learning_running
from services.learning.settings import LearningOptions, LearningSettings
from shared.provisioning import ensure_topics
from shared.settings import DatabaseSettings, KafkaSettings
from tests.integration.services.reporting.harness import (
    make_keys,
    publish,
    serving,
    settings_for,
    wait_for,
)
from tests.unit.shared.events.examples import fall_incident

pytestmark = [pytest.mark.kafka]
SITES = ["rosewood-house", "elm-court", "oak-lodge"]


async def test_learning_output_becomes_actions_alerts_and_themes(
    kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    await ensure_topics(kafka_settings)
    falls = [
        fall_incident().model_copy(update={"id": f"fall-{site}-{n}", "siteid": site})
        for site in SITES
        for n in range(3)
    ]
    await publish(kafka_settings, falls)
    learning = LearningSettings(
        kafka=kafka_settings,
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'learning.db'}"),
        learning=LearningOptions(group_id=f"learning-{uuid.uuid4().hex[:8]}"),
    )
    async with learning_running(learning) as runtime:

        async def relayed() -> bool:
            done = runtime.pipeline.applied == len(falls)
            return done and await runtime.relay.pending() == 0

        await wait_for(relayed)
    keys_url, keys = await make_keys(tmp_path)
    reporting_db = f"sqlite+aiosqlite:///{tmp_path / 'reporting.db'}"
    async with serving(settings_for(kafka_settings, reporting_db, keys_url, tmp_path)) as served:

        async def caught_up() -> bool:
            lag = await served.runtime.probe.lag(served.runtime.group_id)
            return served.runtime.projection.projected > len(falls) and not any(lag.values())

        await wait_for(caught_up)
        assert served.runtime.consumer.stats.dead_lettered == 0
        body = await served.get(
            "/v1/governance/summary",
            keys.provider,
            granularity="month",
            from_="2025-03",
            to="2025-03",
        )
        [march] = body["periods"]
        assert march["incidents"]["total"] == 9
        assert march["incidents"]["top_themes"][0] == {"theme_id": "falls", "title": "Falls",
                                                       "count": 9}  # fmt: skip
        assert march["actions"]["opened"] == 3  # the third fall at each site opens one
        assert march["alerts_raised"] == 1  # falls at three sites of the region
