"""Three-node cluster mode: replication factor 3, min.insync.replicas 2, survives losing a node."""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from learnloop.infra import kafka
from shared.broker import producer_options
from shared.provisioning import admin_client, ensure_topics
from shared.settings import KafkaSettings
from shared.topics import INCIDENTS
from tests.conftest import STATE_DIR, delete_topics_with_prefix

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster() -> Iterator[kafka.KafkaDeployment]:
    dep = kafka.deployment(STATE_DIR, "cluster")
    kafka.up(dep)
    yield dep
    kafka.down(dep)


async def test_cluster_replicates_and_keeps_accepting_with_one_node_killed(
    cluster: kafka.KafkaDeployment,
) -> None:
    settings = KafkaSettings(
        bootstrap_servers=cluster.bootstrap_servers, topic_prefix=f"c-{uuid.uuid4().hex[:8]}"
    )
    await ensure_topics(settings, topics=[INCIDENTS])
    topic = INCIDENTS.full_name(settings.topic_prefix)
    admin = admin_client(settings)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    finally:
        await admin.close()
    assert all(len(p["replicas"]) == 3 for p in described["partitions"])
    entries = {entry[0]: entry[1] for entry in response.resources[0][4]}
    assert entries["min.insync.replicas"] == "2"

    producer = AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers, **producer_options(settings)
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"before", key=b"site-1")
        victim = cluster.node(3)
        kafka.signal_node(victim, signal.SIGKILL)
        # With two of three replicas in sync, acks=all writes still succeed (min.insync.replicas=2).
        for i in range(20):
            metadata = await producer.send_and_wait(topic, f"after-{i}".encode(), key=b"site-1")
            assert metadata.offset >= 1
    finally:
        await producer.stop()
        kafka.start_node(cluster, cluster.node(3))
    # The infra helpers are synchronous (they run their own event loop): keep them off this one.
    await asyncio.to_thread(kafka.up, cluster, timeout=90)
    assert await asyncio.to_thread(kafka.all_nodes_serve, cluster)
    await delete_topics_with_prefix(settings)
