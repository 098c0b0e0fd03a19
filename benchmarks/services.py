"""LearnLoop's services as separate OS processes (``learnloop <service> serve``), as deployed:
their settings come from the environment, their memory is their own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from benchmarks.context import PROJECT_ROOT
from benchmarks.figures import peak_rss_mb
from benchmarks.profiling import Profiler
from learnloop.processes import ServiceProcess, free_port
from services.intake.adapters.key_store import provision_admin_key
from shared.settings import KafkaSettings

NO_RATE_LIMIT = {  # one API key carries the whole load: lift its per-key limit
    "LEARNLOOP_INTAKE__RATE_LIMIT_PER_SECOND": "1000000",
    "LEARNLOOP_INTAKE__RATE_LIMIT_BURST": "1000000",
}


async def admin_key(intake_database_url: str, provider: str) -> str:
    """Migrate the intake's database and create a provider-wide key; the key itself."""
    return await provision_admin_key(intake_database_url, name="benchmark", provider_id=provider)


def kafka_env(kafka: KafkaSettings) -> dict[str, str]:
    """The Kafka part of a service's environment."""
    return {
        "LEARNLOOP_KAFKA__BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "LEARNLOOP_KAFKA__TOPIC_PREFIX": kafka.topic_prefix,
    }


class RunningService:
    """A started service: where it answers and how much memory it has used at most."""

    def __init__(self, process: ServiceProcess, port: int) -> None:
        self.process = process
        self.port = port
        self.peak_rss_mb: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def sample_rss(self) -> float | None:
        """Read the process's peak RSS now (it only grows); kept for after it stops."""
        if self.process.process is not None:
            self.peak_rss_mb = peak_rss_mb(self.process.process.pid) or self.peak_rss_mb
        return self.peak_rss_mb


@asynccontextmanager
async def service(
    name: str, env: Mapping[str, str], folder: Path, *, ready_path: str = "/readyz",
    profiler: Profiler | None = None, profile_name: str = "",
) -> AsyncIterator[RunningService]:  # fmt: skip
    """``learnloop <name> serve`` on a free port until the block exits; waits for ``ready_path``
    (for consumers: partitions assigned) before yielding."""
    port = free_port()
    full_env = {**env, f"LEARNLOOP_{name.upper()}__PORT": str(port)}
    process = ServiceProcess(name, full_env, folder / f"{name}.log", cwd=PROJECT_ROOT)
    running = RunningService(process, port)
    process.start()
    try:
        await asyncio.to_thread(process.wait_healthy, port, ready_path, 120)
        if profiler is not None and process.process is not None:
            await profiler.attach(process.process.pid, profile_name or name)
        yield running
    finally:
        running.sample_rss()
        await asyncio.to_thread(process.stop)
