"""A Kafka broker killed (kill -9) or paused (SIGSTOP) while events flow: with replication factor 3
and min.insync.replicas 2 the pipeline keeps going or waits, and then catches up, losing and
duplicating nothing."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from learnloop.infra import kafka
from learnloop.infra.process import wait_until
from shared.broker import client_options
from shared.events import AnyFactEvent
from tests.faults import scenario
from tests.faults.pipeline import FaultPipeline, Infrastructure
from tests.faults.publisher import Publisher
from tests.faults.report import ScenarioResult

pytestmark = [pytest.mark.slow, pytest.mark.faults, pytest.mark.timeout(420)]
BROKER_DOWN_S = 10.0
PAUSE_S = 15.0  # longer than the clients' 10 s session timeout (aiokafka's default)


async def coordinator(pipeline: FaultPipeline, service: str) -> kafka.KafkaNode:
    """The node coordinating ``service``'s consumer group: the worst one to lose."""
    admin = AIOKafkaAdminClient(**client_options(pipeline.kafka, client_id="faults-coordinator"))
    await admin.start()
    try:
        node_id = await admin.find_coordinator(pipeline.groups[service])
    finally:
        await admin.close()
    return pipeline.infra.cluster.node(int(node_id))


async def test_broker_killed_and_restarted(
    infrastructure: Infrastructure, workdir: Path, fault_results: list[ScenarioResult]
) -> None:
    cluster = infrastructure.cluster

    async def kill_broker(
        pipeline: FaultPipeline, publisher: Publisher, _: list[AnyFactEvent]
    ) -> scenario.Fault:
        await asyncio.wait_for(publisher.wait_for_share(0.25), timeout=120)
        victim = await coordinator(pipeline, "learning")
        accepted_before = len(publisher.accepted)
        kafka.signal_node(victim, signal.SIGKILL)
        killed_at = time.monotonic()
        try:
            await asyncio.sleep(BROKER_DOWN_S)  # the fault itself: down while events flow
        finally:
            await asyncio.to_thread(kafka.start_node, cluster, victim)
            serving = await asyncio.to_thread(
                wait_until, lambda: kafka.all_nodes_serve(cluster), timeout=180, interval=1.0
            )
        assert serving, f"node {victim.node_id} did not rejoin:\n{victim.log_file}"
        ended = time.monotonic()
        return scenario.Fault(
            ended_at=ended,
            notes=[
                f"node {victim.node_id} (coordinator of the learning group) killed after "
                f"{accepted_before} events were accepted; down {ended - killed_at:.0f} s "
                f"(until it served again), {len(publisher.accepted) - accepted_before} "
                "events accepted meanwhile"
            ],
        )

    outcome = await scenario.run(
        name="broker kill -9", seed=101, infra=infrastructure, workdir=workdir,
        results=fault_results, inject=kill_broker,
    )  # fmt: skip
    outcome.assert_sound()


async def test_broker_paused_longer_than_session_timeout(
    infrastructure: Infrastructure, workdir: Path, fault_results: list[ScenarioResult]
) -> None:
    async def pause_broker(
        pipeline: FaultPipeline, publisher: Publisher, _: list[AnyFactEvent]
    ) -> scenario.Fault:
        await asyncio.wait_for(publisher.wait_for_share(0.25), timeout=120)
        victim = await coordinator(pipeline, "reporting")
        before = len(publisher.accepted)
        kafka.signal_node(victim, signal.SIGSTOP)
        try:
            await asyncio.sleep(PAUSE_S)  # the fault itself: frozen, sockets open, no answers
        finally:
            kafka.signal_node(victim, signal.SIGCONT)
        return scenario.Fault(
            ended_at=time.monotonic(),
            notes=[
                f"node {victim.node_id} (coordinator of the reporting group) paused "
                f"{PAUSE_S:.0f} s after {before} events were accepted; "
                f"{len(publisher.accepted) - before} events accepted during the pause"
            ],
        )

    outcome = await scenario.run(
        name="broker SIGSTOP 15 s", seed=102, infra=infrastructure, workdir=workdir,
        results=fault_results, inject=pause_broker,
    )  # fmt: skip
    outcome.assert_sound()
