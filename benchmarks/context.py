"""What every benchmark gets: its sizes, and Kafka topics, PostgreSQL databases and a scratch
folder of its own, all removed when the benchmark ends.

Several people share the broker and the database server: every topic carries the run's unique
prefix and every database the run's unique name, and both are deleted afterwards (leftover
partitions hold file descriptors on the broker until it runs out of them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from benchmarks.profiling import Profiler
from benchmarks.sizes import Sizes
from learnloop.infra import postgres
from learnloop.infra.kafka import cluster_metadata
from shared.provisioning import admin_client
from shared.settings import KafkaSettings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STATE_DIR = Path(os.environ.get("LEARNLOOP_STATE_DIR", PROJECT_ROOT / ".learnloop"))
KAFKA_BOOTSTRAP = os.environ.get("LEARNLOOP_BENCH_KAFKA", "127.0.0.1:9092")
KAFKA_LIBS = STATE_DIR / "kafka" / "libs"


class InfraUnavailable(RuntimeError):
    """Kafka or PostgreSQL is not running."""


def postgres_server() -> postgres.PostgresServer:
    """The project-local PostgreSQL server (``learnloop infra postgres up``)."""
    return postgres.server(STATE_DIR)


async def check_infra() -> None:
    """Fail early, and say how to fix it, when Kafka or PostgreSQL is down."""
    try:
        await cluster_metadata(KAFKA_BOOTSTRAP, wait_s=10.0)
    except Exception as exc:
        raise InfraUnavailable(
            f"Kafka is not reachable at {KAFKA_BOOTSTRAP} ({type(exc).__name__}): "
            "run `.venv/bin/learnloop infra up`"
        ) from exc
    try:
        connection = await asyncpg.connect(_admin_dsn(), timeout=10)
        await connection.close()
    except Exception as exc:
        raise InfraUnavailable(
            f"PostgreSQL is not reachable ({type(exc).__name__}): "
            "run `.venv/bin/learnloop infra up`"
        ) from exc


def _admin_dsn() -> str:
    return postgres_server().url("learnloop").replace("+asyncpg", "")


async def delete_topics(prefix: str, attempts: int = 10) -> None:
    """Delete every topic named ``<prefix>.*``; retried while the broker is unreachable (it may
    be restarting), then logged and given up."""
    for attempt in range(attempts):
        admin = admin_client(KafkaSettings(bootstrap_servers=KAFKA_BOOTSTRAP))
        try:
            await admin.start()
            names = [t for t in await admin.list_topics() if t.startswith(prefix + ".")]
            if names:
                await admin.delete_topics(names)
            return
        except Exception as exc:
            if attempt == attempts - 1:
                logging.getLogger(__name__).warning("topics %s.* not deleted: %r", prefix, exc)
                return
        finally:
            await admin.close()
        await asyncio.sleep(min(2**attempt, 10))


@dataclass
class BenchContext:
    """Resources for one benchmark at one scale; ``close`` removes all of them."""

    run_id: str
    name: str
    scale: int
    sizes: Sizes
    workdir: Path
    stack: AsyncExitStack
    profiler: Profiler

    @property
    def prefix(self) -> str:
        """This benchmark's topic prefix (lower-case, dots, dashes: a valid topic prefix)."""
        return f"{self.run_id}.{self.name.replace('_', '-')}.s{self.scale}"

    def kafka(self, label: str) -> KafkaSettings:
        """Kafka settings whose topics are ``<run>.<bench>.<scale>.<label>.*``."""
        return KafkaSettings(
            bootstrap_servers=KAFKA_BOOTSTRAP, topic_prefix=f"{self.prefix}.{label}"
        )

    def profile_name(self, process: str) -> str:
        """The file name (without .svg) of a process's profile."""
        return f"{self.name}-s{self.scale}-{process}"

    def group(self, label: str) -> str:
        """A consumer group id no other run uses."""
        return f"{self.prefix}.{label}.{uuid.uuid4().hex[:6]}"

    async def postgres_url(self, label: str) -> str:
        """A new, empty PostgreSQL database, dropped when the benchmark ends."""
        name = f"{self.run_id}_{self.name}_s{self.scale}_{label}".replace("-", "_")[:63]
        connection = await asyncpg.connect(_admin_dsn())
        try:
            await postgres.drop_database(connection, name)
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        self.stack.push_async_callback(_drop_database, name)
        return postgres_server().url(name)

    def sqlite_url(self, label: str) -> str:
        """A new SQLite file in the scratch folder."""
        return f"sqlite+aiosqlite:///{self.folder(label) / 'learnloop.db'}"

    def folder(self, label: str) -> Path:
        """A scratch folder (service logs, SQLite files), removed at the end unless kept."""
        path = self.workdir / f"{self.name}-s{self.scale}" / label
        path.mkdir(parents=True, exist_ok=True)
        return path


async def _drop_database(name: str) -> None:
    try:
        connection = await asyncpg.connect(_admin_dsn())
    except Exception as exc:
        logging.getLogger(__name__).warning("could not drop database %s: %r", name, exc)
        return
    try:
        await postgres.drop_database(connection, name)
    finally:
        await connection.close()


@contextlib.asynccontextmanager
async def open_context(
    *, run_id: str, name: str, scale: int, sizes: Sizes, workdir: Path,
    profiles: Path | None = None,
) -> AsyncIterator[BenchContext]:  # fmt: skip
    """A benchmark's context; on exit its databases are dropped and its topics deleted (and
    its profiles written, with ``profiles``)."""
    async with AsyncExitStack() as stack:
        context = BenchContext(
            run_id=run_id, name=name, scale=scale, sizes=sizes.scaled(scale), workdir=workdir,
            stack=stack, profiler=Profiler(profiles),
        )  # fmt: skip
        stack.push_async_callback(delete_topics, context.prefix)
        stack.push_async_callback(context.profiler.finish)
        yield context


def new_run_id() -> str:
    """A short unique id: topic prefixes and database names start with it."""
    return f"bench-{uuid.uuid4().hex[:8]}"
