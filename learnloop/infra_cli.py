"""`learnloop infra ...`: start, stop and inspect the local Kafka and PostgreSQL servers."""

from __future__ import annotations

import json
import signal
from typing import Annotated

import typer

from learnloop.infra import kafka, postgres
from learnloop.infra.process import InfraError
from shared.settings import LearnLoopSettings

app = typer.Typer(help="Local real infrastructure: Apache Kafka (KRaft) and PostgreSQL.")
kafka_app = typer.Typer(help="Apache Kafka 4.x from Maven Central jars, KRaft mode, loopback.")
postgres_app = typer.Typer(help="PostgreSQL from Debian's packages in a project-local cluster.")
app.add_typer(kafka_app, name="kafka")
app.add_typer(postgres_app, name="postgres")

Mode = Annotated[
    str, typer.Option("--mode", help="single (one node, :9092) or cluster (3 nodes, :19091-3)")
]


def _kafka(mode: str) -> kafka.KafkaDeployment:
    return kafka.deployment(LearnLoopSettings().state_dir, mode)


def _pg() -> postgres.PostgresServer:
    return postgres.server(LearnLoopSettings().state_dir)


def _fail(exc: InfraError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(code=1)


@kafka_app.command("up")
def kafka_up(mode: Mode = "single") -> None:
    """Assemble (first time), start and wait until every broker serves requests."""
    dep = _kafka(mode)
    try:
        kafka.up(dep)
    except InfraError as exc:
        raise _fail(exc) from exc
    typer.echo(f"kafka {mode} serving at {dep.bootstrap_servers}")


@kafka_app.command("down")
def kafka_down(mode: Mode = "single") -> None:
    """Stop the nodes (data is kept for the next `up`)."""
    stopped = kafka.down(_kafka(mode))
    typer.echo(
        f"kafka {mode}: stopped nodes {stopped}" if stopped else f"kafka {mode}: not running"
    )


@kafka_app.command("status")
def kafka_status(mode: Mode = "single") -> None:
    """Node processes and cluster metadata; exit code 1 when not serving."""
    report = kafka.status(_kafka(mode))
    typer.echo(json.dumps(report, indent=2, default=str))
    if "error" in report["cluster"]:  # type: ignore[operator]
        raise typer.Exit(code=1)


@kafka_app.command("signal")
def kafka_signal(
    node: Annotated[int, typer.Argument(help="node id (1-3 in cluster mode)")],
    name: Annotated[str, typer.Argument(help="KILL, STOP, CONT or TERM")],
    mode: Mode = "cluster",
) -> None:
    """Fault injection: send a signal to one node."""
    dep = _kafka(mode)
    try:
        kafka.signal_node(dep.node(node), signal.Signals[f"SIG{name.upper()}"])
    except (InfraError, KeyError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from exc


@kafka_app.command("start-node")
def kafka_start_node(node: int, mode: Mode = "cluster") -> None:
    """Restart one node after a fault (storage is not formatted again)."""
    dep = _kafka(mode)
    kafka.start_node(dep, dep.node(node))


@postgres_app.command("up")
def postgres_up() -> None:
    """Install if missing, initialise (first time), start and create the databases."""
    pg = _pg()
    try:
        postgres.up(pg)
    except InfraError as exc:
        raise _fail(exc) from exc
    typer.echo(f"postgres serving: {pg.url()}")


@postgres_app.command("down")
def postgres_down() -> None:
    """Stop the cluster (data is kept)."""
    typer.echo("postgres stopped" if postgres.down(_pg()) else "postgres: not running")


@postgres_app.command("status")
def postgres_status() -> None:
    """Whether the server runs and accepts connections; exit code 1 when not."""
    report = postgres.status(_pg())
    typer.echo(json.dumps(report, indent=2))
    if not report["accepting"]:
        raise typer.Exit(code=1)


@app.command("up")
def up(mode: Mode = "single") -> None:
    """Start Kafka and PostgreSQL."""
    kafka_up(mode)
    postgres_up()


@app.command("down")
def down(mode: Mode = "single") -> None:
    """Stop Kafka and PostgreSQL."""
    kafka_down(mode)
    postgres_down()
