"""Learning persistence throughput: facts applied per second by LearningPipeline.apply in
batches, on SQLite and PostgreSQL (no Kafka: this isolates the database work per batch).

    python -m benchmarks.learning_apply [--events N] [--batch N] [--postgres URL]

Writes benchmarks/results/learning_apply.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import tempfile
import time
from pathlib import Path

from learnloop.generator import ScenarioConfig, generate
from services.learning.domain.action_rules import load_action_rules
from services.learning.domain.rulebook import load_rulebook
from services.learning.pipeline import LearningPipeline
from shared.database import create_engine
from shared.migrate import upgrade
from shared.settings import DatabaseSettings, KafkaSettings

RESULTS = Path(__file__).with_name("results")


async def measure(url: str, events: int, batch: int) -> dict[str, float]:
    engine = create_engine(DatabaseSettings(url=url))
    await upgrade(engine, ("shared", "learning"))
    pipeline = LearningPipeline(
        engine=engine, rulebook=load_rulebook(), action_rules=load_action_rules(),
        kafka=KafkaSettings(),
    )  # fmt: skip
    facts = list(generate(ScenarioConfig(seed=11, sites=40, months=12)))[:events]
    started = time.perf_counter()
    for start in range(0, len(facts), batch):
        await pipeline.apply(facts[start : start + batch])
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return {"events": len(facts), "seconds": round(elapsed, 2),
            "events_per_s": round(len(facts) / elapsed, 1)}  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--postgres", default=None, help="an EMPTY database URL")
    args = parser.parse_args()
    results: dict[str, object] = {
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
        "batch": args.batch,
    }
    with tempfile.TemporaryDirectory() as folder:
        results["sqlite"] = await measure(
            f"sqlite+aiosqlite:///{folder}/bench.db", args.events, args.batch
        )
    if args.postgres:
        results["postgresql"] = await measure(args.postgres, args.events, args.batch)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "learning_apply.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
