"""Applying facts in batches gives exactly what applying them one at a time gives.

One at a time, every question about the past ("falls at this site in the last 30 days") is asked
of the database; in a batch, it is answered in memory from history read once per batch. Both
must store the same rows and queue the same derived events, on SQLite and on PostgreSQL, also
when facts arrive out of time order across batches.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select

from learnloop.generator import ScenarioConfig, generate
from services.learning.adapters.changes import table_names
from services.learning.domain.action_rules import load_action_rules
from services.learning.domain.rulebook import load_rulebook
from services.learning.pipeline import LearningPipeline
from shared.database import create_engine
from shared.events import AnyFactEvent
from shared.events.fact_time import fact_time
from shared.migrate import upgrade
from shared.settings import DatabaseSettings, KafkaSettings
from shared.tables import outbox

pytestmark = pytest.mark.postgres

FACTS = 700


@pytest.fixture(scope="module")
def scenario() -> list[AnyFactEvent]:
    # A small provider over a few months: recurrences, actions, alerts and complaints occur.
    facts = list(generate(ScenarioConfig(seed=5, sites=6, regions=1, months=4)))[:FACTS]
    return sorted(facts, key=fact_time)


def as_batches_order(facts: Sequence[AnyFactEvent], batch: int) -> list[AnyFactEvent]:
    """The order a batch applies facts in: batch by batch, each in time order."""
    return [
        fact
        for start in range(0, len(facts), batch)
        for fact in sorted(facts[start : start + batch], key=fact_time)
    ]


async def applied(url: str, facts: Sequence[AnyFactEvent], batch: int) -> dict[str, Any]:
    """Apply ``facts`` in batches of ``batch``; everything stored, as comparable values."""
    engine = create_engine(DatabaseSettings(url=url))
    await upgrade(engine, ("shared", "learning"))
    pipeline = LearningPipeline(
        engine=engine, rulebook=load_rulebook(), action_rules=load_action_rules(),
        kafka=KafkaSettings(),
    )  # fmt: skip
    for start in range(0, len(facts), batch):
        await pipeline.apply(facts[start : start + batch])
    stored: dict[str, Any] = {}
    async with engine.connect() as connection:
        for table in table_names():
            rows = (await connection.execute(select(table))).all()
            stored[table.name] = sorted(
                json.dumps([_comparable(value) for value in row]) for row in rows
            )
        rows = (await connection.execute(select(outbox.c.event_id, outbox.c.payload))).all()
        stored["outbox"] = sorted(
            json.dumps([event_id, json.loads(payload)["data"]], sort_keys=True)
            for event_id, payload in rows
        )
    await engine.dispose()
    return stored


def _comparable(value: Any) -> Any:
    if hasattr(value, "isoformat"):  # SQLite returns naive UTC datetimes
        return value.replace(tzinfo=None).isoformat()
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


async def test_batches_store_and_derive_what_one_at_a_time_does(
    database_url: str, scenario: list[AnyFactEvent], tmp_path: Any
) -> None:
    one_by_one = await applied(f"sqlite+aiosqlite:///{tmp_path / 'one.db'}", scenario, 1)
    batched = await applied(database_url, scenario, 250)
    assert {name: len(rows) for name, rows in batched.items()} == {
        name: len(rows) for name, rows in one_by_one.items()
    }
    assert len(one_by_one["improvement_actions"]) > 10  # the scenario exercises the rules
    assert len(one_by_one["learning_alerts"]) > 0
    assert batched == one_by_one


async def test_out_of_order_arrival_gives_the_same_as_one_at_a_time(
    database_url: str, scenario: list[AnyFactEvent], tmp_path: Any
) -> None:
    shuffled = list(scenario)
    random.Random(7).shuffle(shuffled)  # late facts land in later batches
    order = as_batches_order(shuffled, 300)
    assert order != sorted(shuffled, key=fact_time)  # some facts do arrive late
    one_by_one = await applied(f"sqlite+aiosqlite:///{tmp_path / 'one.db'}", order, 1)
    batched = await applied(database_url, shuffled, 300)
    assert batched == one_by_one
