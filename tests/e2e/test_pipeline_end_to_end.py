"""The three services as separate processes on the real broker and PostgreSQL: a generated month
goes in through the intake API; the reporting API's numbers match the generator's ground truth
and what the learning service derived."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from learnloop.demo import consumer_lag
from learnloop.generator import GroundTruth, ScenarioConfig, generate
from learnloop.processes import ServiceProcess, free_port
from services.intake.adapters.key_store import KeyStore
from services.intake.domain.api_keys import KeyRole
from services.learning.adapters.tables import event_themes, improvement_actions, obligations
from shared.database import create_engine
from shared.migrate import upgrade
from shared.provisioning import ensure_topics
from shared.settings import DatabaseSettings, KafkaSettings

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow]
MONTH = date(2026, 3, 1)


async def _key(url: str, provider: str) -> str:
    engine = create_engine(DatabaseSettings(url=url))
    try:
        await upgrade(engine, ("shared", "intake"))
        _, key = await KeyStore(engine).create(name="e2e", provider_id=provider, role=KeyRole.ADMIN)
    finally:
        await engine.dispose()
    return key


async def _learning_counts(url: str) -> dict[str, Any]:
    engine = create_engine(DatabaseSettings(url=url))
    try:
        async with engine.connect() as connection:
            theme_rows = await connection.execute(
                select(event_themes.c.theme_id, func.count()).group_by(event_themes.c.theme_id)
            )
            themes: dict[str, int] = {str(t): int(n) for t, n in theme_rows.all()}
            kind_rows = await connection.execute(
                select(obligations.c.kind, func.count()).group_by(obligations.c.kind)
            )
            kinds: dict[str, int] = {str(k): int(n) for k, n in kind_rows.all()}
            actions = await connection.scalar(select(func.count()).select_from(improvement_actions))
    finally:
        await engine.dispose()
    return {"themes": themes, "obligations": kinds, "actions": actions}


async def _wait_caught_up(kafka: KafkaSettings, groups: list[str], within_s: float = 240) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while loop.time() < deadline:
        lags = [await consumer_lag(kafka, group) for group in groups]
        if all(lag == 0 for lag in lags):
            await asyncio.sleep(2)  # derived events of the last batch may still be in flight
            if all([await consumer_lag(kafka, group) == 0 for group in groups]):
                return
        await asyncio.sleep(1)
    raise AssertionError(f"consumers did not catch up: {groups}")


async def test_generated_month_through_all_three_services(
    kafka_settings: KafkaSettings, postgres_url: str, tmp_path: Path
) -> None:
    await ensure_topics(kafka_settings)
    config = ScenarioConfig(seed=5, sites=8, regions=2, months=1, start=MONTH)
    key = await _key(postgres_url, config.provider_id)
    ports = {name: free_port() for name in ("intake", "learning", "reporting")}
    groups = {name: f"{name}-{uuid.uuid4().hex[:8]}" for name in ("learning", "reporting")}
    env = {
        "LEARNLOOP_KAFKA__BOOTSTRAP_SERVERS": kafka_settings.bootstrap_servers,
        "LEARNLOOP_KAFKA__TOPIC_PREFIX": kafka_settings.topic_prefix,
        "LEARNLOOP_DATABASE__URL": postgres_url,  # one database; each service its own tables
        "LEARNLOOP_LEARNING__KEYS_DATABASE_URL": postgres_url,
        "LEARNLOOP_REPORTING__KEYS_DATABASE_URL": postgres_url,
        "LEARNLOOP_LEARNING__GROUP_ID": groups["learning"],
        "LEARNLOOP_REPORTING__GROUP_ID": groups["reporting"],
        **{f"LEARNLOOP_{name.upper()}__PORT": str(port) for name, port in ports.items()},
    }
    processes = [ServiceProcess(n, env, tmp_path / f"{n}.log") for n in ports]
    truth = GroundTruth()
    events = list(generate(config, truth))
    try:
        for process, port in zip(processes, ports.values(), strict=True):
            process.start()
            await asyncio.to_thread(process.wait_healthy, port)
        async with httpx.AsyncClient(timeout=60) as client:
            for start in range(0, len(events), 500):
                body = b"\n".join(e.to_json_bytes() for e in events[start : start + 500])
                response = await client.post(
                    f"http://127.0.0.1:{ports['intake']}/v1/events:batch",
                    content=body,
                    headers={"X-API-Key": key, "Content-Type": "application/x-ndjson"},
                )
                assert response.status_code == 200
                assert response.json()["summary"]["accepted"] == len(events[start : start + 500])
            await _wait_caught_up(kafka_settings, [groups["learning"], groups["reporting"]])
            summary = (
                await client.get(
                    f"http://127.0.0.1:{ports['reporting']}/v1/governance/summary",
                    params={"granularity": "month", "from": "2026-02", "to": "2026-05"},
                    headers={"X-API-Key": key},
                )
            ).json()
            trends = (
                await client.get(
                    f"http://127.0.0.1:{ports['reporting']}/v1/themes/trends",
                    params={"granularity": "month", "from": "2026-02", "to": "2026-05"},
                    headers={"X-API-Key": key},
                )
            ).json()
    finally:
        for process in processes:
            process.stop()

    periods = summary["periods"]

    def total(block: str, field: str = "total") -> int:
        return sum(int(p[block][field]) for p in periods)

    def merged(block: str, field: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for period in periods:
            for name, value in period[block][field].items():
                counts[name] = counts.get(name, 0) + value
        return {name: value for name, value in counts.items() if value}

    # Reporting places facts in Europe/London months, the generator in UTC months: an incident
    # late on 31 March UTC is April in London (BST); one that occurred on 28 February and was
    # reported in March counts in February. So compare over the whole range.
    by_type = truth.events_by_type
    assert total("incidents") == by_type["incident.reported"]
    assert total("complaints") == by_type.get("complaint.received", 0)
    assert total("audits") == by_type["audit.completed"]
    assert total("feedback") == by_type["feedback.received"]
    assert merged("incidents", "by_category") == {
        k: v for k, v in truth.incidents_by_category.items() if v
    }
    assert merged("incidents", "by_physical_harm") == {
        k: v for k, v in truth.incidents_by_physical_harm.items() if v
    }
    derived = await _learning_counts(postgres_url)
    due_totals: dict[str, int] = {}
    for period in periods:
        for tally in period["obligations"]:
            due_totals[tally["kind"]] = due_totals.get(tally["kind"], 0) + tally["due"]
    # Obligations due (March to May covers every deadline of a March fact) = what learning flagged.
    assert {k: v for k, v in due_totals.items() if v} == derived["obligations"]
    # Statutory triggers agree with the generator's own reading of the same facts.
    assert derived["obligations"].get("safeguarding_referral", 0) >= len(
        truth.safeguarding_referrals
    )
    assert derived["obligations"].get("duty_of_candour", 0) >= len(truth.duty_of_candour_candidates)
    assert derived["obligations"].get("cqc_notification", 0) >= len(truth.cqc_notifiable)
    # Counts per theme: what the reporting API shows is what the learning service linked.
    shown = {theme["theme_id"]: theme["total"] for theme in trends["themes"] if theme["total"]}
    assert shown == derived["themes"]
    opened = sum(p["actions"]["opened"] for p in periods)
    assert opened == derived["actions"]
