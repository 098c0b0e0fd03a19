"""The suite: run the chosen benchmarks at each scale, write ``<name>.json`` per benchmark and the
results README.

A benchmark of this package is a module with ``NAME``, ``DESCRIPTION`` and
``async def run(context: BenchContext) -> dict``. The reporting projection and governance query
benchmarks are written elsewhere and expose ``async def run(scale: int, quick: bool) -> dict``;
they are skipped, with a note, while they do not exist. A failing benchmark is recorded with its
error and the suite goes on.
"""

from __future__ import annotations

import importlib
import json
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from benchmarks.context import check_infra, new_run_id, open_context
from benchmarks.figures import figures_from_details
from benchmarks.machine import machine_info
from benchmarks.report import write_readme
from benchmarks.sizes import SIZES, Mode

SUITE = (
    "limits",
    "learning_service",
    "peer_baseline",
    "learning_apply",
    "intake",
    "reporting_projection",
    "freshness",
    "governance_query",
)
EXTERNAL = {"reporting_projection", "governance_query"}  # run(scale, quick), written elsewhere
EXTERNAL_TARGETS: dict[str, dict[str, tuple[str, float]]] = {  # the targets
    "reporting_projection": {"postgresql.events_per_s": (">=", 20_000)},
    "governance_query": {"p95_ms": ("<=", 200)},
}
UNSCALED = {"limits"}  # the broker's limits do not depend on LearnLoop's data volume
DEFAULT_SCALES: dict[Mode, tuple[int, ...]] = {"full": (1, 10), "quick": (1,), "smoke": (1,)}


@dataclass(frozen=True)
class SuiteOptions:
    """What to run, how big, and where results go."""

    mode: Mode
    scales: tuple[int, ...]
    only: tuple[str, ...]
    results: Path
    workdir: Path
    profile: bool = False


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"benchmarks.{name}":
            return None
        raise


async def _run_one(
    name: str, module: ModuleType, scale: int, options: SuiteOptions, run_id: str
) -> dict[str, Any]:
    if name in EXTERNAL:
        external: Callable[[int, bool], Awaitable[dict[str, Any]]] = module.run
        details = dict(await external(scale, options.mode != "full"))
        if "figures" not in details:
            details["figures"] = figures_from_details(details, EXTERNAL_TARGETS.get(name, {}))
        return details
    profiles = options.results / "profiles" if options.profile else None
    async with open_context(
        run_id=run_id, name=name, scale=scale, sizes=SIZES[options.mode],
        workdir=options.workdir, profiles=profiles,
    ) as context:  # fmt: skip
        own: Callable[[Any], Awaitable[dict[str, Any]]] = module.run
        return await own(context)


async def run_benchmark(
    name: str, options: SuiteOptions, run_id: str, machine: dict[str, Any]
) -> dict[str, Any]:
    """One benchmark at every scale; its JSON document."""
    module = _module(name)
    document: dict[str, Any] = {
        "benchmark": name,
        "description": getattr(module, "DESCRIPTION", ""),
        "mode": options.mode,
        "provisional": options.mode != "full",
        "run_id": run_id,
        "machine": machine,
        "scales": {},
    }
    if module is None or not callable(getattr(module, "run", None)):
        document["skipped"] = f"benchmarks/{name}.py does not exist yet (or has no run())"
        return document
    scales = options.scales[:1] if name in UNSCALED else options.scales
    for scale in scales:
        print(f"== {name} at scale {scale} ({options.mode})", flush=True)
        started = time.monotonic()
        try:
            outcome = await _run_one(name, module, scale, options, run_id)
        except Exception as exc:
            outcome = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
            print(outcome["traceback"], flush=True)
        outcome["wall_seconds"] = round(time.monotonic() - started, 1)
        outcome["run"] = _run_facts(run_id, machine)
        document["scales"][str(scale)] = outcome
        _print_figures(outcome)
    return document


def _print_figures(outcome: dict[str, Any]) -> None:
    for row in outcome.get("figures", []):
        met = {True: "met", False: "MISSED", None: ""}[row.get("met")]
        print(f"   {row['figure']}: {row['value']} {row['unit']} {row.get('target') or ''} {met}")
    if "error" in outcome:
        print(f"   error: {outcome['error']}")


async def run_suite(options: SuiteOptions) -> bool:
    """Run the suite; True when no benchmark failed."""
    await check_infra()
    run_id = new_run_id()
    machine = await machine_info()
    options.results.mkdir(parents=True, exist_ok=True)
    failed = False
    for name in options.only or SUITE:
        document = await run_benchmark(name, options, run_id, machine)
        failed = failed or any("error" in s for s in document["scales"].values())
        path = options.results / f"{name}.json"
        document = keep_other_scales(document, _previous(path))
        path.write_text(json.dumps(document, indent=2) + "\n")
        write_readme(options.results, machine)
    return not failed


def _run_facts(run_id: str, machine: dict[str, Any]) -> dict[str, Any]:
    """When and at which commit one scale was measured (a document may join several runs)."""
    keys = ("date", "git_commit", "git_dirty", "load_average_at_start", "python_reference_ms")
    return {"run_id": run_id, **{key: machine.get(key) for key in keys}}


def _previous(path: Path) -> dict[str, Any] | None:
    try:
        document = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    return document if isinstance(document, dict) else None


def keep_other_scales(document: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """``document`` plus the scales of the previous result of the same benchmark and mode that this
    run did not measure: `--scale 10` after a run at 1x keeps the 1x figures beside the 10x ones.
    A run in another mode replaces everything (quick figures never sit beside full ones)."""
    if (
        previous is None
        or previous.get("benchmark") != document["benchmark"]
        or previous.get("mode") != document["mode"]
        or not isinstance(previous.get("scales"), dict)
    ):
        return document
    kept = {s: o for s, o in previous["scales"].items() if s not in document["scales"]}
    merged = {**kept, **document["scales"]}
    ordered = dict(sorted(merged.items(), key=lambda item: int(item[0])))
    return {**document, "scales": ordered}
