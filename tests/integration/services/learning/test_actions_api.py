"""Managers change improvement actions over HTTP; every change, review, lesson and reporter
outcome is published; overdue obligations and actions are escalated."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

from services.intake.adapters.key_store import KeyStore
from services.intake.domain.api_keys import KeyRole
from services.learning.app import LearningRuntime, create_app
from services.learning.settings import LearningOptions, LearningSettings
from shared.database import create_engine
from shared.events.fact_time import fact_time
from shared.migrate import upgrade
from shared.provisioning import ensure_topics
from shared.settings import DatabaseSettings, KafkaSettings
from tests.integration.services.learning.test_learning_service import (
    derived_records,
    fresh,
    publish_events,
    wait_for,
)
from tests.unit.shared.events.examples import fall_incident, pressure_ulcer_incident

pytestmark = pytest.mark.kafka


async def make_keys(url: str) -> tuple[str, str]:
    engine = create_engine(DatabaseSettings(url=url))
    await upgrade(engine, ("shared", "intake"))
    store = KeyStore(engine)
    _, manager = await store.create(
        name="quality lead", provider_id="harbour-care", role=KeyRole.ADMIN
    )
    _, elsewhere = await store.create(
        name="elm manager", provider_id="harbour-care", role=KeyRole.STAFF_APP, sites=["elm-court"]
    )
    await engine.dispose()
    return manager, elsewhere


def after_the_first_tick(runtime: LearningRuntime) -> Callable[[], Awaitable[bool]]:
    """Whether the consumer holds its partitions. The governance clock ticks at start-up (a few
    queries on an empty database, done long before the group is joined) and then once a minute,
    so facts published from then on are escalated only by the tick the test runs itself."""

    async def joined() -> bool:
        return bool(runtime.consumer.assignment())

    return joined


async def test_action_lifecycle_review_lesson_and_outcomes(
    kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    await ensure_topics(kafka_settings)
    keys_url = f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}"
    manager, elsewhere = await make_keys(keys_url)
    falls = [fresh(fall_incident()) for _ in range(3)]
    ulcer = fresh(pressure_ulcer_incident())
    await publish_events(kafka_settings, [*falls, ulcer])
    settings = LearningSettings(
        kafka=kafka_settings,
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'learning.db'}"),
        learning=LearningOptions(
            group_id=f"learning-{uuid.uuid4().hex[:8]}", keys_database_url=keys_url
        ),
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        runtime: LearningRuntime = app.state.runtime

        async def applied() -> bool:
            return runtime.pipeline.applied == 4

        await wait_for(applied)
        derived = await _settled(runtime, kafka_settings)
        [opened] = [d for d in derived["action.opened"] if d["data"].get("theme_id") == "falls"]
        action_id = opened["data"]["action_id"]
        headers = {"X-API-Key": manager}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://learning") as client:
            denied = await client.get(f"/v1/actions/{action_id}", headers={"X-API-Key": elsewhere})
            assert denied.status_code == 404  # another site's key cannot see it
            assert (await client.get(f"/v1/actions/{action_id}")).status_code == 401

            third_fall = max(fact_time(f) for f in falls)
            done_at = (third_fall + timedelta(days=1)).isoformat()
            steps = [
                ("assign", {"owner_role": "registered_manager", "owner_ref": "ST-0031"}),
                ("progress", {"note": "Sensor mats ordered for two rooms"}),
                ("evidence", {"note": "Falls huddle minutes 2025-03-20"}),
                ("complete", {"at": done_at}),
            ]
            for verb, body in steps:
                response = await client.post(
                    f"/v1/actions/{action_id}/{verb}", json=body, headers=headers
                )
                assert response.status_code == 200, response.text
            assert response.json()["state"] == "completed"
            bad = await client.post(
                f"/v1/actions/{action_id}/assign", json={"owner_role": ""}, headers=headers
            )
            assert bad.status_code == 422

            # 60 days after completion with no further falls: verified effective.
            await runtime.clock.tick(datetime.now(UTC))
            runtime.relay.notify()
            state = (await client.get(f"/v1/actions/{action_id}", headers=headers)).json()
            assert state["state"] == "verified_effective"
            assert state["owner_role"] == "registered_manager"
            # Notes are ordered by when things happened; completion was backdated.
            assert [n["change"] for n in state["notes"]] == [
                "completed", "assigned", "progress_note", "evidence_added",
            ]  # fmt: skip
            assert state["notes"][3]["note"] == "Falls huddle minutes 2025-03-20"
            assert state["linked_event_ids"] == sorted(f.id for f in falls)
            after_review = await client.post(
                f"/v1/actions/{action_id}/progress", json={"note": "late"}, headers=headers
            )
            assert after_review.status_code == 409

            [obligation] = [
                d for d in derived["obligation.flagged"] if d["data"]["kind"] == "cqc_notification"
            ]
            met = await client.post(
                f"/v1/obligations/{obligation['data']['obligation_id']}/met",
                json={"met_at": "2025-02-20T09:00:00+00:00", "reference": "CQC-123"},
                headers=headers,
            )
            assert met.status_code == 200
            assert met.json()["on_time"] is True
        derived = await _settled(runtime, kafka_settings)

    updates = [d for d in derived["action.updated"] if d["data"]["action_id"] == action_id]
    assert [u["data"]["change"] for u in updates] == [
        "assigned", "progress_note", "evidence_added", "completed",
    ]  # fmt: skip
    [review] = [d for d in derived["action.reviewed"] if d["data"]["action_id"] == action_id]
    assert review["data"]["verdict"] == "verified_effective"
    assert (review["data"]["events_before"], review["data"]["events_after"]) == (3, 0)
    [lesson] = derived["lesson.shared"]
    assert lesson["data"]["action_id"] == action_id
    outcomes = {d["data"]["source_event_id"] for d in derived["outcome.published"]}
    assert outcomes == {f.id for f in falls}
    assert [d["data"]["on_time"] for d in derived["obligation.met"]] == [True]
    # The example facts are from 2025, so their deadlines have passed: escalated by the clock.
    assert any(d["data"]["reason"] == "overdue" for d in derived["action.escalated"])
    assert derived["obligation.overdue"]


async def _settled(runtime: LearningRuntime, kafka: KafkaSettings) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    async def relayed() -> bool:
        return await runtime.relay.pending() == 0

    await wait_for(relayed)
    return await derived_records(kafka)


async def test_changes_are_logged_by_ids_with_key_and_correlation_never_by_note(
    kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    await ensure_topics(kafka_settings)
    keys_url = f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}"
    manager, _ = await make_keys(keys_url)
    settings = LearningSettings(
        kafka=kafka_settings,
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'learning.db'}"),
        learning=LearningOptions(
            group_id=f"learning-{uuid.uuid4().hex[:8]}", keys_database_url=keys_url
        ),
    )
    secret = "Mrs Pemberton-Smythe"  # free text in a note: never logged
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        runtime: LearningRuntime = app.state.runtime
        await wait_for(after_the_first_tick(runtime))
        await publish_events(kafka_settings, [fresh(fall_incident()) for _ in range(3)])

        async def applied() -> bool:
            return runtime.pipeline.applied == 3

        await wait_for(applied)
        derived = await _settled(runtime, kafka_settings)
        [opened] = [d for d in derived["action.opened"] if d["data"].get("theme_id") == "falls"]
        action_id = opened["data"]["action_id"]
        headers = {"X-API-Key": manager, "X-Correlation-Id": "corr-42"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://learning") as client:
            with capture_logs(processors=[merge_contextvars]) as lines:
                noted = await client.post(
                    f"/v1/actions/{action_id}/progress", json={"note": secret}, headers=headers
                )
                review = await client.post("/v1/governance/review", headers={"X-API-Key": manager})
    assert noted.status_code == 200 and review.status_code == 200
    assert secret not in repr(lines)
    [changed] = [line for line in lines if line["event"] == "action changed"]
    assert changed["action_id"] == action_id and changed["change"] == "progress_note"
    assert changed["correlation_id"] == "corr-42" and changed["key_id"]
    [event_id] = changed["event_ids"]
    assert event_id.startswith(f"upd-{action_id}-progress_note-")
    # The example falls are from 2025: the review escalates the overdue action.
    [ticked] = [line for line in lines if line["event"] == "governance clock queued events"]
    assert ticked["events_queued"] == review.json()["events_queued"] > 0
    assert ticked["types"]["action.escalated"] >= 1
    assert ticked["key_id"] == changed["key_id"] and ticked["correlation_id"] != "corr-42"
