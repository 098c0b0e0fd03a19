"""`learnloop generate`: write a synthetic provider's fact events as NDJSON, with ground truth.

Mount with ``app.add_typer(generate_cli.app, name="generate")``: the options live on the app's
callback, so ``learnloop generate --seed 7 --output events.ndjson`` needs no sub-command.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from learnloop.generator import GroundTruth, ScenarioConfig, generate

app = typer.Typer(
    help="Generate realistic, reproducible synthetic events for a multi-site care provider.",
    add_completion=False,
)
DEFAULTS = ScenarioConfig()


@app.callback(invoke_without_command=True)
def generate_events(
    seed: Annotated[int, typer.Option(help="Same seed, same bytes.")] = DEFAULTS.seed,
    sites: Annotated[int, typer.Option(min=1, help="Number of sites.")] = DEFAULTS.sites,
    regions: Annotated[int, typer.Option(min=1, help="Number of regions.")] = DEFAULTS.regions,
    months: Annotated[int, typer.Option(min=1, help="Calendar months to cover.")] = DEFAULTS.months,
    start: Annotated[
        datetime,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="First month (its day is ignored).",
            show_default=DEFAULTS.start.isoformat(),
        ),
    ] = datetime(DEFAULTS.start.year, DEFAULTS.start.month, DEFAULTS.start.day),
    scale: Annotated[
        float, typer.Option(min=0.01, help="Multiplies incident, complaint and feedback volumes.")
    ] = DEFAULTS.scale,
    output: Annotated[
        Path | None, typer.Option(dir_okay=False, help="NDJSON file (default: stdout).")
    ] = None,
    truth: Annotated[
        Path | None, typer.Option(dir_okay=False, help="Write the ground truth here as JSON.")
    ] = None,
) -> None:
    """Write one CloudEvents JSON event per line, in time order; summarise on stderr."""
    try:
        config = ScenarioConfig(
            seed=seed, sites=sites, regions=regions, start=start.date(), months=months, scale=scale
        )
    except ValueError as problem:
        raise typer.BadParameter(str(problem)) from problem
    ground_truth = GroundTruth()
    began = time.perf_counter()
    if output is None:
        _write(typer.get_binary_stream("stdout"), config, ground_truth)
    else:
        with output.open("wb") as stream:
            _write(stream, config, ground_truth)
    if truth is not None:
        text = json.dumps(ground_truth.to_dict(), indent=2, sort_keys=True)
        truth.write_text(text + "\n", encoding="utf-8")
    counts = ", ".join(f"{n} {name}" for name, n in sorted(ground_truth.events_by_type.items()))
    typer.echo(
        f"generated {ground_truth.total_events} events ({counts}) for {sites} sites over "
        f"{months} months in {time.perf_counter() - began:.1f}s",
        err=True,
    )


def _write(stream: BinaryIO, config: ScenarioConfig, truth: GroundTruth) -> None:
    for event in generate(config, truth):
        stream.write(event.to_json_bytes() + b"\n")
    stream.flush()
