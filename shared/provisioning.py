"""Create LearnLoop's topics on any Kafka with the right partitions, replication and retention."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.broker import client_options
from shared.settings import KafkaSettings
from shared.topics import Topic, all_topics


@dataclass(frozen=True)
class EnsureResult:
    """Which topics were created and which already existed."""

    created: list[str]
    existing: list[str]


def admin_client(settings: KafkaSettings) -> AIOKafkaAdminClient:
    """An admin client for the configured cluster (plaintext or TLS/SASL)."""
    return AIOKafkaAdminClient(**client_options(settings, client_id="admin"))


async def ensure_topics(
    settings: KafkaSettings,
    *,
    topics: Iterable[Topic] | None = None,
    replication_factor: int | None = None,
) -> EnsureResult:
    """Create missing topics (idempotent); existing topics are left as they are."""
    wanted = {topic.full_name(settings.topic_prefix): topic for topic in (topics or all_topics())}
    admin = admin_client(settings)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        brokers = (await admin.describe_cluster())["brokers"]
        replicas = replication_factor or min(3, len(brokers))
        new = [
            NewTopic(
                name=name,
                num_partitions=topic.partitions,
                replication_factor=replicas,
                topic_configs={
                    "retention.ms": str(topic.retention_ms),
                    "min.insync.replicas": str(min(2, replicas)),
                },
            )
            for name, topic in wanted.items()
            if name not in existing
        ]
        if new:
            await admin.create_topics(new)
            await _wait_until_visible(admin, [topic.name for topic in new])
        return EnsureResult(
            created=sorted(t.name for t in new), existing=sorted(set(wanted) & existing)
        )
    finally:
        await admin.close()


async def _wait_until_visible(admin: AIOKafkaAdminClient, names: list[str]) -> None:
    """Creation is asynchronous in KRaft: wait until brokers serve metadata for every topic."""
    for _ in range(300):
        described = await admin.describe_topics(names)
        if all(topic["error_code"] == 0 and topic["partitions"] for topic in described):
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"topics not visible after creation: {names}")
