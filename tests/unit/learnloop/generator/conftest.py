"""One default-sized scenario (40 sites, 12 months), generated once for the whole session."""

import pytest

from learnloop.generator import ScenarioConfig
from tests.unit.learnloop.generator.runs import Run, run


@pytest.fixture(scope="session")
def default_run() -> Run:
    """The default scenario: big enough for distributions to settle."""
    return run(ScenarioConfig())
