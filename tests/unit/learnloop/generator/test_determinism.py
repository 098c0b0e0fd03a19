"""Same seed, same bytes; another seed, other data."""

import hashlib
import os
import subprocess
import sys
from datetime import date

from learnloop.generator import ScenarioConfig, generate, generate_with_truth

SMALL = ScenarioConfig(seed=7, sites=8, regions=2, months=3, start=date(2025, 10, 1))


def ndjson(config: ScenarioConfig) -> bytes:
    return b"".join(event.to_json_bytes() + b"\n" for event in generate(config))


def test_the_same_seed_gives_byte_identical_output() -> None:
    assert ndjson(SMALL) == ndjson(SMALL)


def test_another_seed_gives_other_data() -> None:
    other = ScenarioConfig(seed=8, sites=8, regions=2, months=3, start=date(2025, 10, 1))
    assert ndjson(SMALL) != ndjson(other)


def test_generate_with_truth_yields_the_same_events_as_generate() -> None:
    events, truth = generate_with_truth(SMALL)
    assert b"".join(event.to_json_bytes() + b"\n" for event in events) == ndjson(SMALL)
    assert truth.total_events == len(events)


def test_output_does_not_depend_on_the_process_hash_seed() -> None:
    script = (
        "import hashlib, sys\n"
        "from datetime import date\n"
        "from learnloop.generator import ScenarioConfig, generate\n"
        "config = ScenarioConfig(seed=7, sites=8, regions=2, months=3, start=date(2025, 10, 1))\n"
        "digest = hashlib.sha256()\n"
        "for event in generate(config):\n"
        "    digest.update(event.to_json_bytes() + b'\\n')\n"
        "print(digest.hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for hash_seed in ("1", "2")
    }
    assert digests == {hashlib.sha256(ndjson(SMALL)).hexdigest()}


def test_a_longer_scenario_starts_with_the_shorter_one() -> None:
    longer = ScenarioConfig(seed=7, sites=8, regions=2, months=4, start=date(2025, 10, 1))
    assert ndjson(longer).startswith(ndjson(SMALL))
