"""A record's topic is the topic that carries its event type, under the deployment's prefix (the
lookup is cached per type and prefix)."""

import pytest

from shared.broker import topic_name
from shared.publishing import _topic
from shared.settings import KafkaSettings
from shared.topics import DERIVED_TOPICS, FACT_TOPICS, topic_for_event_type


@pytest.mark.parametrize("prefix", ["learnloop", "bench-1"])
def test_the_topic_of_every_event_type(prefix: str) -> None:
    settings = KafkaSettings(topic_prefix=prefix)
    for topic in FACT_TOPICS + DERIVED_TOPICS:
        for event_type in topic.event_types:
            assert _topic(event_type, prefix) == topic_name(
                topic_for_event_type(event_type), settings
            )
            assert _topic(event_type, prefix).startswith(f"{prefix}.")


def test_an_unknown_type_still_raises() -> None:
    with pytest.raises(KeyError):
        _topic("no.such.type", "learnloop")
