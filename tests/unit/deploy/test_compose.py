"""deploy/compose: `docker compose config` accepts the file for every profile (it validates
against the Compose specification's schema, no Docker engine needed), and the rendered project
fits LearnLoop: one Kafka topology at a time, real settings and commands, existing files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.unit.deploy.support import (
    REPO_ROOT,
    SERVICE_PORTS,
    SETTINGS_BY_SERVICE,
    cli_problem,
    compose_command,
    database_name,
    database_url_problem,
    script_commands,
    settings_problems,
)

COMPOSE_DIR = REPO_ROOT / "deploy" / "compose"
COMPOSE_FILE = COMPOSE_DIR / "compose.yaml"
PROFILE_SETS: tuple[tuple[str, ...], ...] = (
    (),
    ("cluster",),
    ("observability",),
    ("single", "observability"),
    ("cluster", "observability"),
)
KAFKA_NODES = {"kafka", "kafka-1", "kafka-2", "kafka-3"}

Project = dict[str, Any]


def compose(*args: str, compose_file: Path = COMPOSE_FILE) -> subprocess.CompletedProcess[str]:
    """`docker compose -f <file> <args>`, blind to the caller's COMPOSE_* variables."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    return subprocess.run(
        [*compose_command(), "-f", str(compose_file), *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


def profile_flags(profiles: tuple[str, ...]) -> list[str]:
    return [flag for profile in profiles for flag in ("--profile", profile)]


@cache
def project(profiles: tuple[str, ...] = ()) -> Project:
    """The project as Compose resolves it (interpolated, merged, profiles applied)."""
    result = compose(*profile_flags(profiles), "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    loaded: Project = json.loads(result.stdout)
    return loaded


@pytest.mark.parametrize("profiles", PROFILE_SETS, ids=lambda p: "+".join(p) or "default")
def test_compose_config_validates(profiles: tuple[str, ...]) -> None:
    result = compose(*profile_flags(profiles), "config", "--quiet")
    assert result.returncode == 0, result.stderr


def test_an_invalid_file_is_rejected(tmp_path: Path) -> None:
    broken_dir = tmp_path / "deploy" / "compose"
    shutil.copytree(COMPOSE_DIR, broken_dir)
    broken = broken_dir / "compose.yaml"
    broken.write_text(broken.read_text().replace("start_period: 10s", "start_periode: 10s"))
    result = compose("config", "--quiet", compose_file=broken)
    assert result.returncode != 0
    assert "start_periode" in result.stderr


def test_a_dependency_on_a_missing_service_is_rejected(tmp_path: Path) -> None:
    broken_dir = tmp_path / "deploy" / "compose"
    shutil.copytree(COMPOSE_DIR, broken_dir)
    broken = broken_dir / "compose.yaml"
    broken.write_text(
        broken.read_text().replace(
            "      postgres:\n        condition", "      postgre:\n        condition", 1
        )
    )
    result = compose("config", "--quiet", compose_file=broken)
    assert result.returncode != 0
    assert "postgre" in result.stderr


def kafka_env(service: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in service["environment"].items()}


def test_one_kafka_node_by_default() -> None:
    services = project()["services"]
    assert KAFKA_NODES & set(services) == {"kafka"}
    env = kafka_env(services["kafka"])
    assert services["kafka"]["image"] == "apache/kafka:4.1.1"
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:9093"
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"


def test_cluster_profile_runs_three_nodes_with_replication_3_and_min_isr_2() -> None:
    services = project(("cluster",))["services"]
    nodes = {name: kafka_env(services[name]) for name in ("kafka-1", "kafka-2", "kafka-3")}
    assert KAFKA_NODES & set(services) == set(nodes), "the single node must not run too"
    assert len({env["CLUSTER_ID"] for env in nodes.values()}) == 1
    voters = {f"{env['KAFKA_NODE_ID']}@{name}:9093" for name, env in nodes.items()}
    for name, env in nodes.items():
        assert services[name]["image"] == "apache/kafka:4.1.1"
        assert set(env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(",")) == voters
        assert env["KAFKA_ADVERTISED_LISTENERS"].startswith(f"PLAINTEXT://{name}:9092")
        assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_MIN_INSYNC_REPLICAS"] == "2"
        assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] == "2"
    # The services' bootstrap address, kafka:9092, reaches node 1 in the cluster too.
    assert services["kafka-1"]["networks"]["default"]["aliases"] == ["kafka"]


@pytest.mark.parametrize("profiles", [(), ("cluster",)], ids=["single", "cluster"])
def test_init_waits_for_every_kafka_node_and_postgres(profiles: tuple[str, ...]) -> None:
    services = project(profiles)["services"]
    waits = services["init"]["depends_on"]
    for name in KAFKA_NODES & set(services):
        assert waits[name]["condition"] == "service_healthy"
    assert waits["postgres"] == {"condition": "service_healthy", "required": True}
    for service in SERVICE_PORTS:
        assert services[service]["depends_on"]["init"]["condition"] == (
            "service_completed_successfully"
        )


def dockerfile_stages() -> set[str]:
    text = (REPO_ROOT / "Dockerfile").read_text()
    return set(re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", text, re.M | re.I))


def test_learnloop_images_build_from_the_repository_dockerfile() -> None:
    services = project(("observability",))["services"]
    built = {name: s["build"] for name, s in services.items() if "build" in s}
    assert set(built) == {*SERVICE_PORTS, "init", "ops-exporter"}
    for name, build in built.items():
        assert Path(build["context"]) == REPO_ROOT, name
        assert (REPO_ROOT / build["dockerfile"]).is_file(), name
        assert build["target"] in dockerfile_stages(), name
        expected_target = name if name in SERVICE_PORTS else "runtime"
        assert build["target"] == expected_target, name


def test_services_check_their_health_endpoint() -> None:
    services = project()["services"]
    for service, port in SERVICE_PORTS.items():
        check = " ".join(services[service]["healthcheck"]["test"])
        assert f"http://127.0.0.1:{port}/healthz" in check, service
        assert str(services[service]["environment"][f"LEARNLOOP_{service.upper()}__PORT"]) == str(
            port
        )
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "kafka-broker-api-versions" in " ".join(services["kafka"]["healthcheck"]["test"])


@pytest.mark.parametrize("profiles", [("single", "observability")], ids=["all"])
def test_every_variable_is_a_learnloop_setting_with_a_valid_value(
    profiles: tuple[str, ...],
) -> None:
    problems = []
    for name, service in project(profiles)["services"].items():
        if name not in SETTINGS_BY_SERVICE:
            continue
        environment = {k: str(v) for k, v in service["environment"].items()}
        problems += [
            f"{name}: {p}" for p in settings_problems(SETTINGS_BY_SERVICE[name], environment)
        ]
        problems += [
            f"{name}: {variable}: {problem}"
            for variable, value in environment.items()
            if variable.endswith("DATABASE_URL") and (problem := database_url_problem(value))
        ]
    assert problems == []


def test_every_container_runs_a_real_learnloop_command() -> None:
    services = project(("single", "observability"))["services"]
    problems = []
    for name in (*SERVICE_PORTS, "ops-exporter"):
        command = services[name].get("command")
        if command is None:  # the image's CMD for that target, checked in test_image.py
            continue
        problems += [p for p in [cli_problem(command)] if p]
    assert problems == []


def test_init_creates_topics_and_migrates_the_databases_postgres_creates() -> None:
    init = project()["services"]["init"]
    assert init["entrypoint"] == ["/bin/sh", "-ec"]
    # Compose prints `$$` (its escape for a literal `$`); the shell sees one.
    commands = script_commands(init["command"][0].replace("$$", "$"))
    assert commands[0] == ["learnloop", "topics", "ensure"]
    problems = [p for command in commands if (p := cli_problem(command[1:]))]
    assert problems == []
    for service in SERVICE_PORTS:
        assert ["learnloop", "db", "upgrade", "--branch", "shared", "--branch", service] in commands
    created = set(
        re.findall(
            r"CREATE DATABASE (\w+);", (COMPOSE_DIR / "postgres/init-databases.sql").read_text()
        )
    )
    urls = [v for k, v in init["environment"].items() if k.endswith("_DATABASE_URL")]
    assert {database_name(url) for url in urls} == created == set(SERVICE_PORTS)


def bind_mounts(profiles: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (name, volume)
        for name, service in project(profiles)["services"].items()
        for volume in service.get("volumes", [])
        if volume["type"] == "bind"
    ]


def test_every_mounted_file_exists() -> None:
    mounts = bind_mounts(("single", "observability"))
    assert mounts
    missing = [f"{name}: {m['source']}" for name, m in mounts if not Path(m["source"]).exists()]
    assert missing == []
    sources = {Path(m["source"]) for _, m in mounts}
    observability = REPO_ROOT / "deploy" / "observability"
    assert {observability / "alert-rules.yml", observability / "grafana-dashboard.json"} <= sources


def test_prometheus_scrapes_the_services_and_loads_the_alert_rules() -> None:
    services = project(("single", "observability"))["services"]
    config = yaml.safe_load((COMPOSE_DIR / "prometheus" / "prometheus.yml").read_text())
    targets = {
        target
        for job in config["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    expected = {f"{name}:{port}" for name, port in SERVICE_PORTS.items()}
    exporter_port = services["ops-exporter"]["environment"]["LEARNLOOP_OPS__EXPORTER_PORT"]
    assert targets == expected | {f"ops-exporter:{exporter_port}"}
    mounted = {m["target"] for name, m in bind_mounts(("observability",)) if name == "prometheus"}
    assert set(config["rule_files"]) <= mounted
    assert "/etc/prometheus/prometheus.yml" in mounted


def test_grafana_provisions_the_dashboard_and_its_data_source() -> None:
    mounted = {m["target"] for name, m in bind_mounts(("observability",)) if name == "grafana"}
    providers = yaml.safe_load(
        (COMPOSE_DIR / "grafana/provisioning/dashboards/learnloop.yaml").read_text()
    )["providers"]
    dashboard_dirs = {provider["options"]["path"] for provider in providers}
    assert {str(Path(target).parent) for target in mounted} >= dashboard_dirs
    datasources = yaml.safe_load(
        (COMPOSE_DIR / "grafana/provisioning/datasources/prometheus.yaml").read_text()
    )["datasources"]
    assert [source["url"] for source in datasources] == ["http://prometheus:9090"]


def test_published_ports_are_loopback_only_and_distinct() -> None:
    for profiles in PROFILE_SETS:
        published = [
            (port["host_ip"], port["published"])
            for service in project(profiles)["services"].values()
            for port in service.get("ports", [])
        ]
        assert all(host == "127.0.0.1" for host, _ in published), profiles
        assert len(published) == len(set(published)), profiles
