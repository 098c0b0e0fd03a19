"""Run consuming services as child processes and time how fast they apply pre-produced facts.

Sustained throughput is taken over the middle of the run, from 10% to 90% of the facts applied
(and only once every instance owns partitions), so process start-up, migrations, the consumer
group's join and the tail of the last batches do not count; the whole run's rate is reported too.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.context import PROJECT_ROOT, BenchContext
from benchmarks.figures import busy_share, cpu_seconds, machine_cpu, peak_rss_mb

SAMPLE_EVERY_S = 0.1
STALL_SHARE = 1 / 6  # no progress for this share of the time cap, after the first: stalled
WINDOW = (0.10, 0.90)


class WorkerProcess:
    """``python -m benchmarks.service_worker <kind>``, with its progress lines parsed."""

    def __init__(self, kind: str, config: dict[str, Any], log_file: Path) -> None:
        self.kind = kind
        self.config = config
        self.log_file = log_file
        self.applied = 0
        self.partitions = 0
        self.max_partitions = 0
        self.final: dict[str, Any] = {}
        self.peak_rss_mb: float | None = None  # VmHWM, read just before the stop signal
        self.cpu_seconds: float | None = None  # CPU used between go and the stop signal
        self._cpu_at_go: float | None = None
        self.reported = False
        self.waiting = asyncio.Event()
        self._process: asyncio.subprocess.Process | None = None
        self._pump: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self) -> None:
        """Spawn the child; its logs go to ``log_file``."""
        with self.log_file.open("ab") as log:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "benchmarks.service_worker", self.kind,
                json.dumps(self.config), cwd=PROJECT_ROOT, stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, stderr=log,
            )  # fmt: skip
        self._pump = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        async for raw in self._process.stdout:
            try:
                line = json.loads(raw)
            except json.JSONDecodeError:
                continue  # not a progress line
            if line.get("waiting"):
                self.waiting.set()
                continue
            if "outbox_pending" in line:
                self.final["outbox_pending"] = line["outbox_pending"]
                continue
            self.reported = True
            if line.get("final"):
                self.final.update(line)
            else:
                self.applied = int(line["applied"])
                self.partitions = int(line["partitions"])
                self.max_partitions = max(self.max_partitions, self.partitions)

    async def ready(self, within_s: float = 120) -> None:
        """Wait until the child has imported everything and waits for the go."""
        waiting = asyncio.create_task(self.waiting.wait())
        assert self._process is not None
        exited = asyncio.create_task(self._process.wait())
        await asyncio.wait({waiting, exited}, timeout=within_s, return_when="FIRST_COMPLETED")
        waiting.cancel()
        exited.cancel()
        if not self.waiting.is_set():
            raise RuntimeError(f"{self.kind} worker did not start:\n{self.log_tail()}")

    def go(self) -> None:
        """Let the child start serving."""
        assert self._process is not None and self._process.stdin is not None
        self._cpu_at_go = cpu_seconds(self._process.pid)
        self._process.stdin.write(b"go\n")

    async def stop(self, within_s: float = 60) -> None:
        """SIGTERM, then wait for the final line (kill -9 after ``within_s``)."""
        if self._process is None:
            return
        if self._process.returncode is None:
            self.peak_rss_mb = peak_rss_mb(self._process.pid)
            used = cpu_seconds(self._process.pid)
            if used is not None and self._cpu_at_go is not None:
                self.cpu_seconds = round(used - self._cpu_at_go, 2)
            self._process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self._process.wait(), within_s)
        except TimeoutError:
            self._process.kill()
            await self._process.wait()
        if self._pump is not None:
            await asyncio.gather(self._pump, return_exceptions=True)

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the child's log (for error reports)."""
        try:
            return self.log_file.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


@dataclass
class ConsumeResult:
    """How one run of one or more instances went."""

    target: int
    applied: int = 0
    completed: bool = False
    stalled: bool = False
    seconds: float = 0.0  # processes told to start -> every fact applied (or cut short)
    sustained: float | None = None
    window_s: float = 0.0
    machine_busy: float | None = None  # share of all cores busy (every process) during the run
    instances: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[tuple[float, int]] = field(default_factory=list)

    @property
    def peak_rss_mb(self) -> float | None:
        values = [i["peak_rss_mb"] for i in self.instances if i.get("peak_rss_mb") is not None]
        return max(values) if values else None

    @property
    def cpu_us_per_event(self) -> float | None:
        """The workers' CPU time (all instances) per applied event, in microseconds."""
        used = [i["cpu_seconds"] for i in self.instances if i.get("cpu_seconds") is not None]
        if not used or len(used) < len(self.instances) or not self.applied:
            return None
        return round(float(sum(used)) / self.applied * 1e6, 1)

    @property
    def overall(self) -> float | None:
        return round(self.applied / self.seconds, 1) if self.seconds else None

    def as_json(self) -> dict[str, Any]:
        return {
            "target": self.target, "applied": self.applied, "completed": self.completed,
            "stalled": self.stalled,
            "seconds": round(self.seconds, 2), "sustained_events_per_s": self.sustained,
            "sustained_window_s": round(self.window_s, 2), "overall_events_per_s": self.overall,
            "peak_rss_mb": self.peak_rss_mb, "cpu_us_per_event": self.cpu_us_per_event,
            "machine_busy_share": self.machine_busy, "instances": self.instances,
            "timeline_per_s": _thin(self.timeline),
        }  # fmt: skip


def unfinished(name: str, result: ConsumeResult) -> str:
    """The note for a run that did not apply every fact."""
    why = "stopped making progress" if result.stalled else "reached the time cap"
    return (
        f"{name}: {why} after {result.seconds:.0f} s with {result.applied} of {result.target} "
        "applied; its rate is up to that point"
    )


def _thin(timeline: list[tuple[float, int]]) -> list[tuple[float, int]]:
    """About one sample a second, for plotting."""
    kept: list[tuple[float, int]] = []
    for t, applied in timeline:
        if not kept or t - kept[-1][0] >= 1.0:
            kept.append((round(t, 2), applied))
    if timeline and kept[-1] != (round(timeline[-1][0], 2), timeline[-1][1]):
        kept.append((round(timeline[-1][0], 2), timeline[-1][1]))
    return kept


def sustained_rate(
    samples: list[tuple[float, int, bool]], target: int
) -> tuple[float | None, float]:
    """Events/s between 10% and 90% of ``target`` applied (samples: t, applied, every instance
    owns partitions); up to the last progress when the run was cut short. When one batch jumps
    over the whole window (tiny runs), the samples either side of the jump are used."""
    low, high = WINDOW[0] * target, WINDOW[1] * target
    first = next((i for i, (_, n, ready) in enumerate(samples) if n >= low and ready), None)
    if first is None:
        return None, 0.0
    final = samples[-1][1]  # not reached 90%: up to the last progress
    last = next(
        (i for i, (_, n, _) in enumerate(samples) if n >= min(high, final)), len(samples) - 1
    )
    if last <= first:
        first = max(0, last - 1)
    seconds = samples[last][0] - samples[first][0]
    if seconds <= 0:
        return None, 0.0
    return round((samples[last][1] - samples[first][1]) / seconds, 1), seconds


async def consume_until(
    context: BenchContext, *, kind: str, instances: int, target: int, label: str,
    config: dict[str, Any],
) -> ConsumeResult:  # fmt: skip
    """Start ``instances`` workers of ``kind`` in one group; wait until ``target`` facts are
    applied (or the time cap); stop them and collect throughput and peak RSS."""
    folder = context.folder(label)
    workers = [
        WorkerProcess(kind, config, folder / f"{kind}-{n + 1}.log") for n in range(instances)
    ]
    result = ConsumeResult(target=target)
    samples: list[tuple[float, int, bool]] = []
    owned: list[int] = []
    profiling: set[int] = set()
    try:
        for worker in workers:
            await worker.start()
        for worker in workers:  # imported and waiting: start serving together, so all join
            await worker.ready()  # the consumer group at once
        started, machine_at_go = time.monotonic(), machine_cpu()
        for worker in workers:
            worker.go()
        last_total, last_change = 0, started
        while True:
            now = time.monotonic()
            total = sum(worker.applied for worker in workers)
            owning = all(worker.partitions != 0 for worker in workers)
            samples.append((now - started, total, owning))
            owned = [worker.partitions for worker in workers]
            for n, worker in enumerate(workers):
                if context.profiler.enabled and worker.reported and n not in profiling:
                    profiling.add(n)  # the interpreter is up: py-spy can attach
                    assert worker.pid is not None
                    await context.profiler.attach(
                        worker.pid, context.profile_name(f"{label}-{n + 1}")
                    )
            if total >= target:
                result.completed = True
                break
            if now - started > context.sizes.time_cap_s:
                break
            if total != last_total:
                last_total, last_change = total, now
            elif total and now - last_change > context.sizes.time_cap_s * STALL_SHARE:
                result.stalled = True
                break
            if not any(worker.running for worker in workers):
                tail = "\n".join(worker.log_tail() for worker in workers)
                raise RuntimeError(f"{kind} workers exited early:\n{tail}")
            await asyncio.sleep(SAMPLE_EVERY_S)
        result.machine_busy = busy_share(machine_at_go, machine_cpu())
    finally:
        for worker in workers:
            await worker.stop()
    result.applied = samples[-1][1]
    result.seconds = samples[-1][0]
    result.sustained, result.window_s = sustained_rate(samples, target)
    result.timeline = [(t, n) for t, n, _ in samples]
    result.instances = [
        {"applied": w.applied, "partitions_at_end": partitions,
         "partitions_max": w.max_partitions, "peak_rss_mb": w.peak_rss_mb,
         "cpu_seconds": w.cpu_seconds,
         "peak_rss_mb_with_shutdown": w.final.get("peak_rss_mb"),
         "outbox_pending_at_end": w.final.get("outbox_pending")}
        for w, partitions in zip(workers, owned, strict=True)
    ]  # fmt: skip
    return result
