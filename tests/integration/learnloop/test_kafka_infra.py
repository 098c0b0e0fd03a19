"""The broker the tests use is a real Apache Kafka started by our own script, not a mock."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiokafka.conn import create_conn

from learnloop.infra import kafka
from learnloop.infra.process import read_pid
from tests.conftest import STATE_DIR

pytestmark = pytest.mark.kafka


async def test_cluster_metadata_comes_from_the_broker_we_formatted(kafka_bootstrap: str) -> None:
    metadata = await kafka.cluster_metadata(kafka_bootstrap)
    dep = kafka.deployment(STATE_DIR, "single")
    # The cluster id is the one StorageTool generated when our script formatted the storage.
    assert metadata["cluster_id"] == (dep.root / "cluster.id").read_text().strip()
    assert metadata["controller_id"] == 1
    assert metadata["brokers"] == [{"node_id": 1, "host": "127.0.0.1", "port": 9092, "rack": None}]


def test_broker_process_is_apache_kafka_from_maven_jars(kafka_bootstrap: str) -> None:
    dep = kafka.deployment(STATE_DIR, "single")
    pid = read_pid(dep.nodes[0].pid_file)
    assert pid is not None
    argv = Path(f"/proc/{pid}/cmdline").read_text().split("\0")
    assert "kafka.Kafka" in argv
    jars = {path.name for path in dep.libs.glob("*.jar")}
    assert f"kafka_2.13-{kafka.KAFKA_VERSION}.jar" in jars
    assert f"kafka-server-{kafka.KAFKA_VERSION}.jar" in jars


async def test_broker_advertises_kafka_4_api_versions(kafka_bootstrap: str) -> None:
    host, port = kafka_bootstrap.split(",")[0].rsplit(":", 1)
    connection = await create_conn(host, int(port))
    try:
        versions = connection._versions  # filled from the broker's ApiVersions response
    finally:
        connection.close()
    fetch, consumer_group_heartbeat, share_group_heartbeat = 1, 68, 76
    # Kafka 4.x removed Fetch v0-v3 (KIP-896), serves the KIP-848 consumer group protocol and
    # advertises share groups (KIP-932): an in-memory fake or an older broker would not.
    assert versions[fetch][0] >= 4
    assert consumer_group_heartbeat in versions
    assert share_group_heartbeat in versions


def test_second_up_reuses_the_running_broker_and_its_jars(kafka_bootstrap: str) -> None:
    dep = kafka.deployment(STATE_DIR, "single")
    pid_before = read_pid(dep.nodes[0].pid_file)
    kafka.up(dep, timeout=30)
    assert read_pid(dep.nodes[0].pid_file) == pid_before
    assert (dep.libs / f".complete-{kafka.KAFKA_VERSION}").exists()
