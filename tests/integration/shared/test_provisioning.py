"""`learnloop topics ensure` creates every topic with the registry's partitions, idempotently."""

from __future__ import annotations

import pytest

from shared.provisioning import admin_client, ensure_topics
from shared.settings import KafkaSettings
from shared.topics import FACT_TOPICS, all_topics

pytestmark = pytest.mark.kafka


async def test_ensure_topics_creates_all_then_nothing(kafka_settings: KafkaSettings) -> None:
    first = await ensure_topics(kafka_settings)
    second = await ensure_topics(kafka_settings)

    expected = {topic.full_name(kafka_settings.topic_prefix) for topic in all_topics()}
    assert set(first.created) == expected
    assert first.existing == []
    assert second.created == []
    assert set(second.existing) == expected

    admin = admin_client(kafka_settings)
    await admin.start()
    try:
        described = await admin.describe_topics(
            [FACT_TOPICS[0].full_name(kafka_settings.topic_prefix)]
        )
    finally:
        await admin.close()
    assert len(described[0]["partitions"]) == FACT_TOPICS[0].partitions
