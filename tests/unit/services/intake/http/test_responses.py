"""Batch answers are rendered by orjson, to the bytes Starlette's JSONResponse renders."""

from __future__ import annotations

import pytest
from fastapi.responses import JSONResponse
from hypothesis import given
from hypothesis import strategies as st

from services.intake.http.app import FastJSONResponse, _batch_response
from services.intake.submission import FieldError, ItemResult, ItemStatus


def results() -> list[ItemResult]:
    return [
        ItemResult(index=0, status=ItemStatus.ACCEPTED, http_status=202, event_id="e-1",
                   event_type="incident.reported",
                   redacted={"data.description": {"phone": 1, "email": 2}}),
        ItemResult(index=1, status=ItemStatus.REJECTED, http_status=422, code="validation_failed",
                   message="the event breaks the contract \u00e9\u2028\x00\x7f\"\\",
                   errors=(FieldError("data.x", "Field required \U0001f600", "missing"),)),
        ItemResult(index=2, status=ItemStatus.UNAVAILABLE, http_status=503, event_id="e-3",
                   event_type="audit.completed", code="kafka_unavailable", message="retry"),
    ]  # fmt: skip


def test_a_batch_answer_is_the_bytes_starlette_renders() -> None:
    answer = _batch_response(results())
    content = {"summary": {"accepted": 1, "duplicate": 0, "rejected": 1, "unavailable": 1},
               "items": [result.as_json() for result in results()]}  # fmt: skip
    assert answer.body == JSONResponse(content).body
    assert answer.headers["retry-after"] == "5"


@given(st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
))  # fmt: skip
def test_any_answer_without_floats_renders_as_starlette_renders_it(content: object) -> None:
    assert FastJSONResponse(content).body == JSONResponse(content).body


@pytest.mark.parametrize("content", [{1: "integer key"}, {"big": 2**70}])
def test_what_orjson_refuses_is_rendered_as_before(content: object) -> None:
    assert FastJSONResponse(content).body == JSONResponse(content).body


def test_what_neither_renders_fails_as_before() -> None:
    with pytest.raises(UnicodeEncodeError):
        JSONResponse({"a": "\ud800"})
    with pytest.raises(UnicodeEncodeError):
        FastJSONResponse({"a": "\ud800"})
