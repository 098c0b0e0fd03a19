"""`learnloop demo`: run LearnLoop end to end on a generated provider (see learnloop.demo)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import signal
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from learnloop import demo
from learnloop.generator import ScenarioConfig
from shared.settings import LearnLoopSettings


def available_services() -> list[str]:
    """The services this installation can run (reporting may be absent in a partial install)."""
    names = ["intake", "learning"]
    if importlib.util.find_spec("services.reporting.cli") is not None:
        names.append("reporting")
    return names


def history_start(months: int, today: date | None = None) -> date:
    """First day of the month ``months - 1`` months back, so the history ends this month."""
    today = today or date.today()
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def run(
    sites: Annotated[int, typer.Option(help="sites of the generated provider")] = 40,
    regions: Annotated[int, typer.Option(help="regions")] = 5,
    months: Annotated[int, typer.Option(help="months of history")] = 12,
    seed: Annotated[int, typer.Option(help="generator seed (same seed, same events)")] = 42,
    stay: Annotated[
        bool, typer.Option("--stay/--exit", help="keep the services running until Ctrl-C")
    ] = True,
) -> None:
    """Generate a multi-site provider and run it through intake, learning and reporting."""
    console = Console()
    settings = LearnLoopSettings()
    plan = demo.DemoPlan(home=settings.state_dir / "demo", kafka=settings.kafka)
    config = ScenarioConfig(
        seed=seed, sites=sites, regions=regions, months=months, start=history_start(months)
    )
    try:
        asyncio.run(demo.prepare(plan))
    except Exception as exc:
        console.print(
            f"[red]Kafka is not reachable at {plan.kafka.bootstrap_servers}[/red] "
            f"({type(exc).__name__}): start it with `learnloop infra kafka up` or `make demo`."
        )
        raise typer.Exit(code=1) from exc
    demo.write_sites(plan, config)
    key = asyncio.run(demo.demo_key(plan, config.provider_id))
    console.print(
        f"[bold]LearnLoop demo[/bold]: {sites} sites in {regions} regions, {months} months"
    )
    processes = []
    try:
        services = available_services()
        processes = demo.start_services(plan, services, console)
        started = time.monotonic()
        counts = asyncio.run(demo.publish(plan, key, config, console))
        publish_s = time.monotonic() - started
        learning_s = asyncio.run(demo.wait_for_group(plan.kafka, "learnloop-learning", console))
        updated = asyncio.run(demo.record_action_updates(plan, key))
        asyncio.run(asyncio.sleep(2))
        reporting_s = 0.0
        if "reporting" in services:
            reporting_s = asyncio.run(
                demo.wait_for_group(plan.kafka, "learnloop-reporting", console)
            )
        _print_results(console, plan, key, counts, updated, publish_s, learning_s, reporting_s)
        if stay:
            console.print("\nServices keep running. [bold]Ctrl-C[/bold] stops everything.")
            with contextlib.suppress(KeyboardInterrupt):
                signal.pause()
    except KeyboardInterrupt:
        console.print("\nstopping...")
    finally:
        for process in reversed(processes):
            process.stop()
        console.print("services stopped")


def _print_results(
    console: Console,
    plan: demo.DemoPlan,
    key: str,
    counts: dict[str, int],
    updated: dict[str, int],
    publish_s: float,
    learning_s: float,
    reporting_s: float,
) -> None:
    table = Table(title="What happened")
    table.add_column("step")
    table.add_column("figure", justify="right")
    generated = counts["generated"]
    table.add_row("events generated", str(generated))
    table.add_row("  accepted by the intake API", str(counts["intake_accepted"]))
    table.add_row("  already accepted on an earlier run", str(counts["intake_duplicate"]))
    table.add_row("  rejected by the intake API", str(counts["intake_rejected"]))
    table.add_row("  published straight to Kafka", str(counts["direct"]))
    table.add_row("publishing time", f"{publish_s:.1f} s ({generated / publish_s:.0f} events/s)")
    table.add_row("learning caught up after", f"{learning_s:.1f} s")
    table.add_row(
        "obligations recorded as met (late)",
        f"{updated['obligations_met']} ({updated['met_late']})",
    )
    table.add_row("improvement actions completed", str(updated["actions_completed"]))
    table.add_row("reporting caught up after", f"{reporting_s:.1f} s")
    console.print(table)
    summary = _governance(plan, key)
    if summary is not None:
        _print_summary(console, summary)
    else:
        console.print("[yellow]the reporting API did not answer; see its log[/yellow]")
    pack = _board_pack(plan, key)
    if pack is not None:
        console.print(f"\nBoard pack for {pack[0]}: {pack[1]}")
    console.print(f"\nDashboard:  {plan.url('reporting')}/?key={key}")
    console.print(f"Intake API: {plan.url('intake')}/docs")
    console.print(f"Ground truth: {plan.home / 'ground-truth.json'}")


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _print_summary(console: Console, summary: dict[str, Any]) -> None:
    """Quarter by quarter, the figures a governance meeting starts from."""
    periods = summary["periods"]
    table = Table(title="Governance summary (whole provider, by quarter)")
    table.add_column("")
    for period in periods:
        table.add_column(period["period"]["label"], justify="right")

    def row(label: str, pick: Any) -> None:
        table.add_row(label, *[str(pick(p)) for p in periods])

    def harm(p: dict[str, Any]) -> int:
        levels = p["incidents"]["by_physical_harm"]
        return int(levels["moderate"] + levels["severe"] + levels["fatal"])

    def kind(p: dict[str, Any], name: str) -> dict[str, Any]:
        return next((o for o in p["obligations"] if o["kind"] == name), {})

    row("incidents", lambda p: p["incidents"]["total"])
    row("  moderate harm or worse", harm)
    row("complaints", lambda p: p["complaints"]["total"])
    row("audit compliance", lambda p: _percent(p["audits"]["compliance_pct"]))
    row(
        "feedback (compliments)",
        lambda p: f"{p['feedback']['total']} ({p['feedback']['compliments']})",
    )
    row(
        "actions opened / completed",
        lambda p: f"{p['actions']['opened']} / {p['actions']['completed']}",
    )
    row("actions overdue", lambda p: p["actions"]["overdue"])
    row("verified effective", lambda p: _share(p["actions"]["share_verified_effective"]))

    def due_and_late(p: dict[str, Any], name: str) -> str:
        tally = kind(p, name)
        late = tally.get("met_late", 0) + tally.get("overdue", 0)
        return f"{tally.get('due', 0)} ({late})"

    for name in ("cqc_notification", "duty_of_candour", "safeguarding_referral"):
        label = f"{name.replace('_', ' ')} due (late or overdue)"
        row(label, lambda p, n=name: due_and_late(p, n))
    row("learning alerts / lessons", lambda p: f"{p['alerts_raised']} / {p['lessons_shared']}")
    console.print(table)
    rising = periods[-1]["themes"]["rising"][:5] if periods else []
    if rising:
        names = ", ".join(str(t.get("theme_id")) for t in rising)
        console.print(f"Rising in {periods[-1]['period']['label']}: {names}")


def last_full_quarter(today: date | None = None) -> str:
    """The calendar quarter before the current one, e.g. ``2026-Q3`` in November 2026."""
    today = today or date.today()
    index = today.year * 4 + (today.month - 1) // 3 - 1
    return f"{index // 4}-Q{index % 4 + 1}"


def _board_pack(plan: demo.DemoPlan, key: str) -> tuple[str, Path] | None:
    """Write the last full quarter's board pack (PDF) next to the demo's data."""
    period = last_full_quarter()
    try:
        response = httpx.get(
            f"{plan.url('reporting')}/v1/board-pack",
            params={"period": period, "format": "pdf"},
            headers={"X-API-Key": key},
            timeout=120,
        )
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    target = plan.home / f"board-pack-{period}.pdf"
    target.write_bytes(response.content)
    return period, target


def _governance(plan: demo.DemoPlan, key: str) -> dict[str, object] | None:
    try:
        response = httpx.get(
            f"{plan.url('reporting')}/v1/governance/summary",
            params={"granularity": "quarter"},
            headers={"X-API-Key": key},
            timeout=30,
        )
    except httpx.HTTPError:
        return None
    if response.status_code != 200:
        return None
    body: dict[str, object] = response.json()
    return body
