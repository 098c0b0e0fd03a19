"""The learning service's HTTP app without its runtime: a database failure behind a manager's
change is a 503 that names the error's type only - the note never reaches a log line or a span."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from sqlalchemy.exc import OperationalError
from structlog.testing import capture_logs

from services.learning.app import create_app
from services.learning.settings import LearningSettings
from shared import tracing

SECRET = "Mrs Pemberton-Smythe"  # free text in a manager's note


class Keys:
    async def authenticate(self, _key: str) -> Any:
        return SimpleNamespace(provider_id="harbour-care", sites=None, key_id="key-1")


class LockedDatabase:
    """An ActionsService whose database refuses the change (SQLAlchemy puts the statement's
    parameters, here the note, into the error's message)."""

    async def change_action(self, action_id: str, change: Any, **_scope: Any) -> Any:
        raise OperationalError(
            "INSERT INTO action_notes (note) VALUES (?)", (change.note,), Exception("locked")
        )


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = tracing.new_tracer_provider("test", environ={})
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use_tracer_provider(provider)
    yield exporter
    tracing.use_tracer_provider(None)


async def test_a_database_failure_is_a_503_naming_only_the_error_type(
    spans: InMemorySpanExporter,
) -> None:
    app = create_app(LearningSettings())
    app.state.runtime = SimpleNamespace(
        keys=Keys(), actions=LockedDatabase(), relay=SimpleNamespace(notify=lambda: None)
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://learning") as client:
        with capture_logs() as lines:
            response = await client.post(
                "/v1/actions/act-1/progress", json={"note": SECRET}, headers={"X-API-Key": "k"}
            )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert SECRET not in response.text
    [logged] = [line for line in lines if line["event"] == "database unavailable"]
    assert logged["error"] == "OperationalError"
    assert SECRET not in repr(lines)
    [span] = spans.get_finished_spans()
    assert span.name == "POST /v1/actions/{action_id}/progress"
    assert span.status.status_code is StatusCode.ERROR
    assert span.events == ()  # no exception event with the message
    assert SECRET not in json.dumps(dict(span.attributes or {}))
