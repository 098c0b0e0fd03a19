"""`learnloop ops ...`: see and fix the pipeline (status, exporter, dead letters, group resets).

Mount with ``app.add_typer(ops_cli.ops_app, name="ops")``. The logic lives in ``learnloop.ops``;
these commands only parse options, confirm destructive steps and print.
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from datetime import datetime
from typing import Annotated

import typer

from learnloop.ops import render
from learnloop.ops.cli_support import (
    confirm,
    echo_json,
    fail,
    full_topic_name,
    load_settings,
    run,
)
from learnloop.ops.dlq_cli import dlq_app
from learnloop.ops.group_reset import (
    ResetKind,
    ResetTarget,
    apply_reset,
    plan_reset,
)
from learnloop.ops.settings import OpsSettings
from learnloop.ops.status import collect_status

ops_app = typer.Typer(
    help="Operate the pipeline: status, Prometheus exporter, dead letters, group resets.",
    no_args_is_help=True,
)
ops_app.add_typer(dlq_app, name="dlq")

GroupsOption = Annotated[
    list[str] | None,
    typer.Option("--group", help="Consumer group (repeatable; default: LEARNLOOP_OPS__GROUPS)."),
]
UrlOption = Annotated[str | None, typer.Option(help="Base URL (default: LEARNLOOP_OPS__*_URL).")]


def _with_urls(
    settings: OpsSettings, intake: str | None, learning: str | None, reporting: str | None
) -> OpsSettings:
    overrides = {
        "intake_url": intake or settings.ops.intake_url,
        "learning_url": learning or settings.ops.learning_url,
        "reporting_url": reporting or settings.ops.reporting_url,
    }
    return settings.model_copy(update={"ops": settings.ops.model_copy(update=overrides)})


@ops_app.command("status")
def status(
    group: GroupsOption = None,
    intake_url: UrlOption = None,
    learning_url: UrlOption = None,
    reporting_url: UrlOption = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Lag per consumer group and partition, dead letters, service health; exit 1 if no broker."""
    settings = _with_urls(load_settings(), intake_url, learning_url, reporting_url)
    snapshot = run(collect_status(settings, groups=group))
    if json_output:
        echo_json(snapshot.as_json())
    else:
        out = render.console()
        for table in render.status_tables(snapshot):
            out.print(table)
    if snapshot.kafka_error:
        raise fail(f"kafka unreachable: {snapshot.kafka_error}")


@ops_app.command("exporter")
def exporter(
    port: Annotated[int | None, typer.Option(help="default: LEARNLOOP_OPS__EXPORTER_PORT")] = None,
    host: Annotated[str, typer.Option(help="Interface to bind (0.0.0.0 in a container).")] = (
        "127.0.0.1"
    ),
    group: GroupsOption = None,
) -> None:
    """Serve /metrics for Prometheus: lag, dead letters and service health, fresh per scrape."""
    from learnloop.ops.exporter import start_exporter

    settings = load_settings()
    chosen = port or settings.ops.exporter_port
    server = start_exporter(settings, port=chosen, host=host, groups=group)
    typer.echo(f"serving http://{host}:{chosen}/metrics (Ctrl+C to stop)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


def _target(earliest: bool, latest: bool, at: str | None, offset: int | None) -> ResetTarget:
    chosen = [earliest, latest, at is not None, offset is not None]
    if sum(chosen) != 1:
        raise fail("choose exactly one of --to-earliest, --to-latest, --to-datetime, --to-offset")
    if earliest:
        return ResetTarget(ResetKind.EARLIEST)
    if latest:
        return ResetTarget(ResetKind.LATEST)
    if offset is not None:
        return ResetTarget(ResetKind.OFFSET, offset=offset)
    try:
        return ResetTarget(ResetKind.DATETIME, at=datetime.fromisoformat(at or ""))
    except ValueError as exc:
        raise fail(f"--to-datetime: not an ISO 8601 date-time: {at!r}") from exc


@ops_app.command("reset-group")
def reset_group(
    group: Annotated[str, typer.Argument(help="Consumer group id, e.g. learnloop-reporting.")],
    to_earliest: Annotated[bool, typer.Option("--to-earliest")] = False,
    to_latest: Annotated[bool, typer.Option("--to-latest")] = False,
    to_datetime: Annotated[
        str | None,
        typer.Option("--to-datetime", help="ISO 8601; without a zone it is taken as UTC."),
    ] = None,
    to_offset: Annotated[int | None, typer.Option("--to-offset", min=0)] = None,
    topic: Annotated[
        list[str] | None,
        typer.Option("--topic", help="Repeatable (default: topics the group committed on)."),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Move a stopped group's committed offsets; refused (exit 1) while it has members."""
    settings = load_settings()
    target = _target(to_earliest, to_latest, to_datetime, to_offset)
    topics = [full_topic_name(settings, name) for name in topic] if topic else None
    # An active group raises GroupActiveError (a RuntimeError): run() prints it and exits 1.
    changes = run(plan_reset(settings.kafka, group, target, topics=topics))
    if not json_output:
        render.console().print(render.reset_table(group, changes))
    confirm(f"Commit these offsets for group {group!r}?", yes=yes)
    committed = run(apply_reset(settings.kafka, group, changes))
    if json_output:
        after = {(tp.topic, tp.partition): offset for tp, offset in committed.items()}
        echo_json([{**asdict(c), "committed": after.get((c.topic, c.partition))} for c in changes])
    else:
        render.console().print(render.reset_table(group, changes, committed))
