"""Operations: health, readiness (the consumer owns partitions) and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest
from sqlalchemy import func, select

from services.reporting.adapters.lists import obligation_state_is
from services.reporting.adapters.state import newest_event
from services.reporting.adapters.tables import obligations
from services.reporting.api.deps import RuntimeDep
from services.reporting.domain.obligations import ObligationState

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    """Always ok while the process serves."""
    return {"status": "ok"}


@router.get("/readyz", summary="The projection's consumer owns partitions")
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """503 until the consumer group assigned this member partitions."""
    assignment = runtime.consumer.assignment()
    body = {
        "status": "ready" if assignment else "joining",
        "partitions": len(assignment),
        "group_id": runtime.group_id,
    }
    return JSONResponse(body, status_code=200 if assignment else 503)


@router.get("/metrics", summary="Prometheus metrics")
async def metrics(runtime: RuntimeDep) -> Response:
    """Events projected, dead letters, lag per partition, projection freshness and obligations
    overdue now."""
    registry = CollectorRegistry()

    def gauge(name: str, text: str, *labels: str) -> Gauge:
        return Gauge(name, text, labels, registry=registry)

    gauge("learnloop_reporting_events_projected", "Events applied to the read models.").set(
        runtime.projection.projected
    )
    gauge("learnloop_reporting_events_skipped", "Duplicates skipped.").set(
        runtime.projection.skipped
    )
    gauge("learnloop_reporting_dead_letters", "Records dead-lettered.").set(
        runtime.consumer.stats.dead_lettered
    )
    gauge("learnloop_reporting_batch_retries", "Batch retries.").set(runtime.consumer.stats.retries)
    lag = gauge(
        "learnloop_reporting_consumer_lag", "Records not yet committed.", "topic", "partition"
    )
    for tp, behind in sorted((await runtime.probe.lag(runtime.group_id)).items()):
        lag.labels(tp.topic, str(tp.partition)).set(behind)
    now = runtime.clock()
    async with runtime.engine.connect() as connection:
        newest = await newest_event(connection)
        overdue = await connection.scalar(  # every provider's: an operations signal
            select(func.count())
            .select_from(obligations)
            .where(obligation_state_is(ObligationState.OVERDUE, now))
        )
    gauge(
        "learnloop_reporting_obligations_overdue",
        "Obligations past due and not met (alert: LearnLoopObligationsOverdue).",
    ).set(int(overdue or 0))
    freshness = gauge(
        "learnloop_reporting_freshness_seconds", "Seconds since the newest projected event's time."
    )
    freshness.set((now - newest).total_seconds() if newest else float("nan"))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
