"""An outbox row holds exactly the record ``record_for`` gives its event (topic, key as text,
value and headers), for facts and derived events, with and without trace context. What the relay
sends is checked on the real broker: tests/integration/shared/test_outbox.py."""

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


def test_stored_headers_become_record_headers() -> None:
    assert outbox.record_headers({"a": "b"}) == [("a", b"b")]
    assert outbox.record_headers('{"a": "b", "n": 1}') == [("a", b"b"), ("n", b"1")]
