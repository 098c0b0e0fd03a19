"""`learnloop ops dlq list|show|replay|purge`: dead letters, with personal data kept off screen."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from learnloop.ops import render
from learnloop.ops.cli_support import confirm, echo_json, fail, load_settings, run
from learnloop.ops.dead_letters import (
    DeadLetter,
    DeadLetterCount,
    count_dead_letters,
    dead_letter_topics,
    mask_error,
    purge_dead_letters,
    read_dead_letters,
    resolve_dead_letter_topic,
)
from learnloop.ops.replay import ReplayStatus, replay_dead_letters
from learnloop.ops.replay_ledger import load_ledger, was_replayed
from learnloop.ops.settings import OpsSettings

dlq_app = typer.Typer(help="Dead letters: list, show, replay to the source topic, purge.")

TopicOption = Annotated[
    str | None, typer.Option("--topic", help="e.g. incidents.v1.dlq (default: every DLQ topic)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def _topics(settings: OpsSettings, topic: str | None) -> list[str]:
    try:
        return (
            [resolve_dead_letter_topic(settings.kafka, topic)]
            if topic
            else dead_letter_topics(settings.kafka)
        )
    except ValueError as exc:
        raise fail(str(exc)) from exc


def _summary(d: DeadLetter) -> dict[str, object]:
    """What `list` shows of a dead letter: where, why, a masked error preview; no payload."""
    return {
        "partition": d.partition,
        "offset": d.offset,
        "timestamp": render.when(d.timestamp_ms),
        "reason": d.header("dlq-reason"),
        "consumer": d.header("dlq-consumer"),
        "source": d.source_position,
        "error": mask_error(d.header("dlq-error") or "")[: render.ERROR_PREVIEW],
    }


@dlq_app.command("list")
def list_dead_letters(
    topic: TopicOption = None,
    limit: Annotated[int, typer.Option(min=1, help="Newest records shown per topic.")] = 20,
    json_output: JsonOption = False,
) -> None:
    """Count dead letters per DLQ topic and show the newest ones (never their payloads)."""
    settings = load_settings()
    names = _topics(settings, topic)

    async def gather() -> list[tuple[DeadLetterCount, list[DeadLetter]]]:
        found = []
        for count in await count_dead_letters(settings.kafka, names):
            letters = (
                await read_dead_letters(
                    settings.kafka, count.topic, newest=limit,
                    timeout_s=settings.ops.fetch_timeout_s,
                )
                if count.stored
                else []
            )  # fmt: skip
            found.append((count, letters))
        return found

    listing = run(gather())
    if json_output:
        echo_json(
            [
                {**asdict(count), "records": [_summary(d) for d in letters]}
                for count, letters in listing
            ]
        )
        return
    out = render.console()
    out.print(render.dead_letter_count_table(count for count, _ in listing))
    for count, letters in listing:
        if letters:
            out.print(render.dead_letter_table(count.topic, count, letters))


@dlq_app.command("show")
def show(
    topic: Annotated[str, typer.Argument(help="dead-letter topic, e.g. incidents.v1.dlq")],
    partition: Annotated[int, typer.Argument(min=0)],
    offset: Annotated[int, typer.Argument(min=0)],
    payload: Annotated[
        bool, typer.Option("--payload", help="Also print the payload: it may hold personal data.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """One dead letter: error, headers, source position; the payload only with --payload."""
    settings = load_settings()
    [name] = _topics(settings, topic)
    found = run(
        read_dead_letters(
            settings.kafka, name, partition=partition, offset=offset,
            timeout_s=settings.ops.fetch_timeout_s,
        )
    )  # fmt: skip
    if not found:
        raise fail(f"no dead letter at {name}:{partition}:{offset} (purged or not yet written)")
    [letter] = found
    if json_output:
        error = letter.header("dlq-error") or ""
        echo_json(
            {
                **_summary(letter),
                "topic": letter.topic,
                "key": (letter.key or b"").decode("utf-8", errors="replace"),
                "error": error if payload else mask_error(error),
                "headers": {
                    k: v.decode("utf-8", errors="replace")
                    for k, v in letter.headers
                    if k != "dlq-error"
                },
                "payload": (letter.value or b"").decode("utf-8", errors="replace")
                if payload
                else None,
                "payload_bytes": len(letter.value or b""),
            }
        )
        return
    out = render.console()
    for part in render.dead_letter_detail(letter, payload=payload):
        out.print(part)


@dlq_app.command("replay")
def replay(
    topic: TopicOption = None,
    partition: Annotated[int | None, typer.Option(min=0, help="With --offset.")] = None,
    offset: Annotated[int | None, typer.Option(min=0, help="Replay this one record.")] = None,
    all_records: Annotated[
        bool, typer.Option("--all", help="Replay every dead letter (of --topic, or all topics).")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replay even what the ledger says was replayed.")
    ] = False,
    yes: YesOption = False,
    json_output: JsonOption = False,
) -> None:
    """Re-publish dead letters to their source topic (key, value, headers kept), once each."""
    settings = load_settings()
    if (offset is None) == (not all_records):
        raise fail("choose one: --offset N (with --topic and --partition) or --all")
    if offset is not None and (topic is None or partition is None):
        raise fail("--offset needs --topic and --partition")
    names = _topics(settings, topic)

    async def select() -> list[DeadLetter]:
        chosen: list[DeadLetter] = []
        for name in names:
            chosen += await read_dead_letters(
                settings.kafka, name, partition=partition, offset=offset,
                timeout_s=settings.ops.fetch_timeout_s,
            )  # fmt: skip
        return chosen

    letters = run(select())
    if not letters:
        if offset is not None:
            raise fail(f"no dead letter at {names[0]}:{partition}:{offset}")
        typer.echo("no dead letters to replay")
        return
    confirm(f"Replay {len(letters)} dead letter(s) to their source topics?", yes=yes)
    outcomes = run(replay_dead_letters(settings.kafka, letters, force=force))
    if json_output:
        echo_json([asdict(o) for o in outcomes])
    else:
        render.console().print(render.replay_table(outcomes))
    refused = any(o.status is ReplayStatus.REFUSED for o in outcomes)
    repeated = offset is not None and outcomes[0].status is ReplayStatus.ALREADY_REPLAYED
    if repeated:
        typer.echo("error: already replayed; --force replays it again", err=True)
    if refused or repeated:
        raise typer.Exit(code=1)


@dlq_app.command("purge")
def purge(
    topic: Annotated[str, typer.Argument(help="dead-letter topic, e.g. incidents.v1.dlq")],
    yes: YesOption = False,
) -> None:
    """Delete every record of a dead-letter topic (cannot be undone); asks first."""
    settings = load_settings()
    [name] = _topics(settings, topic)

    async def survey() -> tuple[int, int]:
        letters = await read_dead_letters(
            settings.kafka, name, timeout_s=settings.ops.fetch_timeout_s
        )
        ledger = await load_ledger(settings.kafka, timeout_s=settings.ops.fetch_timeout_s)
        return len(letters), sum(1 for d in letters if was_replayed(d, ledger) is None)

    stored, never_replayed = run(survey())
    if stored == 0:
        typer.echo(f"{name}: nothing to purge")
        return
    confirm(
        f"Delete {stored} dead letter(s) from {name} ({never_replayed} never replayed)? "
        "This cannot be undone.",
        yes=yes,
    )
    deleted = run(purge_dead_letters(settings.kafka, name))
    typer.echo(f"{name}: purged {sum(deleted.values())} record(s)")
