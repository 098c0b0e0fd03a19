"""Replay dead letters to the topic they came from, once, after the fault is fixed.

The record goes back with its key (so the same partition and order key: the site id), its value
unchanged (so the same event id, and idempotent consumers skip it if it did get through) and its
original headers; ``dlq-*`` headers are dropped and ``learnloop-replayed-from`` added.

Each replay is published first and recorded in the ledger second. A crash between the two can at
worst publish a record twice, which consumers absorb by event id; the other order could lose it.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from learnloop.ops.cluster import safe_producer
from learnloop.ops.dead_letters import DeadLetter
from learnloop.ops.replay_ledger import (
    ReplayEntry,
    ensure_ledger,
    load_ledger,
    record_replay,
    was_replayed,
)
from shared.settings import KafkaSettings
from shared.topics import DEAD_LETTER_SUFFIX

REPLAYED_FROM_HEADER = "learnloop-replayed-from"


class ReplayStatus(StrEnum):
    """What happened to one dead letter."""

    REPLAYED = "replayed"
    ALREADY_REPLAYED = "already_replayed"
    REFUSED = "refused"


@dataclass(frozen=True)
class ReplayOutcome:
    """One dead letter's outcome; ``target`` is where it was (or had already been) published."""

    dead_letter: str
    status: ReplayStatus
    target: str | None = None
    detail: str = ""


def replay_headers(dead_letter: DeadLetter) -> list[tuple[str, bytes]]:
    """Original headers, minus ``dlq-*`` and any earlier replay mark, plus this replay's mark."""
    kept = [(k, v) for k, v in dead_letter.original_headers() if k != REPLAYED_FROM_HEADER]
    return [*kept, (REPLAYED_FROM_HEADER, dead_letter.ref.encode())]


def _refusal(dead_letter: DeadLetter) -> str | None:
    source = dead_letter.source_topic
    if source is None:
        return "no dlq-source-topic header: not written by a LearnLoop consumer"
    if dead_letter.topic != source + DEAD_LETTER_SUFFIX:
        # A header must not be able to steer records to an arbitrary topic.
        return f"source topic {source!r} does not match dead-letter topic {dead_letter.topic!r}"
    return None


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


async def replay_dead_letters(
    settings: KafkaSettings,
    dead_letters: list[DeadLetter],
    *,
    force: bool = False,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> list[ReplayOutcome]:
    """Publish each dead letter back to its source topic unless the ledger says it already was."""
    await ensure_ledger(settings)
    ledger = await load_ledger(settings)
    outcomes: list[ReplayOutcome] = []
    async with safe_producer(settings) as producer:
        for dead_letter in dead_letters:
            refusal = _refusal(dead_letter)
            previous = was_replayed(dead_letter, ledger)
            if refusal is not None:
                outcomes.append(
                    ReplayOutcome(dead_letter.ref, ReplayStatus.REFUSED, detail=refusal)
                )
                continue
            if previous is not None and not force:
                outcomes.append(
                    ReplayOutcome(
                        dead_letter.ref,
                        ReplayStatus.ALREADY_REPLAYED,
                        target=previous.target,
                        detail=f"replayed {previous.replayed_at} by {previous.operator}",
                    )
                )
                continue
            sent = await producer.send_and_wait(
                dead_letter.source_topic,
                dead_letter.value,
                key=dead_letter.key,
                headers=replay_headers(dead_letter),
            )
            entry = ReplayEntry(
                dead_letter=dead_letter.ref,
                dead_letter_timestamp_ms=dead_letter.timestamp_ms,
                target=f"{sent.topic}:{sent.partition}:{sent.offset}",
                replayed_at=clock().isoformat(timespec="seconds"),
                operator=_operator(),
            )
            await record_replay(producer, settings, entry)
            ledger[dead_letter.ref] = entry
            outcomes.append(ReplayOutcome(dead_letter.ref, ReplayStatus.REPLAYED, entry.target))
    return outcomes
