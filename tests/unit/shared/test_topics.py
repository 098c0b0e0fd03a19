"""The topic registry: one topic per fact type, each with a dead-letter topic."""

from __future__ import annotations

import pytest

from shared.events import EVENT_TYPES
from shared.topics import (
    DERIVED_TOPICS,
    FACT_TOPICS,
    TopicKind,
    all_topics,
    topic_for_event_type,
)


def test_every_fact_event_type_has_exactly_one_topic() -> None:
    for event_type in EVENT_TYPES:
        topic = topic_for_event_type(event_type)
        assert topic.kind is TopicKind.FACT
        assert [t for t in FACT_TOPICS if event_type in t.event_types] == [topic]


def test_every_topic_has_a_dead_letter_topic_with_the_same_partitions() -> None:
    names = {topic.name for topic in all_topics()}
    for topic in FACT_TOPICS + DERIVED_TOPICS:
        dead = topic.dead_letter()
        assert dead.name == f"{topic.name}.dlq"
        assert dead.kind is TopicKind.DEAD_LETTER
        assert dead.partitions == topic.partitions
        assert dead.name in names


def test_full_name_uses_the_deployment_prefix() -> None:
    assert FACT_TOPICS[0].full_name("acme") == "acme.incidents.v1"


def test_unknown_event_type_has_no_topic() -> None:
    with pytest.raises(KeyError, match="no topic carries"):
        topic_for_event_type("rota.published")
