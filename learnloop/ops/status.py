"""The pipeline at a glance: consumer lag, dead letters waiting, and service health."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from typing import Any

from learnloop.ops.dead_letters import DeadLetterCount, count_dead_letters
from learnloop.ops.health import ServiceHealth, check_services
from learnloop.ops.lag import GroupLag, group_lag
from learnloop.ops.settings import OpsSettings


@dataclass(frozen=True)
class PipelineStatus:
    """Everything `ops status` shows and `ops exporter` exports.

    ``kafka_error`` is set (and lag and dead letters are empty) when the brokers did not answer.
    """

    groups: list[GroupLag]
    dead_letters: list[DeadLetterCount]
    services: list[ServiceHealth]
    kafka_error: str | None = None

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict (lists of plain dicts)."""
        return {
            "kafka_error": self.kafka_error,
            "groups": [
                {**asdict(g), "lag_messages": g.lag_messages, "lag_seconds": g.lag_seconds}
                for g in self.groups
            ],
            "dead_letters": [asdict(d) for d in self.dead_letters],
            "services": [{**asdict(s), "up": s.up} for s in self.services],
        }


async def collect_status(
    settings: OpsSettings, *, groups: list[str] | None = None
) -> PipelineStatus:
    """Ask the services, then the brokers; a broker outage is reported, not raised.

    Without explicit ``groups``, the configured groups are joined by any group a service names
    in its /readyz body: after `learnloop reporting rebuild` the reporting service consumes with
    a new group (``<group>-rebuild-...``) that no configuration knows in advance.
    """
    services = await check_services(settings.ops.services(), timeout_s=settings.ops.http_timeout_s)
    if groups is None:
        named = [s.group_id for s in services if s.group_id]
        groups = list(dict.fromkeys([*settings.ops.groups, *named]))
    kafka_timeout = settings.ops.fetch_timeout_s + settings.kafka.request_timeout_ms / 1000
    try:
        lag, dead = await asyncio.wait_for(_kafka_side(settings, groups), timeout=kafka_timeout)
        error = None
    except Exception as exc:  # the broker being down is exactly what status must show
        lag, dead, error = [], [], f"{type(exc).__name__}: {exc}"[:300]
    return PipelineStatus(groups=lag, dead_letters=dead, services=services, kafka_error=error)


async def _kafka_side(
    settings: OpsSettings, groups: list[str]
) -> tuple[list[GroupLag], list[DeadLetterCount]]:
    lag = await group_lag(settings.kafka, groups, fetch_timeout_s=settings.ops.fetch_timeout_s)
    return lag, await count_dead_letters(settings.kafka)
