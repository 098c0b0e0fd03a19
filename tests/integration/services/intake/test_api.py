"""The intake HTTP API against the real broker: accepted events land once, keyed by site."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from services.intake.adapters.accepted_events import AcceptedEvent
from services.intake.submission import legacy_payload_hash
from shared.broker import topic_name
from shared.events import parse_fact_event
from shared.topics import COMPLAINTS, INCIDENTS
from tests.integration.services.intake.conftest import PROVIDER, IntakeHarness, read_topic
from tests.unit.shared.events.examples import (
    all_examples,
    as_json_dict,
    changed,
    complaint_received,
    fall_incident,
)

pytestmark = pytest.mark.kafka


def new_incident(**data: Any) -> dict[str, Any]:
    """The fall example with a fresh id and optional changes to its data."""
    body = as_json_dict(fall_incident())
    body["id"] = f"evt-{uuid.uuid4().hex}"
    body["data"].update(data)
    return body


async def test_accepted_incident_is_on_the_incident_topic_keyed_by_site(
    intake: IntakeHarness,
) -> None:
    body = new_incident()
    response = await intake.client.post("/v1/incidents", json=body, headers=intake.headers())
    assert response.status_code == 202, response.text
    assert response.json() == {"id": body["id"], "status": "accepted", "type": "incident.reported"}

    records = await read_topic(intake.kafka, topic_name(INCIDENTS, intake.kafka))
    assert len(records) == 1
    key, value, headers = records[0]
    assert key == b"rosewood-house"
    assert parse_fact_event(value).id == body["id"]
    assert headers["content-type"].startswith(b"application/cloudevents+json")


async def test_retries_with_an_idempotency_key_create_one_event(intake: IntakeHarness) -> None:
    body = as_json_dict(fall_incident())
    del body["id"]
    headers = intake.headers(**{"Idempotency-Key": "app-42/report-7"})
    first = await intake.client.post("/v1/incidents", json=body, headers=headers)
    second = await intake.client.post("/v1/incidents", json=body, headers=headers)
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    assert (first.json()["status"], second.json()["status"]) == ("accepted", "duplicate")
    records = await read_topic(intake.kafka, topic_name(INCIDENTS, intake.kafka))
    assert len(records) == 1


async def test_retry_with_the_same_event_id_creates_one_event(intake: IntakeHarness) -> None:
    body = new_incident()
    for _ in range(3):
        response = await intake.client.post("/v1/incidents", json=body, headers=intake.headers())
        assert response.status_code == 202
    records = await read_topic(intake.kafka, topic_name(INCIDENTS, intake.kafka))
    assert [parse_fact_event(value).id for _, value, _ in records] == [body["id"]]


async def test_concurrent_requests_and_their_concurrent_retries_publish_each_event_once(
    intake: IntakeHarness,
) -> None:
    bodies = [new_incident() for _ in range(20)]

    async def submit_all() -> list[str]:
        responses = await asyncio.gather(
            *(intake.client.post("/v1/incidents", json=b, headers=intake.headers()) for b in bodies)
        )
        assert {r.status_code for r in responses} == {202}
        return [r.json()["status"] for r in responses]

    assert await submit_all() == ["accepted"] * 20
    assert await submit_all() == ["duplicate"] * 20
    records = await read_topic(intake.kafka, topic_name(INCIDENTS, intake.kafka))
    assert sorted(parse_fact_event(value).id for _, value, _ in records) == sorted(
        b["id"] for b in bodies
    )


async def test_a_retry_of_an_event_fingerprinted_by_the_first_version_is_a_duplicate(
    intake: IntakeHarness,
) -> None:
    body = new_incident()
    event = parse_fact_event(body)
    accepted = intake.state.intake._accepted
    await accepted.record(
        [AcceptedEvent(PROVIDER, event.id, legacy_payload_hash(event), "t", 0, 0)]
    )  # as stored before fingerprints had versions
    response = await intake.client.post("/v1/incidents", json=body, headers=intake.headers())
    assert (response.status_code, response.json()["status"]) == (202, "duplicate")
    body["data"]["location_detail"] = "lounge"
    response = await intake.client.post("/v1/incidents", json=body, headers=intake.headers())
    assert response.status_code == 409
    assert await read_topic(intake.kafka, topic_name(INCIDENTS, intake.kafka)) == []


async def test_event_id_reused_for_a_different_event_is_a_conflict(intake: IntakeHarness) -> None:
    body = new_incident()
    await intake.client.post("/v1/incidents", json=body, headers=intake.headers())
    body["data"]["location_detail"] = "lounge"
    response = await intake.client.post("/v1/incidents", json=body, headers=intake.headers())
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "id_conflict"


async def test_invalid_event_gets_422_with_field_paths(intake: IntakeHarness) -> None:
    body = changed(fall_incident(), ("data", "physical_harm"), "catastrophic")
    body["data"]["people_involved"][0]["person_ref"] = "Mary Smith"
    response = await intake.client.post("/v1/incidents", json=body, headers=intake.headers())
    assert response.status_code == 422
    problem = response.json()["error"]
    assert problem["code"] == "validation_failed"
    paths = {field["path"] for field in problem["fields"]}
    assert paths == {"data.physical_harm", "data.people_involved.0.person_ref"}
    assert all(field["message"] for field in problem["fields"])


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"{not json", 400, "malformed_json"),
        (b"", 400, "empty_body"),
        (b"[]", 422, "invalid_event"),
    ],
)
async def test_unreadable_bodies_get_clear_4xx(
    intake: IntakeHarness, content: bytes, status: int, code: str
) -> None:
    response = await intake.client.post(
        "/v1/incidents",
        content=content,
        headers=intake.headers(**{"Content-Type": "application/json"}),
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


async def test_oversized_body_gets_413(intake: IntakeHarness) -> None:
    limit = intake.state.settings.intake.max_body_bytes
    response = await intake.client.post(
        "/v1/incidents", content=b" " * (limit + 1), headers=intake.headers()
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


async def test_complaint_on_the_incident_endpoint_is_refused(intake: IntakeHarness) -> None:
    body = as_json_dict(complaint_received())
    response = await intake.client.post("/v1/incidents", json=body, headers=intake.headers())
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "wrong_event_type"


@pytest.mark.parametrize(
    ("key_name", "status", "code"),
    [
        (None, 401, "unauthenticated"),
        ("bogus", 401, "unauthenticated"),
        ("other_provider_key", 403, "wrong_provider"),
        ("other_site_key", 403, "wrong_site"),
    ],
)
async def test_callers_submit_only_for_their_own_provider_and_sites(
    intake: IntakeHarness, key_name: str | None, status: int, code: str
) -> None:
    headers = {} if key_name is None else {"X-API-Key": getattr(intake, key_name, "ll_bogus")}
    response = await intake.client.post("/v1/incidents", json=new_incident(), headers=headers)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert await read_topic(intake.kafka, topic_name(INCIDENTS, intake.kafka)) == []


async def test_site_scoped_key_submits_for_its_own_site(intake: IntakeHarness) -> None:
    response = await intake.client.post(
        "/v1/incidents", json=new_incident(), headers=intake.headers(intake.site_key)
    )
    assert response.status_code == 202


async def test_revoked_key_is_refused(intake: IntakeHarness) -> None:
    assert await intake.state.keys.revoke(intake.other_provider_key_id)
    response = await intake.client.post(
        "/v1/incidents", json=new_incident(), headers=intake.headers(intake.other_provider_key)
    )
    assert response.status_code == 401


async def test_batch_answers_per_item_and_publishes_only_the_valid_ones(
    intake: IntakeHarness,
) -> None:
    valid = [as_json_dict(event) for event in all_examples()]
    for item in valid:
        item["id"] = f"evt-{uuid.uuid4().hex}"
    invalid = changed(fall_incident(), ("data", "category"), "alien_abduction")
    unknown = {**new_incident(), "type": "rota.published"}
    items: list[Any] = [valid[0], invalid, *valid[1:], unknown, "not an object"]
    response = await intake.client.post("/v1/events:batch", json=items, headers=intake.headers())
    assert response.status_code == 200
    result = response.json()
    assert result["summary"] == {
        "accepted": len(valid), "duplicate": 0, "rejected": 3, "unavailable": 0,
    }  # fmt: skip
    statuses = [item["status"] for item in result["items"]]
    assert statuses[1] == statuses[-2] == statuses[-1] == "rejected"
    assert result["items"][1]["errors"][0]["path"] == "data.category"
    assert result["items"][-2]["code"] == "unknown_event_type"
    assert [item["index"] for item in result["items"]] == list(range(len(items)))

    incidents = await read_topic(intake.kafka, topic_name(INCIDENTS, intake.kafka))
    complaints = await read_topic(intake.kafka, topic_name(COMPLAINTS, intake.kafka))
    expected_incidents = sum(1 for v in valid if v["type"] == "incident.reported")
    assert len(incidents) == expected_incidents
    assert len(complaints) == sum(1 for v in valid if v["type"].startswith("complaint."))


async def test_batch_accepts_ndjson(intake: IntakeHarness) -> None:
    lines = b"\n".join(json.dumps(new_incident()).encode() for _ in range(5))
    response = await intake.client.post(
        "/v1/events:batch",
        content=lines + b"\n",
        headers=intake.headers(**{"Content-Type": "application/x-ndjson"}),
    )
    assert response.status_code == 200
    assert response.json()["summary"]["accepted"] == 5


async def test_batch_over_the_maximum_is_refused(intake: IntakeHarness) -> None:
    limit = intake.state.settings.intake.max_batch_items
    items = [new_incident() for _ in range(limit + 1)]
    response = await intake.client.post("/v1/events:batch", json=items, headers=intake.headers())
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "batch_too_large"


async def test_identifiers_in_free_text_are_masked_before_publishing(
    intake: IntakeHarness,
) -> None:
    body = new_incident(
        description="Daughter rang from 07700 900123 and emailed jo@example.org about the fall."
    )
    response = await intake.client.post("/v1/incidents", json=body, headers=intake.headers())
    assert response.status_code == 202
    assert response.json()["redacted"] == {"data.description": {"email": 1, "phone": 1}}
    [(_, value, headers)] = await read_topic(intake.kafka, topic_name(INCIDENTS, intake.kafka))
    description = parse_fact_event(value).data.description  # type: ignore[union-attr]
    assert "07700" not in description
    assert "jo@example.org" not in description
    assert json.loads(headers["learnloop-redactions"]) == {
        "data.description": {"email": 1, "phone": 1}
    }


async def test_health_readiness_metrics_and_docs(intake: IntakeHarness) -> None:
    await intake.client.post("/v1/incidents", json=new_incident(), headers=intake.headers())
    assert (await intake.client.get("/healthz")).json() == {"status": "ok"}
    ready = await intake.client.get("/readyz")
    assert ready.status_code == 200
    metrics = (await intake.client.get("/metrics")).text
    assert (
        'learnloop_intake_events_total{outcome="accepted",type="incident.reported"} 1.0' in metrics
    )
    assert "learnloop_intake_request_seconds_bucket" in metrics
    openapi = (await intake.client.get("/openapi.json")).json()
    assert "IncidentReported" in openapi["components"]["schemas"]
    assert "/v1/events:batch" in openapi["paths"]
    assert (await intake.client.get("/docs")).status_code == 200


async def test_event_requests_are_counted_by_route_and_status(intake: IntakeHarness) -> None:
    # The event endpoints are dispatched past FastAPI's routing: the metrics still name them.
    await intake.client.post("/v1/incidents", json=new_incident(), headers=intake.headers())
    await intake.client.post("/v1/incidents", json={"nope": 1}, headers=intake.headers())
    await intake.client.post("/v1/events:batch", json=[new_incident()], headers=intake.headers())
    metrics = (await intake.client.get("/metrics")).text
    assert 'learnloop_intake_requests_total{route="/v1/incidents",status="202"} 1.0' in metrics
    assert 'learnloop_intake_requests_total{route="/v1/incidents",status="422"} 1.0' in metrics
    assert 'learnloop_intake_requests_total{route="/v1/events:batch",status="200"} 1.0' in metrics
    assert 'learnloop_intake_request_seconds_count{route="/v1/events:batch"} 1.0' in metrics


@pytest.mark.parametrize("failure", [OSError("refused"), PoolTimeoutError("pool exhausted")])
@pytest.mark.parametrize("path", ["/v1/incidents", "/v1/events:batch"])
async def test_a_database_failure_on_an_event_endpoint_is_a_503(
    intake: IntakeHarness, monkeypatch: pytest.MonkeyPatch, failure: Exception, path: str
) -> None:
    async def unavailable(*_args: object) -> None:
        raise failure

    monkeypatch.setattr(intake.state.intake._accepted, "find", unavailable)
    body = new_incident() if path == "/v1/incidents" else [new_incident()]
    response = await intake.client.post(path, json=body, headers=intake.headers())
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "database_unavailable"


async def test_other_methods_on_event_paths_are_left_to_fastapi(intake: IntakeHarness) -> None:
    response = await intake.client.get("/v1/incidents", headers=intake.headers())
    assert response.status_code == 405
