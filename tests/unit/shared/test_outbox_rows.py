"""An outbox row holds exactly the record ``record_for`` gives its event (topic, key as text,
value and headers), for facts and derived events, with and without trace context."""

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import select

from learnloop.generator import ScenarioConfig, generate
from shared import outbox
from shared.database import create_engine
from shared.events.derived import ThemeLink, ThemeLinked, ThemeMatchRecord
from shared.events.envelope import EventEnvelope
from shared.migrate import upgrade
from shared.publishing import record_for
from shared.settings import DatabaseSettings, KafkaSettings
from shared.tables import outbox as outbox_table

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


async def test_outbox_rows_are_the_records(tmp_path: Path) -> None:
    facts = list(generate(ScenarioConfig(seed=5, sites=3, regions=1, months=1)))[:20]
    events: list[EventEnvelope[Any]] = [
        fact.model_copy(update={"traceparent": TRACEPARENT}) if i % 2 else fact
        for i, fact in enumerate(facts)
    ]
    events.append(
        ThemeLinked(
            source="/learnloop/learning", providerid="p-1", siteid="s-1", region="r-1",
            data=ThemeLink(
                source_event_id="e-1", source_event_type="incident.reported", theme_id="falls",
                matches=[ThemeMatchRecord(rule_id="r", source="text", field="description")],
            ),
        )
    )  # fmt: skip
    settings = KafkaSettings(topic_prefix="t-1")
    engine = create_engine(DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path}/o.db"))
    try:
        await upgrade(engine, ("shared",))
        async with engine.begin() as connection:
            await outbox.add(connection, events, settings)
        async with engine.connect() as connection:
            rows = (await connection.execute(select(outbox_table).order_by("id"))).all()
    finally:
        await engine.dispose()
    assert len(rows) == len(events)
    for row, event in zip(rows, events, strict=True):
        record = record_for(event, settings)
        assert row.event_id == event.id
        assert (row.topic, row.key.encode(), row.payload, row.headers) == (
            record.topic, record.key, record.value, record.headers,
        )  # fmt: skip


class FakeProducer:
    """Records what the relay sends; every send is acknowledged at once."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes, list[tuple[str, bytes]]]] = []

    async def send(
        self, topic: str, value: bytes, *, key: bytes, headers: list[tuple[str, bytes]]
    ) -> Any:
        self.sent.append((topic, value, key, headers))
        future = asyncio.get_running_loop().create_future()
        future.set_result(None)
        return future


async def test_the_relay_sends_each_row_as_its_record(tmp_path: Path) -> None:
    facts = list(generate(ScenarioConfig(seed=5, sites=3, regions=1, months=1)))[:12]
    events: list[EventEnvelope[Any]] = []
    for i, fact in enumerate(facts):  # rows sharing their headers, and rows with their own
        fact = fact.model_copy(update={"traceparent": TRACEPARENT}) if i % 3 else fact
        events += [fact, fact.model_copy(update={"id": f"{fact.id}-2"})]
    settings = KafkaSettings(topic_prefix="t-1")
    engine = create_engine(DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path}/r.db"))
    try:
        await upgrade(engine, ("shared",))
        async with engine.begin() as connection:
            await outbox.add(connection, events, settings)
        relay = outbox.OutboxRelay(engine, settings, batch_size=7)
        producer = FakeProducer()
        relay._producer = producer
        while await relay.relay_once():
            pass
    finally:
        await engine.dispose()
    expected = []
    for event in events:
        record = record_for(event, settings)
        headers = [(name, value.encode()) for name, value in record.headers.items()]
        expected.append((record.topic, record.value, record.key, headers))
    assert producer.sent == expected
    assert relay.published == len(events)
    assert outbox.record_headers({"a": "b"}) == [("a", b"b")]
