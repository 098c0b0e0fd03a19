"""One scenario's pipeline: intake, learning and reporting as processes on the 3-node cluster and
the suite's own PostgreSQL, with topics, databases and consumer groups of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from learnloop.infra import kafka, postgres
from learnloop.infra.process import tail
from learnloop.processes import ServiceProcess, free_port
from services.intake.adapters.key_store import KeyStore
from services.intake.domain.api_keys import KeyRole
from services.reporting.runtime import reported_topics
from shared.broker import topic_name
from shared.database import create_engine
from shared.migrate import upgrade
from shared.provisioning import ensure_topics
from shared.settings import DatabaseSettings, KafkaSettings
from shared.tables import outbox
from shared.topics import FACT_TOPICS
from tests.conftest import delete_topics_with_prefix
from tests.faults.offsets import Offsets, OffsetWatch

SERVICES = ("intake", "learning", "reporting")
REPLICATION_FACTOR = 3
PROVIDER_ID = "faults-care-group"  # the generated provider; the API key belongs to it


@dataclass(frozen=True)
class Infrastructure:
    """The suite's 3-node Kafka cluster and its own PostgreSQL server."""

    cluster: kafka.KafkaDeployment
    postgres: postgres.PostgresServer


class FaultPipeline:
    """Fresh topics (unique prefix), one database per service and the three service processes."""

    def __init__(self, infra: Infrastructure, workdir: Path, *, max_batch: int = 200) -> None:
        tag = uuid.uuid4().hex[:10]
        self.infra = infra
        self.workdir = workdir
        self.max_batch = max_batch
        self.kafka = KafkaSettings(
            bootstrap_servers=infra.cluster.bootstrap_servers, topic_prefix=f"faults-{tag}"
        )
        self.databases = {service: f"faults_{tag}_{service}" for service in SERVICES}
        self.ports = {service: free_port() for service in SERVICES}
        self.groups = {"learning": f"learning-{tag}", "reporting": f"reporting-{tag}"}
        self.api_key = ""
        self.processes = {
            service: ServiceProcess(service, self.env(service), workdir / f"{service}.log")
            for service in SERVICES
        }
        fact_topics = [topic_name(topic, self.kafka) for topic in FACT_TOPICS]
        self.watch = OffsetWatch(
            self.kafka,
            {
                self.groups["learning"]: fact_topics,
                self.groups["reporting"]: reported_topics(self.kafka),
            },
        )
        self._engines: dict[str, AsyncEngine] = {}

    # --- configuration -------------------------------------------------------------------

    def database_url(self, service: str) -> str:
        return self.infra.postgres.url(self.databases[service])

    def base_url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def env(self, service: str) -> dict[str, str]:
        """What ``learnloop <service> serve`` reads (see learnloop.demo.DemoPlan.env)."""
        keys = self.database_url("intake")
        return {
            "LEARNLOOP_ENVIRONMENT": "test",
            "LEARNLOOP_LOG_LEVEL": "INFO",
            "LEARNLOOP_KAFKA__BOOTSTRAP_SERVERS": self.kafka.bootstrap_servers,
            "LEARNLOOP_KAFKA__TOPIC_PREFIX": self.kafka.topic_prefix,
            "LEARNLOOP_DATABASE__URL": self.database_url(service),
            "LEARNLOOP_LEARNING__KEYS_DATABASE_URL": keys,
            "LEARNLOOP_REPORTING__KEYS_DATABASE_URL": keys,
            "LEARNLOOP_LEARNING__GROUP_ID": self.groups["learning"],
            "LEARNLOOP_REPORTING__GROUP_ID": self.groups["reporting"],
            "LEARNLOOP_LEARNING__MAX_BATCH": str(self.max_batch),
            "LEARNLOOP_REPORTING__MAX_BATCH": str(self.max_batch),
            "LEARNLOOP_INTAKE__RATE_LIMIT_PER_SECOND": "10000",
            "LEARNLOOP_INTAKE__RATE_LIMIT_BURST": "10000",
            **{f"LEARNLOOP_{name.upper()}__PORT": str(port) for name, port in self.ports.items()},
        }

    def engine(self, service: str) -> AsyncEngine:
        """A connection pool on the service's database, for the checks."""
        if service not in self._engines:
            self._engines[service] = create_engine(
                DatabaseSettings(url=self.database_url(service), pool_size=2)
            )
        return self._engines[service]

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Databases, topics (replication factor 3), an API key, then the three processes."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        await self._each_database('CREATE DATABASE "{name}"')
        await ensure_topics(self.kafka, replication_factor=REPLICATION_FACTOR)
        engine = create_engine(DatabaseSettings(url=self.database_url("intake")))
        try:
            await upgrade(engine, ("shared", "intake"))
            _, self.api_key = await KeyStore(engine).create(
                name="faults", provider_id=PROVIDER_ID, role=KeyRole.ADMIN
            )
        finally:
            await engine.dispose()
        for process in self.processes.values():
            process.start()
        await asyncio.gather(*(self.wait_ready(service) for service in SERVICES))

    async def close(self) -> None:
        """Stop the processes, drop the topics and databases (best effort)."""
        await asyncio.gather(
            *(asyncio.to_thread(process.stop) for process in self.processes.values())
        )
        await self.watch.close()
        for engine in self._engines.values():
            await engine.dispose()
        await delete_topics_with_prefix(self.kafka)
        with contextlib.suppress(OSError, asyncpg.PostgresError):
            await self._each_database('DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def _each_database(self, statement: str) -> None:
        """Run ``statement`` (with ``{name}``) for each database, from the server's default one."""
        dsn = self.infra.postgres.url("learnloop").replace("+asyncpg", "")
        connection = await asyncpg.connect(dsn)
        try:
            for name in self.databases.values():
                await connection.execute(statement.format(name=name))
        finally:
            await connection.close()

    def kill(self, service: str) -> None:
        """kill -9 one service process."""
        self.processes[service].kill()

    def restart(self, service: str) -> None:
        """Start a killed service again, as a supervisor (systemd, Kubernetes) would."""
        self.processes[service].start()

    async def restart_gracefully(self, service: str) -> None:
        """Stop (SIGINT) and start a service: what an operator does to a stuck one."""
        await asyncio.to_thread(self.processes[service].stop)
        self.processes[service].start()

    async def wait_ready(self, service: str, within_s: float = 120) -> None:
        """Wait until the process answers 200 on /readyz (it fails fast if it exited)."""
        port = self.ports[service]
        await asyncio.to_thread(self.processes[service].wait_healthy, port, "/readyz", within_s)

    # --- observation ---------------------------------------------------------------------

    async def probe(self, service: str, path: str) -> int | None:
        """The HTTP status of ``path`` on a service, or None when it does not answer."""
        try:
            async with httpx.AsyncClient(timeout=3) as client:
                return (await client.get(self.base_url(service) + path)).status_code
        except httpx.HTTPError:
            return None

    async def health(self) -> dict[str, tuple[int | None, int | None]]:
        """(healthz, readyz) status per service."""
        return {
            service: (await self.probe(service, "/healthz"), await self.probe(service, "/readyz"))
            for service in SERVICES
        }

    async def all_ready(self) -> bool:
        return all(codes == (200, 200) for codes in (await self.health()).values())

    async def outbox_pending(self) -> int | None:
        """Derived events the learning service has not published yet (None: database down)."""
        try:
            async with self.engine("learning").connect() as connection:
                query = select(func.count()).select_from(outbox)
                query = query.where(outbox.c.published_at.is_(None))
                return int(await connection.scalar(query) or 0)
        except Exception:
            return None

    async def wait_recovered(self, since: float, within_s: float) -> float | None:
        """Seconds from ``since`` until every service is ready and both consumer groups have
        committed everything their topics held at that moment (lag 0 against those offsets);
        None if that does not happen within ``within_s``."""
        deadline = time.monotonic() + within_s
        targets: dict[str, Offsets] | None = None
        while time.monotonic() < deadline:
            if targets is None:
                targets = await self.watch.snapshot()
            if (
                targets is not None
                and await self.watch.total_lag(targets) == 0
                and await self.all_ready()
            ):
                return time.monotonic() - since
            await asyncio.sleep(0.25)
        return None

    async def describe_state(self) -> str:
        """Lag per group, outbox and health, for failure messages."""
        lags = {group: await self.watch.lag(group) for group in self.watch.groups}
        return (
            f"lag {lags}, outbox pending {await self.outbox_pending()}, "
            f"(healthz, readyz) {await self.health()}"
        )

    async def wait_drained(self, within_s: float = 180) -> None:
        """Wait until nothing is left anywhere: no lag, outbox drained, and it stays so."""
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            before = await self.watch.snapshot()
            if (
                before is not None
                and await self.watch.total_lag(before) == 0
                and await self.outbox_pending() == 0
            ):
                await asyncio.sleep(1.0)  # a relay round trip: derived events still in flight
                after = await self.watch.snapshot()
                if after == before and await self.outbox_pending() == 0:
                    return
            await asyncio.sleep(0.5)
        raise AssertionError(
            f"not drained within {within_s}s: {await self.describe_state()}\n{self.logs()}"
        )

    def logs(self, lines: int = 15) -> str:
        """The end of every service's log, for failure messages."""
        return "\n".join(
            f"--- {service} ({process.log_file})\n{tail(process.log_file, lines)}"
            for service, process in self.processes.items()
        )
