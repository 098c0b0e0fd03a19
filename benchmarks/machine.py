"""What the figures were measured on: CPU, memory, OS, Python, Kafka, PostgreSQL and the commit."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from benchmarks.context import KAFKA_LIBS, PROJECT_ROOT, postgres_server


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return f"{line.split('=', 1)[1].strip(chr(34))}, kernel {platform.release()}"
    except OSError:
        pass
    return platform.platform()


def _kafka_version() -> str:
    jars = sorted(KAFKA_LIBS.glob("kafka-clients-*.jar"))
    return jars[0].stem.removeprefix("kafka-clients-") if jars else "unknown"


def _git(*args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )
    return result.stdout.strip()


async def _postgres_version() -> str:
    try:
        connection = await asyncpg.connect(postgres_server().url().replace("+asyncpg", ""))
    except Exception:
        return "unknown"
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


def python_reference_ms(passes: int = 5) -> float:
    """CPU time of a fixed pure-Python workload (dict updates, sorting strings), best of
    ``passes``: the same code on a slower or busier host takes longer, so runs on different days
    compare through it (2026-12-07 on the build machine: ~80 ms)."""
    best = float("inf")
    for _ in range(passes):
        started = time.process_time()
        totals: dict[int, int] = {}
        for i in range(300_000):
            totals[i % 1000] = totals.get(i % 1000, 0) + i
        sorted(str(value) for value in totals.values())
        best = min(best, time.process_time() - started)
    return round(best * 1000, 1)


async def machine_info() -> dict[str, Any]:
    """The machine and software the run used."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": _memory_gib(),
        "os": _os_name(),
        "python": platform.python_version(),
        "kafka": _kafka_version(),
        "postgresql": await _postgres_version(),
        "git_commit": _git("rev-parse", "--short=12", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python_reference_ms": python_reference_ms(),
    }
