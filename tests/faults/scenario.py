"""Run one fault scenario end to end: fresh pipeline, continuous publishing, the fault, recovery,
then the ground-truth checks; the measurements go into the session's results table."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from learnloop.generator import GroundTruth, ScenarioConfig, generate
from shared.events import AnyFactEvent
from tests.faults.pipeline import PROVIDER_ID, FaultPipeline, Infrastructure
from tests.faults.publisher import Publisher
from tests.faults.report import ScenarioResult
from tests.faults.stalls import diagnose
from tests.faults.verdict import Findings, Poison, check

# Small on purpose: 6 sites over 3 months is about 1,400 events, published in some 17 seconds.
SITES, REGIONS, MONTHS, SCALE = 6, 2, 3, 2.0
FIRST_MONTH = date(2026, 7, 1)
EVENTS_PER_SECOND = 80.0
# Healthy recoveries take 1-25 s here (a killed consumer's group waits out its 10 s session).
RECOVERY_LIMIT_S = 60.0
STALL_REASON = (
    "known bug, not loss: after a partition leader moves, a consumer that must reset a partition "
    "without committed offsets keeps asking the old leader (aiokafka 0.14 "
    "Fetcher._update_fetch_positions retries NotLeaderForPartition without refreshing metadata) "
    "and stalls until metadata_max_age_ms (5 min); shared/consuming.BatchConsumer sets no "
    "shorter metadata_max_age_ms. Evidence: "
)


@dataclass
class Fault:
    """What an injection reports back: when the fault ended, the poison it wrote, notes."""

    ended_at: float
    poison: list[Poison] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


Injection = Callable[[FaultPipeline, Publisher, list[AnyFactEvent]], Awaitable[Fault]]


@dataclass
class Outcome:
    """A scenario's row in the table and the discrepancies behind it."""

    result: ScenarioResult
    findings: Findings

    def assert_sound(self) -> None:
        """Nothing lost, nothing counted twice, every derived event present; recovered without
        help - or, when the known consumer stall struck, an expected failure with its evidence."""
        result, findings = self.result, self.findings
        details = "\n".join(findings.problems)
        counts = result.counts
        assert counts.lost == 0, f"{result.scenario}: {counts.lost} accepted events lost\n{details}"
        assert counts.duplicated == 0, f"{result.scenario}: {counts.duplicated} counted twice"
        assert counts.derived_missing == 0, f"{result.scenario}: derived events missing\n{details}"
        assert findings.sound, f"{result.scenario}:\n{details}"
        if result.stalls:
            pytest.xfail(STALL_REASON + "; ".join(result.stalls))


async def run(
    *,
    name: str,
    seed: int,
    infra: Infrastructure,
    workdir: Path,
    results: list[ScenarioResult],
    inject: Injection,
) -> Outcome:
    """Fresh pipeline, publisher, ``inject``, recovery, drain, checks; the row is recorded even
    when the checks then fail the test."""
    began = time.monotonic()
    truth = GroundTruth()
    config = ScenarioConfig(
        seed=seed, sites=SITES, regions=REGIONS, months=MONTHS, scale=SCALE,
        start=FIRST_MONTH, provider_id=PROVIDER_ID,
    )  # fmt: skip
    events = list(generate(config, truth))
    pipeline = FaultPipeline(infra, workdir)
    result = ScenarioResult(scenario=name)
    try:
        await pipeline.start()
        publisher = Publisher(
            pipeline.base_url("intake"), pipeline.api_key, events,
            events_per_second=EVENTS_PER_SECOND,
        )  # fmt: skip
        publishing = asyncio.create_task(publisher.run())
        try:
            fault = await inject(pipeline, publisher, events)
            await _recover(pipeline, fault, result)
            await asyncio.wait_for(asyncio.shield(publishing), timeout=240)
        finally:
            if not publishing.done():
                publishing.cancel()
        findings = await _settled_findings(pipeline, publisher.accepted, truth, fault.poison)
        health = await pipeline.health()
        if any(codes != (200, 200) for codes in health.values()):
            findings.problems.append(f"not recovered without help: (healthz, readyz) {health}")
        if publisher.rejected:
            findings.problems.append(f"intake refused generated events: {publisher.rejected}")
        result.notes.extend(fault.notes)
        result.notes.append(_publishing_note(publisher))
        _fill(result, findings)
    finally:
        result.duration_s = time.monotonic() - began
        results.append(result)
        await pipeline.close()
    print(f"\n{name}: {result.outcome}, recovery {result.recovery} s (service logs: {workdir})")
    return Outcome(result=result, findings=findings)


async def _recover(pipeline: FaultPipeline, fault: Fault, result: ScenarioResult) -> None:
    """Measure the recovery; a consumer caught in the known stale-leader stall is restarted by
    hand (and the scenario marked) so the ground-truth checks can still run within budget."""
    result.recovery_s = await pipeline.wait_recovered(fault.ended_at, RECOVERY_LIMIT_S)
    if result.recovery_s is not None:
        return
    stalls = await diagnose(pipeline)
    if not stalls:
        raise AssertionError(
            f"not recovered {RECOVERY_LIMIT_S:.0f} s after the fault, cause unknown: "
            f"{await pipeline.describe_state()}\n{pipeline.logs()}"
        )
    result.stalls = [str(stall) for stall in stalls]
    stuck = sorted({stall.service for stall in stalls})
    for service in stuck:
        await pipeline.restart_gracefully(service)
    restarted = time.monotonic()
    after = await pipeline.wait_recovered(restarted, 120)
    if after is None:
        raise AssertionError(f"not recovered even after restarting {stuck}\n{pipeline.logs()}")
    result.notes.append(
        f"STALLED: no progress {RECOVERY_LIMIT_S:.0f} s after the fault; "
        f"{' and '.join(stuck)} restarted by hand, then caught up in {after:.1f} s"
    )
    result.notes.extend(result.stalls)


async def _settled_findings(
    pipeline: FaultPipeline, accepted: set[str], truth: GroundTruth, poison: list[Poison]
) -> Findings:
    """Check once drained; a discrepancy is re-checked after draining again, since the learning
    service's governance clock may queue derived events at any moment. A real loss persists."""
    for _ in range(3):
        await pipeline.wait_drained()
        findings = await check(pipeline, accepted, truth, poison)
        if findings.sound:
            break
    return findings


def _publishing_note(publisher: Publisher) -> str:
    answers = ", ".join(f"{status} {n}" for status, n in sorted(publisher.statuses.items()))
    failed = ", ".join(f"{kind} {n}" for kind, n in sorted(publisher.failed_requests.items()))
    return f"intake answers per item: {answers}; failed requests: {failed or 'none'}"


def _fill(result: ScenarioResult, findings: Findings) -> None:
    result.counts = findings
    result.outcome = "sound" if findings.sound else "UNSOUND"
    if result.stalls:
        result.outcome += ", stalled (xfail)"
    result.notes.extend(findings.problems)
