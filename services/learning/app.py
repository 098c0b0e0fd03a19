"""The learning process: consumer group + outbox relay, with ops endpoints over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from services.intake.adapters.key_store import KeyStore
from services.learning import http_api
from services.learning.actions_service import ActionsService
from services.learning.domain.action_rules import load_action_rules
from services.learning.domain.rulebook import load_rulebook
from services.learning.governance_clock import GovernanceClock
from services.learning.pipeline import LearningPipeline
from services.learning.settings import LearningSettings
from shared.broker import topic_name
from shared.consuming import BatchConsumer, Incoming
from shared.database import create_engine
from shared.events import parse_fact_event
from shared.logging import get_logger
from shared.migrate import upgrade
from shared.outbox import OutboxRelay
from shared.settings import DatabaseSettings
from shared.topics import FACT_TOPICS
from shared.tracing import TracingMiddleware

log = get_logger(__name__)
RETRY_AFTER_UNAVAILABLE_S = 5


@dataclass
class LearningRuntime:
    """The running parts, for ops endpoints and tests."""

    consumer: BatchConsumer
    relay: OutboxRelay
    pipeline: LearningPipeline
    actions: ActionsService
    clock: GovernanceClock
    keys: KeyStore


@asynccontextmanager
async def running(settings: LearningSettings) -> AsyncIterator[LearningRuntime]:
    """Validate rules, migrate, then consume and relay until the block exits."""
    rulebook = load_rulebook(settings.learning.rules_dir)  # fail fast on bad rule files
    action_rules = load_action_rules(
        settings.learning.rules_dir / "actions.json" if settings.learning.rules_dir else None
    )
    engine = create_engine(settings.database)
    await upgrade(engine, ("shared", "learning"))
    provider_rules = {
        provider: (load_rulebook(folder), load_action_rules(folder / "actions.json"))
        for provider, folder in settings.learning.provider_rules_dirs.items()
    }  # every provider's rules are validated before anything is consumed
    pipeline = LearningPipeline(
        engine=engine, rulebook=rulebook, action_rules=action_rules, kafka=settings.kafka,
        provider_rules=provider_rules,
    )  # fmt: skip
    relay = OutboxRelay(engine, settings.kafka)

    async def handle(batch: Sequence[Incoming]) -> None:
        await pipeline.handle(batch)
        relay.notify()

    consumer = BatchConsumer(
        settings.kafka,
        group_id=settings.learning.group_id,
        topics=[topic_name(topic, settings.kafka) for topic in FACT_TOPICS],
        parse=lambda record: parse_fact_event(record.value),
        handle=handle,
        max_records=settings.learning.max_batch,
    )
    clock = GovernanceClock(engine, action_rules, settings.kafka)
    keys_engine = create_engine(DatabaseSettings(url=settings.learning.keys_database_url))
    await upgrade(keys_engine, ("shared", "intake"))
    await relay.start()
    await consumer.start()
    tasks = [
        asyncio.create_task(consumer.run()),
        asyncio.create_task(relay.run()),
        asyncio.create_task(clock.run(on_change=relay.notify)),
    ]
    try:
        yield LearningRuntime(
            consumer=consumer,
            relay=relay,
            pipeline=pipeline,
            actions=ActionsService(engine, settings.kafka),
            clock=clock,
            keys=KeyStore(keys_engine),
        )
    finally:
        await consumer.stop()
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await relay.stop()
        await engine.dispose()
        await keys_engine.dispose()


def create_app(settings: LearningSettings | None = None) -> FastAPI:
    """The ops HTTP app whose lifespan runs the consumer and the relay."""
    settings = settings or LearningSettings()
    registry = CollectorRegistry()
    applied = Gauge("learnloop_learning_events_applied", "Facts applied.", registry=registry)
    skipped = Gauge("learnloop_learning_events_skipped", "Duplicates skipped.", registry=registry)
    dead = Gauge("learnloop_learning_dead_letters", "Records dead-lettered.", registry=registry)
    retries = Gauge("learnloop_learning_batch_retries", "Batch retries.", registry=registry)
    pending = Gauge(
        "learnloop_learning_outbox_pending", "Derived events to publish.", registry=registry
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running(settings) as runtime:
            app.state.runtime = runtime
            yield

    app = FastAPI(title="LearnLoop learning", version="1", lifespan=lifespan)
    # A SERVER span per request, so managers' changes start (or continue) a trace; does nothing
    # unless tracing is on.
    app.add_middleware(TracingMiddleware)
    app.include_router(http_api.router)

    @app.exception_handler(DBAPIError)
    @app.exception_handler(OSError)
    @app.exception_handler(PoolTimeoutError)  # every pooled connection busy for pool_timeout
    async def database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
        # Answered here, with the error's type only: a database error's message holds the SQL
        # parameters (a manager's note), and an unhandled one would reach the server log's
        # traceback and the request span. The change's transaction was rolled back.
        log.warning("database unavailable", error=type(exc).__name__)
        return JSONResponse(
            {"detail": "the learning database is unavailable; nothing was changed, retry"},
            status_code=503, headers={"Retry-After": str(RETRY_AFTER_UNAVAILABLE_S)},
        )  # fmt: skip

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        runtime: LearningRuntime = app.state.runtime
        assignment = runtime.consumer.assignment()
        body = {"status": "ready" if assignment else "joining", "partitions": len(assignment)}
        return JSONResponse(body, status_code=200 if assignment else 503)

    @app.get("/metrics")
    async def metrics() -> Response:
        runtime: LearningRuntime = app.state.runtime
        applied.set(runtime.pipeline.applied)
        skipped.set(runtime.pipeline.skipped)
        dead.set(runtime.consumer.stats.dead_lettered)
        retries.set(runtime.consumer.stats.retries)
        pending.set(await runtime.relay.pending())
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app
