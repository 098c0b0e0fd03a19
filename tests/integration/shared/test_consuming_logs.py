"""What the shared consumer logs: ids and positions per record at DEBUG, the batch's first and
last event ids on every line written while it is handled, the event ids of a failing batch
(capped) - and never the events' free text."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
import structlog
from aiokafka import AIOKafkaProducer

from shared.consuming import FAILED_IDS_LOGGED, BatchConsumer, Incoming
from shared.events import parse_fact_event
from shared.logging import OWN_LOGGERS, configure_logging, get_logger
from shared.provisioning import ensure_topics
from shared.publishing import record_for
from shared.settings import KafkaSettings
from shared.topics import INCIDENTS
from tests.unit.shared.events.examples import fall_incident

pytestmark = pytest.mark.kafka
EVENTS = 30
SECRET = "Mrs Pemberton-Smythe"  # free text that must never reach a log line


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Leave the process's logging as the test found it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    own = {name: logging.getLogger(name).level for name in OWN_LOGGERS}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, own_level in own.items():
        logging.getLogger(name).setLevel(own_level)
    structlog.contextvars.clear_contextvars()


async def consume(kafka: KafkaSettings, *, fail_first: bool) -> list[list[str]]:
    """Publish EVENTS incidents at one site and a poison record, consume them all; returns the
    event ids of each batch the handler was given."""
    await ensure_topics(kafka, topics=[INCIDENTS])
    topic = INCIDENTS.full_name(kafka.topic_prefix)
    example = fall_incident()
    data = example.data.model_copy(update={"description": f"{SECRET} was found on the floor."})
    events = [
        example.model_copy(update={"id": f"evt-{n:02d}", "data": data,
                                   "correlationid": "corr-7" if n == 7 else None})
        for n in range(EVENTS)
    ]  # fmt: skip
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for event in events:
            record = record_for(event, kafka)
            await producer.send_and_wait(topic, record.value, key=record.key)
        await producer.send_and_wait(topic, b'{"not": "an event"}', key=b"rosewood-house")
    finally:
        await producer.stop()

    seen: list[list[str]] = []
    handler_log = get_logger("tests.handler")

    async def handle(batch: Sequence[Incoming]) -> None:
        ids = [item.event_id for item in batch if item.event_id]
        seen.append(ids)
        handler_log.info("handler saw a batch")
        if fail_first and len(seen) == 1:
            raise ConnectionError("database unavailable")

    consumer = BatchConsumer(
        kafka, group_id=f"logs-{uuid.uuid4().hex[:8]}", topics=[topic],
        parse=lambda record: parse_fact_event(record.value), handle=handle,
        retry_backoff=(0.05, 0.1),
    )  # fmt: skip
    await consumer.start()
    task = asyncio.create_task(consumer.run())
    try:
        for _ in range(600):
            if consumer.stats.records == EVENTS + 1:
                break
            await asyncio.sleep(0.1)
    finally:
        await consumer.stop()
        task.cancel()
    assert consumer.stats.records == EVENTS + 1
    return seen


def ends(ids: list[str]) -> tuple[str | None, str | None, int]:
    return (ids[0], ids[-1], len(ids)) if ids else (None, None, 0)


def lines(captured: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


async def test_each_record_and_batch_is_logged_by_its_ids(
    kafka_settings: KafkaSettings, capsys: pytest.CaptureFixture[str], restored_logging: None
) -> None:
    configure_logging(level="DEBUG", fmt="json", service="learning")
    seen = await consume(kafka_settings, fail_first=True)
    output = capsys.readouterr().err
    logged = lines(output)
    assert SECRET not in output  # nor through aiokafka, whose DEBUG lines print record values

    received = [line for line in logged if line["event"] == "record received"]
    assert sorted(line["event_id"] for line in received) == [f"evt-{n:02d}" for n in range(EVENTS)]
    for line in received:
        assert line["level"] == "debug"
        assert line["topic"] == INCIDENTS.full_name(kafka_settings.topic_prefix)
        assert isinstance(line["partition"], int) and isinstance(line["offset"], int)
        expected = "corr-7" if line["event_id"] == "evt-07" else line["event_id"]
        assert line["correlation_id"] == expected

    [failed] = [line for line in logged if line["event"] == "batch failed, retrying"]
    first_batch = seen[0]
    assert failed["event_ids"] == first_batch[:FAILED_IDS_LOGGED]
    assert (failed["first_event_id"], failed["last_event_id"], failed["batch_size"]) == (
        first_batch[0], first_batch[-1], len(first_batch)
    )  # fmt: skip
    assert failed["error"] == "ConnectionError" and failed["service"] == "learning"

    committed = [line for line in logged if line["event"] == "batch committed"]
    assert sum(line["records"] for line in committed) == EVENTS + 1
    assert sum(line["dead_lettered"] for line in committed) == 1
    assert [(line["first_event_id"], line["last_event_id"], line["batch_size"])
            for line in committed] == [ends(ids) for ids in seen[1:]]  # fmt: skip
    # The handler's own lines carry the batch's ids too; lines outside a batch do not.
    for line in (line for line in logged if line["event"] == "handler saw a batch"):
        assert line["first_event_id"].startswith("evt-")
    assert all("first_event_id" not in line for line in logged if line["event"] == "fetch failed")


async def test_at_info_no_line_is_written_per_record(
    kafka_settings: KafkaSettings, capsys: pytest.CaptureFixture[str], restored_logging: None
) -> None:
    configure_logging(level="INFO", fmt="json", service="reporting")
    await consume(kafka_settings, fail_first=False)
    logged = lines(capsys.readouterr().err)
    assert not [line for line in logged if line["level"] == "debug"]
    committed = [line for line in logged if line["event"] == "batch committed"]
    assert sum(line["records"] for line in committed) == EVENTS + 1
    assert {line["service"] for line in committed} == {"reporting"}
