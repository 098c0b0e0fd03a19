"""Each service killed with kill -9 while it works, then started again as a supervisor would:
what was accepted is neither lost nor counted twice, and derived events exist exactly once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import func, select

from services.learning.adapters.tables import facts as learned_facts
from services.reporting.adapters.tables import facts as reported_facts
from shared.events import AnyFactEvent
from tests.faults import scenario
from tests.faults.pipeline import FaultPipeline, Infrastructure
from tests.faults.publisher import Publisher
from tests.faults.report import ScenarioResult

pytestmark = [pytest.mark.slow, pytest.mark.faults, pytest.mark.timeout(420)]
FACTS = {"learning": learned_facts, "reporting": reported_facts}
# A transaction of the service in its database, other than the learning outbox relay's: a
# consumer batch being applied. The services all connect as the same role, so it is visible.
OPEN_BATCH = """
    SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70) FROM pg_stat_activity
    WHERE datname = $1 AND xact_start IS NOT NULL
      AND state IN ('active', 'idle in transaction')
      AND query NOT ILIKE '%FROM outbox%' AND query NOT ILIKE 'UPDATE outbox%'
    LIMIT 1
"""


async def stored_facts(pipeline: FaultPipeline, service: str) -> int:
    table = FACTS[service]
    async with pipeline.engine(service).connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(table)) or 0)


async def wait_for_open_batch(
    pipeline: FaultPipeline, service: str, within_s: float = 15.0
) -> str | None:
    """Poll the server until the service has a batch transaction open; its latest statement."""
    connection = await asyncpg.connect(
        pipeline.infra.postgres.url("learnloop").replace("+asyncpg", "")
    )
    try:
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            statement = await connection.fetchval(OPEN_BATCH, pipeline.databases[service])
            if statement:
                return str(statement)
            await asyncio.sleep(0.005)
        return None
    finally:
        await connection.close()


def kill_and_restart(service: str) -> scenario.Injection:
    """kill -9 ``service`` with work in hand, then start it again at once."""

    async def inject(
        pipeline: FaultPipeline, publisher: Publisher, _: list[AnyFactEvent]
    ) -> scenario.Fault:
        await asyncio.wait_for(publisher.wait_for_share(0.3), timeout=120)
        if service == "intake":
            await publisher.request_in_flight.wait()
            await asyncio.sleep(0.03)  # the request has reached the handler
            in_flight = publisher.request_in_flight.is_set()
            pipeline.kill(service)
            what = "with a batch request in flight" if in_flight else "between requests"
        else:
            statement = await wait_for_open_batch(pipeline, service)
            pipeline.kill(service)
            inside = f"inside a batch transaction ({statement}...)" if statement else "(no batch)"
            what = (
                f"{inside} with {await stored_facts(pipeline, service)} of "
                f"{len(publisher.accepted)} accepted facts applied"
            )
        pipeline.restart(service)
        return scenario.Fault(
            ended_at=time.monotonic(), notes=[f"{service} killed {what}; restarted at once"]
        )

    return inject


@pytest.mark.parametrize(
    ("service", "seed"), [("intake", 301), ("learning", 302), ("reporting", 303)]
)
async def test_service_killed_mid_batch_and_restarted(
    service: str,
    seed: int,
    infrastructure: Infrastructure,
    workdir: Path,
    fault_results: list[ScenarioResult],
) -> None:
    outcome = await scenario.run(
        name=f"{service} kill -9", seed=seed, infra=infrastructure, workdir=workdir,
        results=fault_results, inject=kill_and_restart(service),
    )  # fmt: skip
    outcome.assert_sound()
