"""Two learning instances cannot both raise the same cross-site alert.

A region's sites may be consumed by different instances. Here both instances read the history of
their batch before either writes (forced with a barrier), each completes the three-site
threshold with its own fact, and only one alert may result.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

import services.learning.adapters.history as history_module
import services.learning.pipeline as pipeline_module
from services.learning.adapters.tables import learning_alerts
from services.learning.domain.action_rules import load_action_rules
from services.learning.domain.rulebook import load_rulebook
from services.learning.pipeline import LearningPipeline
from shared.database import create_engine
from shared.events import IncidentReported
from shared.migrate import upgrade
from shared.settings import DatabaseSettings, KafkaSettings
from shared.tables import outbox
from tests.unit.shared.events.examples import fall_incident

pytestmark = pytest.mark.postgres


def fall_at(site: str, hours: int) -> IncidentReported:
    event = fall_incident()
    data = event.data.model_copy(
        update={"occurred_at": event.data.occurred_at + timedelta(hours=hours),
                "reported_at": event.data.reported_at + timedelta(hours=hours)}
    )  # fmt: skip
    return event.model_copy(update={"id": f"evt-race-{site}-{hours}", "siteid": site, "data": data})


def pipeline(url: str) -> LearningPipeline:
    return LearningPipeline(
        engine=create_engine(DatabaseSettings(url=url)), rulebook=load_rulebook(),
        action_rules=load_action_rules(), kafka=KafkaSettings(),
    )  # fmt: skip


async def test_two_instances_raise_one_alert(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(DatabaseSettings(url=postgres_url))
    await upgrade(engine, ("shared", "learning"))
    first, second = pipeline(postgres_url), pipeline(postgres_url)
    await first.apply([fall_at("site-a", 0), fall_at("site-b", 1)])  # two sites: no alert yet
    async with engine.connect() as connection:
        assert not await connection.scalar(select(func.count()).select_from(learning_alerts))

    both_read = asyncio.Barrier(2)
    load_history = history_module.load_history

    async def load_then_wait(*args: Any) -> Any:
        history = await load_history(*args)
        await both_read.wait()  # neither instance has written its batch yet
        return history

    monkeypatch.setattr(pipeline_module, "load_history", load_then_wait)
    await asyncio.wait_for(
        asyncio.gather(first.apply([fall_at("site-c", 2)]), second.apply([fall_at("site-d", 3)])),
        timeout=60,
    )

    async with engine.connect() as connection:
        alerts = await connection.scalar(select(func.count()).select_from(learning_alerts))
        announced = await connection.scalar(
            select(func.count()).where(outbox.c.topic.like("%alerts%"))
        )
    assert alerts == 1
    assert announced == 1
    for instance in (first, second):
        await instance._engine.dispose()
    await engine.dispose()
