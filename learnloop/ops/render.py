"""Terminal rendering of operator results (rich tables); JSON output lives with the data classes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from aiokafka import TopicPartition
from rich.console import Console
from rich.table import Table

from learnloop.ops.dead_letters import DeadLetter, DeadLetterCount, mask_error
from learnloop.ops.group_reset import OffsetChange
from learnloop.ops.replay import ReplayOutcome
from learnloop.ops.status import PipelineStatus

ERROR_PREVIEW = 200


def console() -> Console:
    """A console on the current stdout (looked up late, so test runners can capture it)."""
    # markup=False: topic names, headers, errors and payloads come from the broker and must be
    # printed literally ("[hidden]" or "[bold]" in a record is text, not a style).
    return Console(highlight=False, markup=False, soft_wrap=False)


def when(timestamp_ms: int) -> str:
    """A record timestamp as UTC ISO 8601, to the second."""
    return datetime.fromtimestamp(timestamp_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_tables(status: PipelineStatus) -> list[Table]:
    """Consumer lag, dead letters and services, one table each."""
    lag = Table("group", "state", "members", "topic", "partition", "committed", "end",
                "lag (msgs)", "lag (s)", title="Consumer groups")  # fmt: skip
    for group in status.groups:
        if not group.partitions:
            lag.add_row(group.group, group.state, str(group.members), "-", "-", "-", "-", "-", "-")
        for p in group.partitions:
            seconds = "?" if p.lag_seconds is None else f"{p.lag_seconds:.1f}"
            committed = "-" if p.committed is None else str(p.committed)
            lag.add_row(p.group, group.state, str(group.members), p.topic, str(p.partition),
                        committed, str(p.end), str(p.lag_messages), seconds)  # fmt: skip
    return [lag, dead_letter_count_table(status.dead_letters), service_table(status)]


def dead_letter_count_table(counts: Iterable[DeadLetterCount]) -> Table:
    """Stored and ever-written dead letters per topic."""
    table = Table("dead-letter topic", "stored", "written ever", title="Dead letters")
    for count in counts:
        table.add_row(count.topic, str(count.stored), str(count.written))
    return table


def service_table(status: PipelineStatus) -> Table:
    """Health and readiness per service."""
    table = Table("service", "url", "health", "readiness", "detail", title="Services")
    for s in status.services:
        table.add_row(s.service, s.url, s.health, s.readiness, s.detail)
    return table


def dead_letter_table(topic: str, count: DeadLetterCount, letters: list[DeadLetter]) -> Table:
    """The newest dead letters of one topic; never their payloads."""
    title = f"{topic}: {count.stored} stored, showing {len(letters)} newest"
    table = Table("partition", "offset", "time", "reason", "source", "consumer", "error",
                  title=title)  # fmt: skip
    for d in letters:
        error = mask_error(d.header("dlq-error") or "")[:ERROR_PREVIEW]
        table.add_row(str(d.partition), str(d.offset), when(d.timestamp_ms),
                      d.header("dlq-reason") or "?", d.source_position,
                      d.header("dlq-consumer") or "?", error)  # fmt: skip
    return table


def dead_letter_detail(dead_letter: DeadLetter, *, payload: bool) -> list[Table | str]:
    """Everything about one dead letter; the payload and unmasked error only when asked."""
    error = dead_letter.header("dlq-error") or ""
    fields = Table("field", "value", title=dead_letter.ref, show_header=False)
    for name, value in (
        ("time", when(dead_letter.timestamp_ms)),
        ("key", (dead_letter.key or b"").decode("utf-8", errors="replace")),
        ("reason", dead_letter.header("dlq-reason") or "?"),
        ("consumer", dead_letter.header("dlq-consumer") or "?"),
        ("source", dead_letter.source_position),
        ("error", error if payload else mask_error(error)),
    ):
        fields.add_row(name, value)
    headers = Table("header", "value", title="headers")
    for name, raw in dead_letter.headers:
        if name != "dlq-error":
            headers.add_row(name, raw.decode("utf-8", errors="replace"))
    size = len(dead_letter.value or b"")
    body = (
        (dead_letter.value or b"").decode("utf-8", errors="replace")
        if payload
        else f"payload hidden ({size} bytes; --payload shows it: it may hold personal data)"
    )
    return [fields, headers, body]


def replay_table(outcomes: list[ReplayOutcome]) -> Table:
    """One row per dead letter: replayed, already replayed or refused."""
    table = Table("dead letter", "outcome", "published at", "detail", title="Replay")
    for o in outcomes:
        table.add_row(o.dead_letter, o.status.value, o.target or "-", o.detail)
    return table


def reset_table(
    group: str, changes: list[OffsetChange], committed: dict[TopicPartition, int] | None = None
) -> Table:
    """Committed offset before, planned, and (after the commit) read back."""
    title = f"{group}: offsets " + ("reset" if committed is not None else "to be committed")
    table = Table("topic", "partition", "before", "planned", "after", title=title)
    for c in changes:
        after = (
            "-"
            if committed is None
            else str(committed.get(TopicPartition(c.topic, c.partition), "?"))
        )
        before = "-" if c.before is None else str(c.before)
        table.add_row(c.topic, str(c.partition), before, str(c.after), after)
    return table
