"""Managers' HTTP API on the learning service: change improvement actions, record obligations
as met. Authenticated with the intake's API keys (same provider/site scoping)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from structlog.contextvars import bound_contextvars

from services.intake.domain.api_keys import ApiKey, KeyRole
from services.learning.actions_service import (
    ActionChange,
    ActionsService,
    ConflictError,
    NotFoundError,
)
from shared.events.derived import ActionChangeKind
from shared.events.types import PseudonymousRef

router = APIRouter(prefix="/v1", tags=["actions"])


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Assign(_Body):
    owner_role: str = Field(min_length=1, max_length=100, examples=["registered_manager"])
    owner_ref: PseudonymousRef | None = None
    at: AwareDatetime | None = None


class Note(_Body):
    note: str = Field(min_length=1, max_length=2000, description="Free text: never logged.")
    at: AwareDatetime | None = None


class Completion(_Body):
    note: str | None = Field(default=None, max_length=2000)
    at: AwareDatetime | None = Field(default=None, description="When it was done (default now).")


class ObligationMetBody(_Body):
    met_at: AwareDatetime | None = None
    reference: str | None = Field(default=None, max_length=200, examples=["CQC-NOT-2025-0042"])


async def caller(request: Request, x_api_key: Annotated[str | None, Header()] = None) -> ApiKey:
    """The authenticated key; 401 when missing, unknown or revoked."""
    if not x_api_key:
        raise HTTPException(401, "send your API key in the X-API-Key header")
    key: ApiKey | None = await request.app.state.runtime.keys.authenticate(x_api_key)
    if key is None:
        raise HTTPException(401, "unknown or revoked API key")
    return key


Caller = Annotated[ApiKey, Depends(caller)]


def _service(request: Request) -> ActionsService:
    service: ActionsService = request.app.state.runtime.actions
    return service


@contextmanager
def _calling_service(request: Request, key: ApiKey) -> Iterator[None]:
    """The service's refusals as HTTP answers: unknown (or not yours) 404, wrong state 409.

    Lines logged inside carry the caller's key id and the request's correlation id (its
    ``X-Correlation-Id`` header, as on intake, else a new one)."""
    correlation_id = request.headers.get("x-correlation-id") or uuid.uuid4().hex
    try:
        with bound_contextvars(correlation_id=correlation_id, key_id=key.key_id):
            yield
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    except ConflictError as exc:
        raise HTTPException(409, str(exc)) from exc


async def _change(request: Request, key: ApiKey, action_id: str, change: ActionChange) -> Any:
    with _calling_service(request, key):
        result = await _service(request).change_action(
            action_id, change, provider_id=key.provider_id, sites=key.sites
        )
    request.app.state.runtime.relay.notify()
    return result


@router.get("/actions/{action_id}", summary="One improvement action")
async def get_action(request: Request, key: Caller, action_id: str) -> Any:
    with _calling_service(request, key):
        return await _service(request).action(
            action_id, provider_id=key.provider_id, sites=key.sites
        )


@router.post("/actions/{action_id}/assign", summary="Assign an owner")
async def assign(request: Request, key: Caller, action_id: str, body: Assign) -> Any:
    change = ActionChange(
        ActionChangeKind.ASSIGNED, at=body.at, owner_role=body.owner_role, owner_ref=body.owner_ref
    )
    return await _change(request, key, action_id, change)


@router.post("/actions/{action_id}/progress", summary="Add a progress note")
async def progress(request: Request, key: Caller, action_id: str, body: Note) -> Any:
    change = ActionChange(ActionChangeKind.PROGRESS_NOTE, at=body.at, note=body.note)
    return await _change(request, key, action_id, change)


@router.post("/actions/{action_id}/evidence", summary="Add evidence")
async def evidence(request: Request, key: Caller, action_id: str, body: Note) -> Any:
    change = ActionChange(ActionChangeKind.EVIDENCE_ADDED, at=body.at, note=body.note)
    return await _change(request, key, action_id, change)


@router.post("/actions/{action_id}/complete", summary="Mark done (effect is reviewed later)")
async def complete(request: Request, key: Caller, action_id: str, body: Completion) -> Any:
    change = ActionChange(ActionChangeKind.COMPLETED, at=body.at, note=body.note)
    return await _change(request, key, action_id, change)


@router.post("/actions/{action_id}/close", summary="Close the action")
async def close(request: Request, key: Caller, action_id: str, body: Completion) -> Any:
    change = ActionChange(ActionChangeKind.CLOSED, at=body.at, note=body.note)
    return await _change(request, key, action_id, change)


@router.post(
    "/obligations/{obligation_id}/met",
    tags=["obligations"],
    summary="Record that the required action was taken (e.g. CQC notified)",
)
async def obligation_met(
    request: Request, key: Caller, obligation_id: str, body: ObligationMetBody
) -> Any:
    with _calling_service(request, key):
        result = await _service(request).obligation_met(
            obligation_id,
            met_at=body.met_at or datetime.now(UTC),
            reference=body.reference,
            provider_id=key.provider_id,
            sites=key.sites,
        )
    request.app.state.runtime.relay.notify()
    return result


@router.post(
    "/governance/review",
    tags=["governance"],
    summary="Run the governance clock now (overdue checks, effectiveness reviews)",
)
async def review_now(request: Request, key: Caller) -> dict[str, int]:
    if key.role is not KeyRole.ADMIN:
        raise HTTPException(403, "only admin keys may run the governance clock")
    with _calling_service(request, key):
        queued = await request.app.state.runtime.clock.tick(datetime.now(UTC))
    request.app.state.runtime.relay.notify()
    return {"events_queued": queued}
