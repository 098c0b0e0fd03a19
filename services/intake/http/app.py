"""The intake HTTP application: routes are thin; the work happens in services.intake.submission."""

from __future__ import annotations

import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.intake.adapters.accepted_events import AcceptedEvents
from services.intake.adapters.key_store import KeyStore
from services.intake.adapters.publisher import EventPublisher
from services.intake.domain.api_keys import ApiKey
from services.intake.domain.rate_limit import RateLimiter
from services.intake.http.bodies import BodyError, parse_batch, parse_json, read_body
from services.intake.http.metrics import IntakeMetrics, create_metrics
from services.intake.http.openapi import batch_openapi, event_openapi, install_event_schemas
from services.intake.settings import IntakeSettings
from services.intake.submission import (
    Intake,
    ItemResult,
    ItemStatus,
    event_id_for_idempotency_key,
    parse_item,
)
from shared.database import create_engine
from shared.logging import bound_event, get_logger
from shared.migrate import upgrade
from shared.tracing import TracingMiddleware

log = get_logger(__name__)
RETRY_AFTER_UNAVAILABLE = "5"
BATCH_PATH = "/v1/events:batch"
SINGLE_ROUTES = {
    "incidents": "incident.reported",
    "complaints": "complaint.received",
    "complaint-outcomes": "complaint.resolved",
    "audits": "audit.completed",
    "feedback": "feedback.received",
}


@dataclass
class IntakeState:
    """What the routes need, built once at start-up."""

    settings: IntakeSettings
    keys: KeyStore
    intake: Intake
    publisher: EventPublisher
    limiter: RateLimiter
    metrics: IntakeMetrics


class FastJSONResponse(JSONResponse):
    """A JSONResponse rendered by orjson: the same bytes as Starlette's compact ``json.dumps``
    for what the intake answers (strings, small integers, lists and dicts), about 3x faster on
    a batch answer. Anything orjson refuses (integer keys, integers beyond 64 bits) is rendered
    as before."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:  # orjson.JSONEncodeError is a TypeError
            return super().render(content)


def error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    """The one error shape of the API: {"error": {"code", "message", ...}}."""
    headers = {"Retry-After": str(extra.pop("retry_after"))} if "retry_after" in extra else None
    if status == 401:
        headers = {"WWW-Authenticate": 'ApiKey header="X-API-Key"'}
    return JSONResponse(
        {"error": {"code": code, "message": message, **extra}}, status_code=status, headers=headers
    )


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    """Build the intake app; resources are opened in the lifespan."""
    settings = settings or IntakeSettings()
    metrics = create_metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database)
        await upgrade(engine, ("shared", "intake"))
        publisher = EventPublisher(settings.kafka, timeout_ms=settings.intake.publish_timeout_ms)
        await publisher.start()
        accepted = AcceptedEvents(engine)
        app.state.intake = IntakeState(
            settings=settings,
            keys=KeyStore(engine, cache_seconds=settings.intake.key_cache_seconds),
            intake=Intake(
                publisher=publisher,
                accepted=accepted,
                kafka=settings.kafka,
                redaction=settings.intake.redaction,
            ),
            publisher=publisher,
            limiter=RateLimiter(
                rate=settings.intake.rate_limit_per_second, burst=settings.intake.rate_limit_burst
            ),
            metrics=metrics,
        )
        try:
            yield
        finally:
            await publisher.stop()
            await accepted.close()
            await engine.dispose()

    app = FastAPI(
        title="LearnLoop intake",
        version="1",
        summary="The front door for incidents, complaints, audits and feedback.",
        description=DESCRIPTION,
        lifespan=lifespan,
    )

    # Middleware added first runs innermost: the event endpoints' requests (routes filled in
    # below, once declared) still pass the request metrics and tracing.
    event_routes: dict[str, EventRoute] = {}
    app.add_middleware(EventEndpoints, routes=event_routes)
    app.add_middleware(RequestMetrics, metrics=metrics)
    app.add_middleware(TracingMiddleware)  # outermost; does nothing unless tracing is on

    @app.exception_handler(DBAPIError)
    @app.exception_handler(OSError)
    @app.exception_handler(PoolTimeoutError)  # every pooled connection busy for pool_timeout
    async def on_database_error(_request: Request, exc: Exception) -> JSONResponse:
        return database_unavailable(exc)

    @app.get("/healthz", tags=["operations"], summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="Kafka is reachable")
    async def readyz(request: Request) -> JSONResponse:
        state: IntakeState = request.app.state.intake
        ready = await state.publisher.is_ready()
        metrics.kafka_connected.set(1 if state.publisher.connected else 0)
        if ready:
            return JSONResponse({"status": "ready", "kafka": "reachable"})
        return JSONResponse(
            {"status": "not_ready", "kafka": "unreachable"},
            status_code=503,
            headers={"Retry-After": RETRY_AFTER_UNAVAILABLE},
        )

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    async def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    for name, event_type in SINGLE_ROUTES.items():
        _add_single_route(app, name, event_type)

    @app.post(
        BATCH_PATH,
        tags=["events"],
        summary="Submit many events of mixed types (JSON array or NDJSON)",
        openapi_extra=batch_openapi(settings.intake.max_batch_items),
        responses={200: {"description": "One result per item, in order"}},
    )
    async def submit_batch(request: Request) -> Response:
        return await _handle(request, event_type=None)

    from services.intake.http import form  # the staff concern form (HTML pages)

    app.include_router(form.router)
    install_event_schemas(app)
    event_routes.update(_event_routes(app))
    return app


def database_unavailable(exc: Exception) -> JSONResponse:
    """The answer when the intake's own database (API keys, accepted events) is down: nothing
    was accepted."""
    log.warning("database unavailable", error=type(exc).__name__)
    return error(
        503, "database_unavailable", "not accepted: retry with the same id",
        retry_after=RETRY_AFTER_UNAVAILABLE,
    )  # fmt: skip


DATABASE_ERRORS = (DBAPIError, OSError, PoolTimeoutError)


def _add_single_route(app: FastAPI, name: str, event_type: str) -> None:
    async def submit_one(request: Request) -> Response:
        return await _handle(request, event_type=event_type)

    app.post(
        f"/v1/{name}",  # as EventEndpoints finds it
        tags=["events"],
        summary=f"Submit one {event_type} event",
        name=f"submit_{name}",
        openapi_extra=event_openapi(event_type),
        status_code=202,
        responses={
            202: {"description": "Kafka acknowledged the event (or it was accepted before)"},
            400: {"description": "Malformed JSON"},
            401: {"description": "Missing or unknown API key"},
            403: {"description": "The key may not submit for this provider or site"},
            409: {"description": "The event id was already used for a different event"},
            413: {"description": "Body too large"},
            422: {"description": "The event breaks the contract; errors name the fields"},
            429: {"description": "Rate limit exceeded; see Retry-After"},
            503: {"description": "Kafka unavailable: not accepted, retry with the same id"},
        },
    )(submit_one)


EventRoute = tuple[str | None, APIRoute]  # the event type a route accepts (None: any), the route


def _event_routes(app: FastAPI) -> dict[str, EventRoute]:
    """The POST routes that take events, by path (the single-event routes and the batch)."""
    event_types: dict[str, str | None] = {
        **{f"/v1/{name}": event_type for name, event_type in SINGLE_ROUTES.items()},
        BATCH_PATH: None,
    }
    return {
        route.path: (event_types[route.path], route)
        for route in app.routes
        if isinstance(route, APIRoute) and route.path in event_types and route.methods == {"POST"}
    }


class EventEndpoints:
    """Hands POSTs to the event endpoints straight to their handler (plain ASGI).

    FastAPI still declares and documents these routes; only their requests skip its routing,
    dependency solving and exception middleware, about a fifth of a single event's own CPU.
    Database errors are answered as FastAPI's exception handler answers them (503).
    """

    def __init__(self, app: ASGIApp, routes: dict[str, EventRoute]) -> None:
        self._app = app
        self._routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        target = self._routes.get(scope["path"]) if scope["type"] == "http" else None
        if target is None or scope["method"] != "POST":
            await self._app(scope, receive, send)
            return
        event_type, route = target
        scope["route"] = route  # as routing sets it: the request metrics label by route
        try:
            response = await _handle(Request(scope, receive), event_type=event_type)
        except DATABASE_ERRORS as exc:
            response = database_unavailable(exc)
        await response(scope, receive, send)


class RequestMetrics:
    """Counts requests and their latency by route and status (plain ASGI: no task per request,
    unlike ``@app.middleware``, which costs more than the rest of a single-event request)."""

    def __init__(self, app: ASGIApp, metrics: IntakeMetrics) -> None:
        self._app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless a response starts: an unhandled error becomes a 500

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, send_and_note_status)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            self._metrics.requests.labels(path, str(status)).inc()
            self._metrics.latency.labels(path).observe(time.perf_counter() - started)


async def _authenticate(request: Request, state: IntakeState) -> ApiKey | JSONResponse:
    header = request.headers.get("x-api-key")
    authorization = request.headers.get("authorization", "")
    if header is None and authorization.lower().startswith("bearer "):
        header = authorization[7:].strip()
    if not header:
        return error(401, "unauthenticated", "send your API key in the X-API-Key header")
    key = await state.keys.authenticate(header)
    if key is None:
        return error(401, "unauthenticated", "unknown or revoked API key")
    wait = state.limiter.retry_after(key.key_id, time.monotonic())
    if wait > 0:
        return error(
            429,
            "rate_limited",
            "too many requests for this API key",
            retry_after=max(1, round(wait)),
        )
    return key


async def _handle(request: Request, *, event_type: str | None) -> Response:
    state: IntakeState = request.app.state.intake
    key = await _authenticate(request, state)
    if isinstance(key, JSONResponse):
        return key
    limits = state.settings.intake
    try:
        body = await read_body(request, limits.max_body_bytes)
        if event_type is not None:
            raws = [parse_json(body)]
        else:
            raws = parse_batch(body, request.headers.get("content-type", ""))
    except BodyError as exc:
        return error(exc.status, exc.code, exc.message)
    if event_type is None and len(raws) > limits.max_batch_items:
        return error(
            413, "batch_too_large", f"a batch holds at most {limits.max_batch_items} events"
        )
    if event_type is None and not raws:
        return error(400, "empty_batch", "the batch holds no events")

    idempotency_key = request.headers.get("idempotency-key")
    default_id = (
        event_id_for_idempotency_key(key.provider_id, idempotency_key)
        if idempotency_key and event_type is not None
        else None
    )
    items = [
        parse_item(index, raw, expected_type=event_type, default_id=default_id)
        for index, raw in enumerate(raws)
    ]
    correlation_id = request.headers.get("x-correlation-id") or uuid.uuid4().hex
    with bound_event(event_id=default_id or "-", correlation_id=correlation_id, key_id=key.key_id):
        results = await state.intake.submit(items, key)
        _count(state.metrics, results)
        _log_outcomes(results)
    if event_type is not None:
        return _single_response(results[0])
    return _batch_response(results)


def _count(metrics: IntakeMetrics, results: list[ItemResult]) -> None:
    # Added up first: one labelled increment per (type, outcome), not one per event.
    events: dict[tuple[str, ItemStatus], int] = {}
    redactions: Counter[str] = Counter()
    for result in results:
        key = (result.event_type or "unknown", result.status)
        events[key] = events.get(key, 0) + 1
        if result.redacted:
            for kinds in result.redacted.values():
                redactions.update(kinds)
    for (event_type, outcome), count in events.items():
        metrics.events.labels(event_type, outcome.value).inc(count)
    unavailable = sum(n for (_, outcome), n in events.items() if outcome is ItemStatus.UNAVAILABLE)
    if unavailable:
        metrics.publish_failures.inc(unavailable)
    for kind, count in redactions.items():
        metrics.redactions.labels(kind).inc(count)


def _log_outcomes(results: list[ItemResult]) -> None:
    """Ids, types and outcomes only, never an event's free text.

    One line per event for a single event; for a batch one line per outcome listing the event
    ids, so every event can still be found by its id at a fraction of the cost.
    """
    if len(results) == 1:
        [result] = results
        log.info(
            "event " + result.status.value,
            event_id=result.event_id,
            event_type=result.event_type,
            code=result.code,
        )
        return
    by_status: defaultdict[ItemStatus, list[ItemResult]] = defaultdict(list)
    for result in results:
        by_status[result.status].append(result)
    for status, group in by_status.items():
        log.info(
            "events " + status.value,
            count=len(group),
            event_ids=[r.event_id for r in group if r.event_id is not None],
            codes=dict(Counter(r.code for r in group if r.code is not None)),
        )


def _single_response(result: ItemResult) -> JSONResponse:
    if result.status in (ItemStatus.ACCEPTED, ItemStatus.DUPLICATE):
        body = result.as_json()
        body.pop("index")
        return JSONResponse(body, status_code=202)
    extra: dict[str, Any] = {}
    if result.errors:
        extra["fields"] = [e.__dict__ for e in result.errors]
    if result.status is ItemStatus.UNAVAILABLE:
        extra["retry_after"] = RETRY_AFTER_UNAVAILABLE
        extra["id"] = result.event_id
    return error(result.http_status, result.code or "rejected", result.message or "", **extra)


def _batch_response(results: list[ItemResult]) -> JSONResponse:
    by_status = dict.fromkeys(ItemStatus, 0)
    for result in results:
        by_status[result.status] += 1
    counts = {status.value: n for status, n in by_status.items()}
    headers = None
    if counts[ItemStatus.UNAVAILABLE.value]:
        headers = {"Retry-After": RETRY_AFTER_UNAVAILABLE}
    return FastJSONResponse(
        {"summary": counts, "items": [result.as_json() for result in results]},
        status_code=200,
        headers=headers,
    )


DESCRIPTION = """
Staff apps and other systems hand incidents, complaints, audits and feedback to LearnLoop here.

**Authentication**: every request carries an API key in `X-API-Key` (or `Authorization: Bearer`).
A key belongs to one provider and optionally to a set of sites; it may only submit events for them.

**Acknowledgement**: `202` means Kafka acknowledged the event on all in-sync replicas. `503` means
it was not acknowledged: retry with the same event id (a retry never creates a second event).

**Idempotency**: a retry must not create a second event. Either send the same `id` in the event,
or send an `Idempotency-Key` header (single-event endpoints): its event id is derived from the
provider and the key, so every retry carries the same id. An id seen before with the same content
is answered `202` with `"status": "duplicate"` and not published again; an id reused for different
content is refused with `409`. Downstream services also ignore an event id they have processed, so
even a retry racing a lost acknowledgement yields one event.

**Errors**: `{"error": {"code", "message", "fields": [{"path", "message", "type"}]}}`; `fields`
name the offending attributes as dotted paths such as `data.physical_harm`.

**Personal data**: people are pseudonymous references; obvious direct identifiers in free text
(NHS numbers, UK phone numbers, emails, postcodes) are masked before publishing; the answer says
which.
"""
