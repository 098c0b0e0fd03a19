"""Browser tests: a real reporting server process and Debian's Chromium driven by Playwright.

Chromium is not downloaded by Playwright (that needs the internet): the Debian package's
binary is used. When it is missing the tests fail and say how to install it - CI installs it.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from learnloop.processes import ServiceProcess, free_port
from shared.provisioning import ensure_topics
from shared.settings import KafkaSettings
from tests.conftest import delete_topics_with_prefix
from tests.integration.services.reporting.derived_fixture import derived
from tests.integration.services.reporting.fixture import SITES_FILE, facts
from tests.integration.services.reporting.harness import Keys, make_keys, publish

if TYPE_CHECKING:
    from playwright.async_api import Browser

CHROMIUM = Path(os.environ.get("LEARNLOOP_CHROMIUM", "/usr/bin/chromium"))
# As this machine's Chromium needs them: no sandbox as root, and nothing that phones home.
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker here too, so this folder runs under --strict-markers on its own."""
    config.addinivalue_line("markers", "browser: drives a real headless Chromium")


@dataclass(frozen=True)
class Server:
    """A reporting server process with the reporting fixture projected."""

    url: str
    keys: Keys


def chromium_executable() -> str:
    """Debian's Chromium; fails (never skips) when it is not installed."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: the browser tests need Debian's "
            "`apt-get install chromium chromium-driver` (deploy/local/bootstrap.sh), or set "
            "LEARNLOOP_CHROMIUM to another Chromium binary."
        )
    return str(CHROMIUM)


async def _projected(client: httpx.AsyncClient, events: int) -> bool:
    text = (await client.get("/metrics")).text
    found = re.search(r"^learnloop_reporting_events_projected (\S+)$", text, re.MULTILINE)
    return found is not None and float(found.group(1)) >= events


@pytest.fixture(scope="module")
async def reporting_server(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Server]:
    """``learnloop reporting serve`` in its own process, the fixture projected (SQLite)."""
    directory = tmp_path_factory.mktemp("browser")
    kafka = KafkaSettings(
        bootstrap_servers=kafka_bootstrap, topic_prefix=f"test-{uuid.uuid4().hex[:12]}"
    )
    await ensure_topics(kafka)
    keys_url, keys = await make_keys(directory)
    sites = directory / "sites.json"
    sites.write_text(json.dumps(SITES_FILE), encoding="utf-8")
    events = [*derived(), *facts()]
    await publish(kafka, events)
    port = free_port()
    env = {
        "LEARNLOOP_KAFKA__BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "LEARNLOOP_KAFKA__TOPIC_PREFIX": kafka.topic_prefix,
        "LEARNLOOP_DATABASE__URL": f"sqlite+aiosqlite:///{directory / 'reporting.db'}",
        "LEARNLOOP_REPORTING__HOST": "127.0.0.1",
        "LEARNLOOP_REPORTING__PORT": str(port),
        "LEARNLOOP_REPORTING__GROUP_ID": f"reporting-{uuid.uuid4().hex[:8]}",
        "LEARNLOOP_REPORTING__KEYS_DATABASE_URL": keys_url,
        "LEARNLOOP_REPORTING__SITES_FILE": str(sites),
        "LEARNLOOP_REPORTING__KEY_CACHE_SECONDS": "0",
    }
    service = ServiceProcess("reporting", env, directory / "reporting.log")
    service.start()
    try:
        await asyncio.to_thread(service.wait_healthy, port)
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=url) as client:
            deadline = asyncio.get_running_loop().time() + 90
            while not await _projected(client, len(events)):
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError("the reporting process did not project the fixture")
                await asyncio.sleep(0.2)
        yield Server(url, keys)
    finally:
        service.stop()
        await delete_topics_with_prefix(kafka)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """Headless Debian Chromium under Playwright (a fresh profile each launch)."""
    executable = chromium_executable()
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.fail("the browser tests need the Python package playwright (pip install playwright)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield launched
        finally:
            await launched.close()
