"""PostgreSQL stopped for 30 seconds while events flow: intake refuses (the client retries),
learning and reporting retry their batch, and afterwards everything accepted is there once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from learnloop.infra import postgres
from shared.events import AnyFactEvent
from tests.faults import scenario
from tests.faults.pipeline import FaultPipeline, Infrastructure
from tests.faults.publisher import Publisher
from tests.faults.report import ScenarioResult

pytestmark = [pytest.mark.slow, pytest.mark.faults, pytest.mark.timeout(420)]
OUTAGE_S = 30.0


async def test_database_down_for_30_seconds(
    infrastructure: Infrastructure, workdir: Path, fault_results: list[ScenarioResult]
) -> None:
    server = infrastructure.postgres

    async def stop_database(
        pipeline: FaultPipeline, publisher: Publisher, _: list[AnyFactEvent]
    ) -> scenario.Fault:
        await asyncio.wait_for(publisher.wait_for_share(0.25), timeout=120)
        accepted_before = len(publisher.accepted)
        await asyncio.to_thread(postgres.down, server)
        try:
            await asyncio.sleep(OUTAGE_S)  # the fault itself
            accepted_during = len(publisher.accepted) - accepted_before
        finally:
            await asyncio.to_thread(postgres.up, server)
        failed = sum(publisher.failed_requests.values())
        return scenario.Fault(
            ended_at=time.monotonic(),
            notes=[
                f"stopped after {accepted_before} events were accepted; {accepted_during} "
                f"accepted during the outage; {failed} failed requests retried by the client"
            ],
        )

    outcome = await scenario.run(
        name="PostgreSQL down 30 s", seed=401, infra=infrastructure, workdir=workdir,
        results=fault_results, inject=stop_database,
    )  # fmt: skip
    outcome.assert_sound()
