"""`learnloop demo`: a realistic multi-site provider through LearnLoop, end to end.

Starts intake, learning and reporting as separate processes on the embedded default (local Kafka,
SQLite files under .learnloop/demo), generates a provider, submits its events through the intake
API (and some straight to Kafka, as another system would), records action updates through the
learning API, then prints a governance summary and where to look.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import Progress

from learnloop.generator import GroundTruth, ScenarioConfig, generate, provider_for
from learnloop.processes import ServiceProcess
from services.intake.adapters.key_store import provision_admin_key
from shared.database import create_engine
from shared.events import AnyFactEvent
from shared.provisioning import ensure_topics
from shared.publishing import record_for
from shared.settings import DatabaseSettings, KafkaSettings

BATCH = 500
DIRECT_SHARE = 10  # every 10th batch goes straight to Kafka, as another system would


@dataclass
class DemoPlan:
    """Where the demo keeps its files and which ports its services use."""

    home: Path
    kafka: KafkaSettings
    ports: dict[str, int] = field(
        default_factory=lambda: {"intake": 8081, "learning": 8082, "reporting": 8083}
    )

    def database(self, service: str) -> str:
        return f"sqlite+aiosqlite:///{self.home / f'{service}.db'}"

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def env(self, service: str) -> dict[str, str]:
        keys_db = self.database("intake")
        return {
            "LEARNLOOP_KAFKA__BOOTSTRAP_SERVERS": self.kafka.bootstrap_servers,
            "LEARNLOOP_DATABASE__URL": self.database(service),
            "LEARNLOOP_LOG_LEVEL": "WARNING",
            f"LEARNLOOP_{service.upper()}__PORT": str(self.ports[service]),
            "LEARNLOOP_LEARNING__KEYS_DATABASE_URL": keys_db,
            "LEARNLOOP_REPORTING__KEYS_DATABASE_URL": keys_db,
            "LEARNLOOP_REPORTING__SITES_FILE": str(self.home / "sites.json"),
            "LEARNLOOP_INTAKE__RATE_LIMIT_PER_SECOND": "10000",
            "LEARNLOOP_INTAKE__RATE_LIMIT_BURST": "10000",
        }


async def demo_key(plan: DemoPlan, provider_id: str) -> str:
    """A fresh admin key for the demo provider (created on each run, shown once)."""
    return await provision_admin_key(plan.database("intake"), name="demo", provider_id=provider_id)


def write_sites(plan: DemoPlan, config: ScenarioConfig) -> None:
    """The site sizes reporting uses for rates (beds, care hours)."""
    provider = provider_for(config)
    sites = [
        {
            "site_id": site.site_id,
            "region": site.region_id,
            "kind": site.kind.value,
            "beds": site.beds,
            "occupied_beds": round(site.occupied_beds, 1),
            "care_hours_per_month": round(site.care_hours_per_month, 1),
        }
        for site in provider.sites
    ]
    (plan.home / "sites.json").write_text(json.dumps(sites, indent=2))


def batches(events: Iterator[AnyFactEvent], size: int) -> Iterator[list[AnyFactEvent]]:
    """Consecutive chunks of ``size`` events."""
    chunk: list[AnyFactEvent] = []
    for event in events:
        chunk.append(event)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def publish(
    plan: DemoPlan, key: str, config: ScenarioConfig, console: Console
) -> dict[str, int]:
    """Submit the generated events: through the intake API, and every 10th batch straight to
    Kafka. Returns counts by route and outcome."""
    from aiokafka import AIOKafkaProducer

    from shared.broker import client_options, producer_options

    truth = GroundTruth()
    counts = {"intake_accepted": 0, "intake_duplicate": 0, "intake_rejected": 0, "direct": 0}
    producer = AIOKafkaProducer(
        **client_options(plan.kafka, client_id="demo"), **producer_options(plan.kafka)
    )
    await producer.start()
    headers = {"X-API-Key": key, "Content-Type": "application/x-ndjson"}
    try:
        async with httpx.AsyncClient(base_url=plan.url("intake"), timeout=60) as client:
            with Progress(console=console, transient=False) as progress:
                task = progress.add_task("publishing events", total=None)
                for number, chunk in enumerate(batches(generate(config, truth), BATCH)):
                    if number % DIRECT_SHARE == DIRECT_SHARE - 1:
                        futures = []
                        for event in chunk:
                            record = record_for(event, plan.kafka)
                            futures.append(
                                await producer.send(
                                    record.topic, record.value, key=record.key,
                                    headers=[(k, v.encode()) for k, v in record.headers.items()],
                                )
                            )  # fmt: skip
                        await asyncio.gather(*futures)
                        counts["direct"] += len(chunk)
                    else:
                        body = b"\n".join(event.to_json_bytes() for event in chunk)
                        response = await client.post(
                            "/v1/events:batch", content=body, headers=headers
                        )
                        response.raise_for_status()
                        summary = response.json()["summary"]
                        counts["intake_accepted"] += summary["accepted"]
                        counts["intake_duplicate"] += summary["duplicate"]
                        counts["intake_rejected"] += summary["rejected"]
                    progress.update(task, advance=len(chunk))
    finally:
        await producer.stop()
    (plan.home / "ground-truth.json").write_text(json.dumps(truth.to_dict(), indent=2))
    counts["generated"] = truth.total_events
    return counts


def wait_until_caught_up(plan: DemoPlan, service: str, total: int, console: Console) -> None:
    """Poll the service's readiness and metrics until it has seen every event."""
    metric = {
        "learning": ("learnloop_learning_events_applied", "learnloop_learning_events_skipped"),
        "reporting": ("learnloop_reporting_events_projected",),
    }[service]
    with console.status(f"waiting for {service} to catch up"):
        for _ in range(1800):
            seen = _metric_sum(plan.url(service), metric)
            if seen is not None and seen >= total:
                return
            time.sleep(1)
    console.print(f"[yellow]{service} has not caught up yet; carrying on[/yellow]")


def _metric_sum(base: str, names: tuple[str, ...]) -> float | None:
    try:
        text = httpx.get(f"{base}/metrics", timeout=5).text
    except httpx.HTTPError:
        return None
    total = 0.0
    for line in text.splitlines():
        if line.startswith(names) and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def start_services(plan: DemoPlan, names: list[str], console: Console) -> list[ServiceProcess]:
    """Start each service process and wait until it is healthy."""
    started = []
    for name in names:
        service = ServiceProcess(name, plan.env(name), plan.home / f"{name}.log")
        service.start()
        started.append(service)
        service.wait_healthy(plan.ports[name])
        console.print(f"  {name:<10} {plan.url(name)}  (log: {service.log_file})")
    return started


async def prepare(plan: DemoPlan) -> None:
    """Topics exist before the services subscribe."""
    plan.home.mkdir(parents=True, exist_ok=True)
    await ensure_topics(plan.kafka)


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """The headline figures of a governance summary, for the terminal."""
    rows: list[tuple[str, str]] = []
    for key, value in summary.items():
        if isinstance(value, int | float | str):
            rows.append((key, str(value)))
    return rows


async def consumer_lag(kafka: KafkaSettings, group: str) -> int:
    """Messages ``group`` has not consumed yet over every topic it has committed on (the ops
    view, ``learnloop ops status``), or -1 while it has committed nothing."""
    from learnloop.ops.lag import group_lag

    (lag,) = await group_lag(kafka, [group])
    return lag.lag_messages if lag.partitions else -1


async def wait_for_group(kafka: KafkaSettings, group: str, console: Console) -> float:
    """Wait until ``group`` has no lag; returns the seconds it took."""
    started = time.monotonic()
    with console.status(f"waiting for {group} to catch up"):
        while time.monotonic() - started < 1800:
            if await consumer_lag(kafka, group) == 0:
                return time.monotonic() - started
            await asyncio.sleep(1)
    console.print(f"[yellow]{group} has not caught up yet; carrying on[/yellow]")
    return time.monotonic() - started


async def record_action_updates(plan: DemoPlan, key: str) -> dict[str, int]:
    """Managers at work, as the learning API records it: most statutory obligations are met on
    time and some late; about two thirds of the recurrence actions are assigned, worked on and
    completed (backdated to two to six weeks after opening); then the governance clock runs so
    completed actions are reviewed for effect. Deterministic: choices hash the ids."""
    from sqlalchemy import select

    from services.learning.adapters.tables import improvement_actions, obligations

    engine = create_engine(DatabaseSettings(url=plan.database("learning")))
    try:
        async with engine.connect() as connection:
            actions = (
                await connection.execute(
                    select(improvement_actions.c.action_id, improvement_actions.c.opened_at)
                    .where(
                        improvement_actions.c.state == "open",
                        improvement_actions.c.theme_id.is_not(None),
                    )
                    .order_by(improvement_actions.c.opened_at)
                )
            ).all()
            duties = (
                await connection.execute(
                    select(obligations.c.obligation_id, obligations.c.due_at).where(
                        obligations.c.state.in_(["open", "overdue"])
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    now = datetime.now(UTC)
    headers = {"X-API-Key": key}
    counts = {"obligations_met": 0, "met_late": 0, "actions_completed": 0}
    async with httpx.AsyncClient(base_url=plan.url("learning"), timeout=30) as client:
        for obligation_id, due_at in duties:
            due = due_at if due_at.tzinfo else due_at.replace(tzinfo=UTC)
            late = _chance(obligation_id) < 0.12
            met_at = due + timedelta(days=2) if late else due - timedelta(hours=6)
            if met_at > now:
                continue  # not yet: still open
            response = await client.post(
                f"/v1/obligations/{obligation_id}/met",
                json={"met_at": met_at.isoformat()},
                headers=headers,
            )
            if response.status_code == 200:
                counts["obligations_met"] += 1
                counts["met_late"] += late
        for action_id, opened_at in actions:
            opened = opened_at if opened_at.tzinfo else opened_at.replace(tzinfo=UTC)
            chance = _chance(action_id)
            completed = opened + timedelta(days=14 + int(chance * 28))
            if chance > 0.66 or completed > now:
                continue
            base = f"/v1/actions/{action_id}"
            await client.post(
                f"{base}/assign", json={"owner_role": "registered_manager"}, headers=headers
            )
            await client.post(
                f"{base}/progress", json={"note": "Huddles and care plan reviews held"},
                headers=headers,
            )  # fmt: skip
            response = await client.post(
                f"{base}/complete", json={"at": completed.isoformat()}, headers=headers
            )
            counts["actions_completed"] += response.status_code == 200
        await client.post("/v1/governance/review", headers=headers)
    return counts


def _chance(identifier: str) -> float:
    """A stable pseudo-random number in [0, 1) from an id."""
    digest = hashlib.sha256(identifier.encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32
