"""The fault suite's infrastructure and its results table.

It runs on infrastructure of its own so it never disturbs other tests: the 3-node KRaft cluster
(127.0.0.1:19091-19093) and a PostgreSQL server on port 55433 with its own data folder. Neither
the single broker (:9092) nor the shared PostgreSQL (:55432) is ever touched.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from learnloop.infra import kafka, postgres
from learnloop.infra.process import read_pid
from tests.conftest import PROJECT_ROOT, STATE_DIR
from tests.faults.pipeline import Infrastructure
from tests.faults.report import SCENARIOS, ScenarioResult, text_table, write_docs

POSTGRES_PORT = 55433
DOCS = PROJECT_ROOT / "docs" / "faults.md"
RESULTS = pytest.StashKey[list[ScenarioResult]]()
STARTED = pytest.StashKey[float]()


@pytest.fixture(scope="session")
def infrastructure(request: pytest.FixtureRequest) -> Iterator[Infrastructure]:
    """Start the cluster and the suite's PostgreSQL; stop what this session started."""
    request.config.stash[STARTED] = time.monotonic()
    cluster = kafka.deployment(STATE_DIR, "cluster")
    running_before = all(read_pid(node.pid_file) is not None for node in cluster.nodes)
    for node in cluster.nodes:  # a node left paused by an interrupted run would never answer
        if read_pid(node.pid_file) is not None:
            kafka.signal_node(node, signal.SIGCONT)
    kafka.up(cluster, timeout=180)
    server = postgres.server(STATE_DIR / "faults", port=POSTGRES_PORT)
    postgres.up(server)
    try:
        yield Infrastructure(cluster=cluster, postgres=server)
    finally:
        postgres.down(server)
        if not running_before:
            kafka.down(cluster)


@pytest.fixture(scope="session")
def fault_results(request: pytest.FixtureRequest) -> list[ScenarioResult]:
    """Every scenario's measurements, for the table at the end of the session."""
    return request.config.stash.setdefault(RESULTS, [])


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """Where a scenario's service logs go (kept by pytest for the last runs)."""
    return tmp_path


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """Print the results table; a run that measured every scenario also updates the docs."""
    results = config.stash.get(RESULTS, [])
    if not results:
        return
    total_s = time.monotonic() - config.stash.get(STARTED, time.monotonic())
    terminalreporter.section("fault injection: scenario results")
    terminalreporter.write_line(text_table(results))
    if {result.scenario for result in results} >= set(SCENARIOS):
        write_docs(DOCS, results, total_s)
        terminalreporter.write_line(f"written to {DOCS.relative_to(PROJECT_ROOT)}")
    else:
        terminalreporter.write_line("docs/faults.md not updated: not every scenario ran")
