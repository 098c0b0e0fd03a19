"""What every `learnloop ops` command shares: settings, confirmation, errors, JSON output."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

import typer
from aiokafka.errors import KafkaError

from learnloop.ops.settings import OpsSettings
from shared.topics import all_topics

T = TypeVar("T")


def load_settings() -> OpsSettings:
    """LEARNLOOP_* settings plus LEARNLOOP_OPS__*."""
    return OpsSettings()


def fail(message: str) -> typer.Exit:
    """Print ``error: message`` on stderr; raise the returned Exit (code 1)."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run an operator coroutine; broker problems and refusals become a one-line error, exit 1."""
    try:
        return asyncio.run(coroutine)
    except (KafkaError, TimeoutError, ValueError, RuntimeError) as exc:
        raise fail(str(exc) or type(exc).__name__) from exc


def confirm(question: str, *, yes: bool) -> None:
    """Ask before a destructive step; without a terminal, only ``--yes`` lets it go ahead."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise fail("refusing without a terminal to confirm on: pass --yes")
    if not typer.confirm(question, default=False):
        raise fail("aborted")


def echo_json(value: Any) -> None:
    """Pretty JSON on stdout (dates and other objects as strings)."""
    typer.echo(json.dumps(value, indent=2, default=str))


def full_topic_name(settings: OpsSettings, name: str) -> str:
    """A registry name (``incidents.v1``) gets the deployment prefix; other names are kept."""
    registry = {topic.name for topic in all_topics()}
    return f"{settings.kafka.topic_prefix}.{name}" if name in registry else name
