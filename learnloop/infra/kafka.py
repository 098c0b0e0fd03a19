"""A real Apache Kafka 4.x broker in KRaft mode, assembled from Maven Central jars.

Single-node mode (one combined broker+controller on 127.0.0.1:9092) is the default; cluster mode
runs three combined nodes on one host (replication factor 3, min.insync.replicas 2) for fault tests.
Jars and data live under the project's ignored ``.learnloop/kafka`` folder; a second ``up``
reuses them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from learnloop.infra import process
from learnloop.infra.process import InfraError

KAFKA_VERSION = "4.1.1"
HEAP = {"single": "-Xmx512m", "cluster": "-Xmx384m"}


@dataclass(frozen=True)
class KafkaNode:
    """One combined broker+controller process."""

    node_id: int
    broker_port: int
    controller_port: int
    home: Path

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.broker_port}"

    @property
    def pid_file(self) -> Path:
        return self.home / "kafka.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "kafka.log"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def config_file(self) -> Path:
        return self.home / "server.properties"


@dataclass(frozen=True)
class KafkaDeployment:
    """The nodes of one local deployment (``single`` or ``cluster``) and where they live."""

    mode: str
    root: Path
    nodes: tuple[KafkaNode, ...]

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(node.bootstrap for node in self.nodes)

    @property
    def libs(self) -> Path:
        return self.root.parent / "libs"

    def node(self, node_id: int) -> KafkaNode:
        for node in self.nodes:
            if node.node_id == node_id:
                return node
        raise InfraError(f"no node {node_id} in the {self.mode} deployment")


def deployment(state_dir: Path, mode: str = "single") -> KafkaDeployment:
    """Describe the local deployment for ``mode`` ("single" or "cluster") under ``state_dir``."""
    root = state_dir.resolve() / "kafka" / mode
    if mode == "single":
        nodes: tuple[KafkaNode, ...] = (KafkaNode(1, 9092, 9093, root / "node1"),)
    elif mode == "cluster":
        nodes = tuple(KafkaNode(n, 19090 + n, 19190 + n, root / f"node{n}") for n in (1, 2, 3))
    else:
        raise InfraError(f"unknown Kafka mode {mode!r}: use 'single' or 'cluster'")
    return KafkaDeployment(mode=mode, root=root, nodes=nodes)


def ensure_jars(libs: Path) -> None:
    """Download the broker, its tools and the log4j2 binding with Maven, once."""
    marker = libs / f".complete-{KAFKA_VERSION}"
    if marker.exists():
        return
    if shutil.which("mvn") is None or shutil.which("java") is None:
        raise InfraError("Java 17+ and Maven are needed to assemble Kafka (apt-get install maven)")
    build = libs.parent / "build"
    build.mkdir(parents=True, exist_ok=True)
    pom = resources.files("learnloop.infra").joinpath("assets/kafka-pom.xml").read_text()
    (build / "pom.xml").write_text(pom.replace("@KAFKA_VERSION@", KAFKA_VERSION))
    if libs.exists():
        shutil.rmtree(libs)
    result = subprocess.run(
        [
            "mvn", "-q", "-B", "-f", str(build / "pom.xml"),
            "org.apache.maven.plugins:maven-dependency-plugin:3.7.1:copy-dependencies",
            "-DincludeScope=runtime", f"-DoutputDirectory={libs}",
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise InfraError(f"Maven could not fetch Kafka {KAFKA_VERSION}:\n{result.stdout[-3000:]}")
    marker.write_text(KAFKA_VERSION)


def server_properties(dep: KafkaDeployment, node: KafkaNode) -> str:
    """The broker configuration for ``node`` (KRaft, combined roles, loopback only)."""
    replication = len(dep.nodes)
    min_isr = 1 if replication == 1 else 2
    if dep.mode == "single":
        quorum = f"controller.quorum.bootstrap.servers=127.0.0.1:{node.controller_port}"
    else:
        voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in dep.nodes)
        quorum = f"controller.quorum.voters={voters}"
    lines = [
        "process.roles=broker,controller",
        f"node.id={node.node_id}",
        quorum,
        f"listeners=PLAINTEXT://127.0.0.1:{node.broker_port},"
        f"CONTROLLER://127.0.0.1:{node.controller_port}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{node.broker_port}",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        f"log.dirs={node.data_dir}",
        "num.partitions=6",
        f"default.replication.factor={replication}",
        f"min.insync.replicas={min_isr}",
        f"offsets.topic.replication.factor={replication}",
        f"transaction.state.log.replication.factor={replication}",
        f"transaction.state.log.min.isr={min_isr}",
        f"share.coordinator.state.topic.replication.factor={replication}",
        f"share.coordinator.state.topic.min.isr={min_isr}",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=true",
        # Deleted topics (tests create and delete many) release their files after a second.
        "file.delete.delay.ms=1000",
        # Small heaps: the cleaner's default 128 MiB dedupe buffer would eat most of it.
        "log.cleaner.dedupe.buffer.size=16777216",
        "num.network.threads=2",
        "num.io.threads=2",
    ]
    return "\n".join(lines) + "\n"


def _java(libs: Path, *args: str, heap: str = "-Xmx256m") -> list[str]:
    log_config = resources.files("learnloop.infra").joinpath("assets/log4j2.yaml")
    return [
        "java", "-Xms64m", heap, "-XX:+UseG1GC", "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={log_config}", "-cp", f"{libs}/*", *args,
    ]  # fmt: skip


def _cluster_id(dep: KafkaDeployment) -> str:
    id_file = dep.root / "cluster.id"
    if id_file.exists():
        return id_file.read_text().strip()
    out = subprocess.run(
        _java(dep.libs, "kafka.tools.StorageTool", "random-uuid"),
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    cluster_id = out.strip().splitlines()[-1]
    dep.root.mkdir(parents=True, exist_ok=True)
    id_file.write_text(cluster_id + "\n")
    return cluster_id


def _format(dep: KafkaDeployment, node: KafkaNode, cluster_id: str) -> None:
    if (node.data_dir / "meta.properties").exists():
        return
    args = ["kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(node.config_file)]
    if dep.mode == "single":
        args.append("--standalone")
    result = subprocess.run(_java(dep.libs, *args), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise InfraError(f"formatting node {node.node_id} failed:\n{result.stdout}{result.stderr}")


def start_node(dep: KafkaDeployment, node: KafkaNode) -> None:
    """Start one node (formatting its storage the first time); no-op if it already runs."""
    if process.read_pid(node.pid_file) is not None:
        return
    node.home.mkdir(parents=True, exist_ok=True)
    node.config_file.write_text(server_properties(dep, node))
    _format(dep, node, _cluster_id(dep))
    command = _java(dep.libs, "kafka.Kafka", str(node.config_file), heap=HEAP[dep.mode])
    process.start_detached(command, log_file=node.log_file, pid_file=node.pid_file, cwd=node.home)


def signal_node(node: KafkaNode, sig: signal.Signals) -> None:
    """Send ``sig`` to a node (fault injection: SIGKILL, SIGSTOP, SIGCONT)."""
    pid = process.read_pid(node.pid_file)
    if pid is None:
        raise InfraError(f"Kafka node {node.node_id} is not running")
    os.kill(pid, sig)


async def cluster_metadata(bootstrap_servers: str, wait_s: float = 5.0) -> dict[str, object]:
    """Ask the brokers for cluster metadata (cluster id, brokers, controller)."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers, request_timeout_ms=int(wait_s * 1000)
    )
    try:
        await asyncio.wait_for(admin.start(), wait_s)
        result: dict[str, object] = await asyncio.wait_for(admin.describe_cluster(), wait_s)
        return result
    finally:
        await admin.close()


def serving_brokers(bootstrap_servers: str) -> int:
    """How many brokers the cluster reports as registered; 0 when unreachable."""
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # polling a starting broker is noisy
    try:
        metadata = asyncio.run(cluster_metadata(bootstrap_servers, wait_s=3.0))
    except Exception:
        return 0
    finally:
        logging.getLogger("aiokafka").setLevel(logging.NOTSET)
    brokers = metadata.get("brokers")
    return len(brokers) if isinstance(brokers, list) else 0


def all_nodes_serve(dep: KafkaDeployment) -> bool:
    """True when every node answers on its own listener and sees the whole cluster.

    Asking each node directly matters: after a kill -9 the controller still lists the old
    incarnation of a node for a session timeout, while the restarted process is not serving yet.
    """
    wanted = len(dep.nodes)
    return all(serving_brokers(node.bootstrap) >= wanted for node in dep.nodes)


def up(dep: KafkaDeployment, *, timeout: float = 120.0) -> None:
    """Assemble (once), format (once) and start every node; return when all brokers serve."""
    ensure_jars(dep.libs)
    for node in dep.nodes:
        start_node(dep, node)
    ready = process.wait_until(
        lambda: all_nodes_serve(dep) or _any_died(dep),
        timeout=timeout,
        interval=1.0,
    )
    if not ready or _any_died(dep):
        logs = "\n".join(f"--- node {n.node_id}\n{process.tail(n.log_file)}" for n in dep.nodes)
        raise InfraError(f"Kafka ({dep.mode}) did not start serving within {timeout}s\n{logs}")


def _any_died(dep: KafkaDeployment) -> bool:
    return any(process.read_pid(node.pid_file) is None for node in dep.nodes)


def down(dep: KafkaDeployment) -> list[int]:
    """Stop every node that runs; return the ids of those stopped."""
    return [node.node_id for node in dep.nodes if process.stop(node.pid_file)]


def status(dep: KafkaDeployment) -> dict[str, object]:
    """Process state per node and what the cluster itself reports."""
    nodes = {
        node.node_id: {"pid": process.read_pid(node.pid_file), "bootstrap": node.bootstrap}
        for node in dep.nodes
    }
    try:
        metadata: dict[str, object] = asyncio.run(cluster_metadata(dep.bootstrap_servers, 3.0))
    except Exception as exc:
        metadata = {"error": type(exc).__name__}
    return {"mode": dep.mode, "nodes": nodes, "cluster": metadata}
