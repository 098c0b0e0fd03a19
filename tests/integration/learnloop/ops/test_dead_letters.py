"""`ops dlq list|show|replay|purge` against the real broker, through the command line."""

from __future__ import annotations

import json

import pytest
from aiokafka import TopicPartition

from learnloop.ops.dead_letters import count_dead_letters, read_dead_letters
from learnloop.ops.replay import REPLAYED_FROM_HEADER, ReplayStatus, replay_dead_letters
from learnloop.ops.replay_ledger import ledger_topic, load_ledger
from shared.settings import KafkaSettings
from tests.integration.learnloop.ops.conftest import (
    Topics,
    dead_letter,
    invoke,
    produce,
    read_partition,
)

pytestmark = pytest.mark.kafka
PAYLOAD = b'{"id": "evt-42", "data": {"description": "Mrs Jones fell in the lounge"}}'
ERROR = (
    "1 validation error for IncidentReported\ndata.site_id\n  Field required "
    "[type=missing, input_value={'description': 'Mrs Jones fell in the lounge'}, input_type=dict]"
)


async def test_list_show_replay_once_and_purge(
    kafka_settings: KafkaSettings, topics: Topics, cli_env: dict[str, str]
) -> None:
    original = await dead_letter(kafka_settings, topics, PAYLOAD, error=ERROR, key=b"elm-court")
    part = original.partition
    short = topics.dead_letters.removeprefix(kafka_settings.topic_prefix + ".")

    listed = await invoke(["dlq", "list", "--topic", short, "--json"], cli_env)
    assert listed.exit_code == 0, listed.output
    [topic] = json.loads(listed.stdout)
    assert (topic["topic"], topic["stored"], topic["written"]) == (topics.dead_letters, 1, 1)
    [row] = topic["records"]
    assert row["reason"] == "contract_violation" and row["consumer"] == "learnloop-learning"
    assert row["source"] == f"{topics.source}:{part}:{original.offset}"
    assert "Field required" in row["error"]
    table = await invoke(["dlq", "list"], cli_env)  # every DLQ topic, as tables
    assert table.exit_code == 0, table.output
    assert "Mrs Jones" not in listed.stdout + table.stdout  # no free text unless asked

    position = ["dlq", "show", topics.dead_letters, str(part), "0"]
    shown = json.loads((await invoke([*position, "--json"], cli_env)).stdout)
    assert shown["payload"] is None and shown["payload_bytes"] == len(PAYLOAD)
    assert shown["headers"]["dlq-source-topic"] == topics.source
    assert shown["headers"]["ce_id"] == "evt-42"
    assert "Mrs Jones" not in json.dumps(shown)
    revealed = json.loads((await invoke([*position, "--payload", "--json"], cli_env)).stdout)
    assert revealed["payload"] == PAYLOAD.decode() and "Mrs Jones" in revealed["error"]
    assert "payload hidden" in (await invoke(position, cli_env)).stdout

    replay = ["dlq", "replay", "--topic", short, "--partition", str(part), "--offset", "0"]
    unconfirmed = await invoke(replay, cli_env)  # CliRunner has no terminal
    assert unconfirmed.exit_code == 1 and "pass --yes" in unconfirmed.stderr
    first = await invoke([*replay, "--yes", "--json"], cli_env)
    assert first.exit_code == 0, first.output
    [outcome] = json.loads(first.stdout)
    assert outcome["status"] == "replayed"

    records = await read_partition(kafka_settings, TopicPartition(topics.source, part))
    assert len(records) == 2  # the original and its replay, on the same partition (same key)
    replayed = records[-1]
    assert outcome["target"] == f"{topics.source}:{part}:{replayed.offset}"
    assert (replayed.key, replayed.value) == (original.key, original.value)
    assert list(replayed.headers) == [
        *original.headers,
        (REPLAYED_FROM_HEADER, f"{topics.dead_letters}:{part}:0".encode()),
    ]

    second = await invoke([*replay, "--yes"], cli_env)
    assert second.exit_code == 1 and "already replayed" in second.stderr
    assert len(await read_partition(kafka_settings, TopicPartition(topics.source, part))) == 2
    forced = await invoke([*replay, "--yes", "--force", "--json"], cli_env)
    assert json.loads(forced.stdout)[0]["status"] == "replayed"

    refused = await invoke(["dlq", "purge", short], cli_env)
    assert refused.exit_code == 1 and "pass --yes" in refused.stderr
    purged = await invoke(["dlq", "purge", short, "--yes"], cli_env)
    assert purged.exit_code == 0, purged.output
    assert "purged 1 record" in purged.stdout
    [count] = await count_dead_letters(kafka_settings, [topics.dead_letters])
    assert (count.stored, count.written) == (0, 1)
    assert await read_dead_letters(kafka_settings, topics.dead_letters) == []
    again = await invoke(["dlq", "purge", short, "--yes"], cli_env)
    assert "nothing to purge" in again.stdout


async def test_replay_all_skips_replayed_and_refuses_foreign_records(
    kafka_settings: KafkaSettings, topics: Topics
) -> None:
    await dead_letter(kafka_settings, topics, b"not json", error="Invalid JSON", key=b"a")
    await dead_letter(kafka_settings, topics, b"{}", error="Field required", key=b"b")
    # A record on the DLQ that no LearnLoop consumer wrote: replay must not guess a target.
    await produce(kafka_settings, topics.dead_letters, [b"stray"], partition=0)
    # One whose header points elsewhere: a header must not steer a replay to another topic.
    await produce(
        kafka_settings, topics.dead_letters, [b"steer"], partition=0,
        headers=[("dlq-source-topic", b"elsewhere.audits.v1")],
    )  # fmt: skip

    letters = await read_dead_letters(kafka_settings, topics.dead_letters)
    outcomes = {o.dead_letter: o for o in await replay_dead_letters(kafka_settings, letters)}
    statuses = sorted(o.status for o in outcomes.values())
    assert statuses == sorted([ReplayStatus.REPLAYED] * 2 + [ReplayStatus.REFUSED] * 2)

    again = await replay_dead_letters(kafka_settings, letters)
    assert sorted(o.status for o in again) == sorted(
        [ReplayStatus.ALREADY_REPLAYED] * 2 + [ReplayStatus.REFUSED] * 2
    )
    ledger = await load_ledger(kafka_settings)
    assert set(ledger) == {ref for ref, o in outcomes.items() if o.status is ReplayStatus.REPLAYED}
    assert ledger_topic(kafka_settings).endswith(".ops.replays")
