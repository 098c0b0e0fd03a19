"""Create LearnLoop's topics on any Kafka with the right partitions, replication and retention."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.settings import KafkaSettings
from shared.topics import Topic, all_topics


@dataclass(frozen=True)
class EnsureResult:
    """Which topics were created and which already existed."""

    created: list[str]
    existing: list[str]


def admin_client(settings: KafkaSettings) -> AIOKafkaAdminClient:
    """An admin client for the configured cluster (plaintext or TLS/SASL)."""
    from shared.broker import _ssl_context

    options: dict[str, object] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "client_id": f"{settings.client_id}-admin",
        "request_timeout_ms": settings.request_timeout_ms,
        "security_protocol": settings.security_protocol,
    }
    if settings.security_protocol.startswith("SASL") and settings.sasl_password:
        options |= {
            "sasl_mechanism": settings.sasl_mechanism,
            "sasl_plain_username": settings.sasl_username,
            "sasl_plain_password": settings.sasl_password.get_secret_value(),
        }
    context = _ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    return AIOKafkaAdminClient(**options)


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
        return EnsureResult(
            created=sorted(t.name for t in new), existing=sorted(set(wanted) & existing)
        )
    finally:
        await admin.close()
