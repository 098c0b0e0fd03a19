"""The reporting process: the projection's consumer group plus the JSON API over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from services.intake.adapters.key_store import KeyStore
from services.learning.domain.rulebook import load_rulebook
from services.reporting.adapters import state
from services.reporting.adapters.lag import LagProbe
from services.reporting.adapters.sites_file import read_sites_file, replace_sites
from services.reporting.api import evidence, governance, lists, ops
from services.reporting.api.errors import install_error_handlers
from services.reporting.board_pack import routes as board_pack
from services.reporting.dashboard import routes as dashboard
from services.reporting.dashboard.rendering import STATIC_PATH
from services.reporting.projection import Projection, parse_record
from services.reporting.runtime import Clock, ReportingRuntime, reported_topics, utc_now
from services.reporting.settings import ReportingSettings
from shared.consuming import BatchConsumer
from shared.database import create_engine
from shared.migrate import upgrade
from shared.settings import DatabaseSettings
from shared.tracing import TracingMiddleware


async def prepare(settings: ReportingSettings, engine: AsyncEngine) -> None:
    """Migrate, and load the sites file when one is configured (replacing earlier sizes)."""
    await upgrade(engine, ("shared", "reporting"))
    if settings.reporting.sites_file is not None:
        await replace_sites(engine, read_sites_file(settings.reporting.sites_file))


@asynccontextmanager
async def running(
    settings: ReportingSettings, *, clock: Clock = utc_now
) -> AsyncIterator[ReportingRuntime]:
    """Validate configuration, migrate, then project events until the block exits.

    The consumer group is the one recorded by the last rebuild, else ``reporting.group_id``.
    """
    options = settings.reporting
    rulebook = load_rulebook(options.rules_dir)  # fail fast on bad rule files
    if options.sites_file is not None:
        read_sites_file(options.sites_file)  # ... and on a bad sites file
    engine = create_engine(settings.database)
    keys_engine = create_engine(DatabaseSettings(url=options.keys_database_url))
    await prepare(settings, engine)
    async with engine.connect() as connection:
        group_id = await state.active_group(connection) or options.group_id
    projection = Projection(engine)
    topics = reported_topics(settings.kafka)
    consumer = BatchConsumer(
        settings.kafka,
        group_id=group_id,
        topics=topics,
        parse=parse_record,
        handle=projection.handle,
        max_records=options.max_batch,
    )
    probe = LagProbe(settings.kafka, topics)
    await probe.start()
    await consumer.start()
    task = asyncio.create_task(consumer.run())
    try:
        yield ReportingRuntime(
            settings=settings, engine=engine,
            keys=KeyStore(keys_engine, cache_seconds=options.key_cache_seconds),
            rulebook=rulebook, consumer=consumer, projection=projection, probe=probe,
            group_id=group_id, clock=clock,
        )  # fmt: skip
    finally:
        await consumer.stop()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        await probe.stop()
        await engine.dispose()
        await keys_engine.dispose()


def create_app(settings: ReportingSettings | None = None, *, clock: Clock = utc_now) -> FastAPI:
    """The reporting HTTP app whose lifespan runs the projection."""
    settings = settings or ReportingSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running(settings, clock=clock) as runtime:
            app.state.runtime = runtime
            yield

    app = FastAPI(
        title="LearnLoop reporting",
        version="1",
        summary="Governance metrics from incidents, complaints, audits, feedback and learning.",
        description=governance.API_DESCRIPTION,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(TracingMiddleware)  # does nothing unless tracing is on
    for module in (ops, governance, lists, evidence):
        app.include_router(module.router)
    app.include_router(board_pack.router)
    app.include_router(dashboard.router)
    app.mount(STATIC_PATH, dashboard.static_files(), name="dashboard-static")
    return app
