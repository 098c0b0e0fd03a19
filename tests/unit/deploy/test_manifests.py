"""deploy/kubernetes: every overlay renders with kustomize, every object matches the Kubernetes
OpenAPI schemas (kubernetes-validate, strict: unknown fields fail) or, for KEDA's objects, the
schema of KEDA's own CRD; and the manifests fit LearnLoop itself (settings, commands, ports)."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml
from kubernetes_validate.utils import latest_version  # type: ignore[import-untyped]

from shared.topics import FACT_TOPICS
from tests.unit.deploy.support import (
    INSTALL_HINT,
    REPO_ROOT,
    SERVICE_PORTS,
    SETTINGS_BY_SERVICE,
    TOOLS_DIR,
    cli_problem,
    database_url_problem,
    find_tool,
    script_commands,
    settings_problems,
)

Manifest = dict[str, Any]

KUBERNETES_DIR = REPO_ROOT / "deploy" / "kubernetes"
OVERLAYS = ("local", "production", "production-keda")
# The oldest Kubernetes we support and the newest kubernetes-validate knows.
KUBERNETES_VERSIONS = ("1.30.0", latest_version())
# Custom resources are allowed only when their CRD's schema is at hand to validate them.
CUSTOM_RESOURCE_CRDS = {
    ("keda.sh/v1alpha1", "ScaledObject"): "keda/keda.sh_scaledobjects.yaml",
    ("keda.sh/v1alpha1", "TriggerAuthentication"): "keda/keda.sh_triggerauthentications.yaml",
}
MEMORY_CEILING_MI = 300


# --- rendering and schema validation ----------------------------------------------------------


def render(directory: Path) -> list[Manifest]:
    """`kustomize build` of one overlay, as objects."""
    result = subprocess.run(
        [str(find_tool("kustomize")), "build", str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"kustomize build {directory} failed:\n{result.stderr}"
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def _strict(schema: Any) -> Any:
    """A CRD schema that rejects unknown fields, as the Kubernetes schemas do in strict mode.

    CRD schemas leave additionalProperties open because the API server prunes unknown fields
    instead of rejecting them; a typo would then vanish silently. Objects that declare their
    properties get additionalProperties: false unless they keep unknown fields on purpose.
    """
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    strict = {key: _strict(value) for key, value in schema.items()}
    if (
        "properties" in strict
        and "additionalProperties" not in strict
        and not strict.get("x-kubernetes-preserve-unknown-fields")
    ):
        strict["additionalProperties"] = False
    return strict


@cache
def crd_schema(crd_file: str, version: str) -> Any:
    """The strict openAPIV3Schema of one version of a CRD fetched by tools.sh."""
    path = TOOLS_DIR / "crds" / crd_file
    if not path.is_file():
        pytest.fail(f"CRD {crd_file} is missing: {INSTALL_HINT}")
    crd = yaml.safe_load(path.read_text())
    for served in crd["spec"]["versions"]:
        if served["name"] == version:
            return _strict(served["schema"]["openAPIV3Schema"])
    raise AssertionError(f"{crd_file} has no version {version}")


def schema_errors(objects: list[Manifest]) -> list[str]:
    """Each object checked against its schema: Kubernetes kinds for every supported version,
    allow-listed custom resources against their CRD; anything else is an error."""
    errors: list[str] = []
    for obj in objects:
        where = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
        crd_file = CUSTOM_RESOURCE_CRDS.get((obj.get("apiVersion", ""), obj.get("kind", "")))
        if crd_file is not None:
            schema = crd_schema(crd_file, obj["apiVersion"].split("/")[1])
            errors.extend(
                f"{where}: {'.'.join(map(str, error.absolute_path))}: {error.message}"
                for error in jsonschema.Draft7Validator(schema).iter_errors(obj)
            )
            continue
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(obj, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                path = ".".join(map(str, exc.path))
                errors.append(f"{where} (Kubernetes {version}): {path}: {exc.message}")
            except kubernetes_validate.SchemaNotFoundError:
                errors.append(f"{where}: no schema for {obj.get('apiVersion')} (CRD not allowed)")
                break
    return errors


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[Manifest]]:
    """Every overlay, rendered once for the module."""
    return {overlay: render(KUBERNETES_DIR / "overlays" / overlay) for overlay in OVERLAYS}


@pytest.fixture
def kubernetes_copy(tmp_path: Path) -> Path:
    """A scratch copy of deploy/kubernetes to break on purpose."""
    copy = tmp_path / "kubernetes"
    shutil.copytree(KUBERNETES_DIR, copy)
    return copy


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_of_the_overlay_matches_its_schema(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    assert schema_errors(rendered[overlay]) == []


def test_the_example_secret_is_a_valid_secret() -> None:
    example = yaml.safe_load((KUBERNETES_DIR / "base" / "secret.example.yaml").read_text())
    assert schema_errors([example]) == []


def test_a_misspelt_field_fails_validation(kubernetes_copy: Path) -> None:
    intake = kubernetes_copy / "base" / "intake.yaml"
    intake.write_text(intake.read_text().replace("readinessProbe:", "readynessProbe:"))
    errors = schema_errors(render(kubernetes_copy / "overlays" / "local"))
    assert errors and all("readynessProbe" in error for error in errors)


def test_a_wrongly_typed_value_fails_validation(kubernetes_copy: Path) -> None:
    learning = kubernetes_copy / "base" / "learning.yaml"
    learning.write_text(learning.read_text().replace("containerPort: 8082", "containerPort: x"))
    errors = schema_errors(render(kubernetes_copy / "overlays" / "local"))
    assert any("containerPort" in error and "'x'" in error for error in errors)


def test_a_broken_scaled_object_fails_its_crd_schema(kubernetes_copy: Path) -> None:
    scaled = kubernetes_copy / "components" / "keda" / "scaledobjects.yaml"
    scaled.write_text(scaled.read_text().replace("maxReplicaCount: 6", "maxReplicas: 6", 1))
    errors = schema_errors(render(kubernetes_copy / "overlays" / "production-keda"))
    assert any("ScaledObject/learning" in error and "maxReplicas" in error for error in errors)


def test_an_unknown_custom_resource_is_not_waved_through() -> None:
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert schema_errors([unknown]) == ["Widget/w: no schema for example.com/v1 (CRD not allowed)"]


# --- the manifests fit LearnLoop --------------------------------------------------------------


def by_kind(objects: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {obj["metadata"]["name"]: obj for obj in objects if obj["kind"] == kind}


def workloads(objects: list[Manifest]) -> Iterator[tuple[str, Manifest]]:
    """(name, pod spec) of every Deployment and Job that runs the LearnLoop image."""
    for obj in objects:
        if obj["kind"] in ("Deployment", "Job"):
            pod = obj["spec"]["template"]["spec"]
            if "learnloop" in pod["containers"][0]["image"]:
                yield obj["metadata"]["name"], pod


def container_environment(
    container: Manifest, objects: list[Manifest], secret_values: dict[str, str]
) -> dict[str, str]:
    """The environment a container starts with: its ConfigMaps, then its own variables (Secret
    references resolved from ``secret_values``)."""
    config_maps = by_kind(objects, "ConfigMap")
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        environment |= config_maps[source["configMapRef"]["name"]]["data"]
    for variable in container.get("env", []):
        if "value" in variable:
            environment[variable["name"]] = variable["value"]
        elif (ref := variable["valueFrom"]["secretKeyRef"])["key"] in secret_values:
            environment[variable["name"]] = secret_values[ref["key"]]
        elif not ref.get("optional"):
            raise AssertionError(f"{variable['name']}: no value for secret key {ref['key']}")
    return environment


def secret_values(objects: list[Manifest]) -> dict[str, str]:
    """The overlay's own Secret, else the documented example (production creates its own)."""
    secrets = [obj for obj in objects if obj["kind"] == "Secret"]
    if secrets:
        return {k: base64.b64decode(v).decode() for k, v in secrets[0]["data"].items()}
    example = yaml.safe_load((KUBERNETES_DIR / "base" / "secret.example.yaml").read_text())
    return dict(example["stringData"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_variable_is_a_learnloop_setting_with_a_valid_value(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    objects = rendered[overlay]
    values = secret_values(objects)
    problems = []
    for name, pod in workloads(objects):
        environment = container_environment(pod["containers"][0], objects, values)
        problems += [
            f"{name}: {p}" for p in settings_problems(SETTINGS_BY_SERVICE[name], environment)
        ]
        problems += [
            f"{name}: {variable}: {problem}"
            for variable, value in environment.items()
            if variable.endswith("DATABASE_URL") and (problem := database_url_problem(value))
        ]
    assert problems == []


def test_an_unknown_variable_is_reported(kubernetes_copy: Path) -> None:
    learning = kubernetes_copy / "base" / "learning.yaml"
    learning.write_text(learning.read_text().replace("LEARNING__GROUP_ID", "LEARNING__GRUOP_ID"))
    objects = render(kubernetes_copy / "overlays" / "local")
    pod = dict(workloads(objects))["learning"]
    environment = container_environment(pod["containers"][0], objects, secret_values(objects))
    assert settings_problems(SETTINGS_BY_SERVICE["learning"], environment) == [
        "LEARNLOOP_LEARNING__GRUOP_ID is not a setting of LearningSettings"
    ]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_runs_a_real_learnloop_command(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    problems = []
    for name, pod in workloads(rendered[overlay]):
        container = pod["containers"][0]
        if "command" in container:  # the provisioning Job: a shell script of learnloop commands
            commands = script_commands(container["args"][-1])
            problems += [
                f"{name}: {c[0]} is not learnloop" for c in commands if c[0] != "learnloop"
            ]
            problems += [p for c in commands if (p := cli_problem(c[1:]))]
        else:
            problems += [p for p in [cli_problem(container["args"])] if p]
    assert problems == []


def test_provisioning_creates_topics_and_migrates_each_service_database(
    rendered: dict[str, list[Manifest]],
) -> None:
    job = by_kind(rendered["local"], "Job")["learnloop-provision"]
    commands = script_commands(job["spec"]["template"]["spec"]["containers"][0]["args"][-1])
    assert ["learnloop", "topics", "ensure"] in commands
    for service in SERVICE_PORTS:
        assert ["learnloop", "db", "upgrade", "--branch", "shared", "--branch", service] in commands


def memory_mi(quantity: str) -> float:
    """A Kubernetes memory quantity in MiB."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(Ki|Mi|Gi)?", quantity)
    assert match, f"unexpected memory quantity {quantity!r}"
    number, unit = match.groups()
    return float(number) * {"Ki": 1 / 1024, "Mi": 1.0, "Gi": 1024.0, None: 1 / 2**20}[unit]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_have_health_probes_and_bounded_resources(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    deployments = by_kind(rendered[overlay], "Deployment")
    for service, port in SERVICE_PORTS.items():
        container = deployments[service]["spec"]["template"]["spec"]["containers"][0]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports == {"http": port}
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        resources = container["resources"]
        assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}
        assert memory_mi(resources["limits"]["memory"]) < MEMORY_CEILING_MI
        assert container["securityContext"]["readOnlyRootFilesystem"] is True


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_budgets_and_autoscalers_select_existing_pods(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    objects = rendered[overlay]
    deployments = by_kind(objects, "Deployment")
    pods = {name: d["spec"]["template"] for name, d in deployments.items()}
    for name, service in by_kind(objects, "Service").items():
        selected = [
            pod
            for pod in pods.values()
            if service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
        ] or [
            s["spec"]["template"]
            for s in by_kind(objects, "StatefulSet").values()
            if service["spec"]["selector"].items()
            <= s["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert len(selected) == 1, f"Service {name} selects {len(selected)} workloads"
        named_ports = {p["name"] for c in selected[0]["spec"]["containers"] for p in c["ports"]}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= named_ports, name
    for name, budget in by_kind(objects, "PodDisruptionBudget").items():
        labels = budget["spec"]["selector"]["matchLabels"].items()
        assert any(labels <= pod["metadata"]["labels"].items() for pod in pods.values()), name
    for scaler in [*by_kind(objects, "HorizontalPodAutoscaler").values()]:
        assert scaler["spec"]["scaleTargetRef"]["name"] in deployments
        assert "replicas" not in deployments[scaler["spec"]["scaleTargetRef"]["name"]]["spec"]
    for scaler in by_kind(objects, "ScaledObject").values():
        target = deployments[scaler["spec"]["scaleTargetRef"]["name"]]
        assert "replicas" not in target["spec"], "KEDA owns the replica count"


def test_consumers_scale_up_to_the_partition_count_and_no_further(
    rendered: dict[str, list[Manifest]],
) -> None:
    partitions = {topic.partitions for topic in FACT_TOPICS}
    assert partitions == {6}
    component = yaml.safe_load_all(
        (KUBERNETES_DIR / "components/keda/scaledobjects.yaml").read_text()
    )
    assert {obj["metadata"]["name"]: obj["spec"]["maxReplicaCount"] for obj in component} == {
        "learning": 6,
        "reporting": 6,
    }
    for scaler in by_kind(rendered["production-keda"], "ScaledObject").values():
        assert scaler["spec"]["maxReplicaCount"] <= 6
        metadata = scaler["spec"]["triggers"][0]["metadata"]
        assert metadata["allowIdleConsumers"] == "false"
        target = scaler["spec"]["scaleTargetRef"]["name"]
        env = {
            variable["name"]
            for variable in by_kind(rendered["production-keda"], "Deployment")[target]["spec"][
                "template"
            ]["spec"]["containers"][0]["env"]
        }
        assert metadata["consumerGroupFromEnv"] in env


def test_production_talks_sasl_ssl_to_kafka_and_verified_tls_to_postgres(
    rendered: dict[str, list[Manifest]],
) -> None:
    objects = rendered["production"]
    (config,) = by_kind(objects, "ConfigMap").values()
    assert config["data"]["LEARNLOOP_KAFKA__SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["data"]["LEARNLOOP_KAFKA__SASL_MECHANISM"].startswith("SCRAM")
    for name, pod in workloads(objects):
        env = {v["name"]: v for v in pod["containers"][0]["env"]}
        assert "LEARNLOOP_KAFKA__SASL_PASSWORD" in env, name
        if name != "ops-exporter":
            assert env["PGSSLROOTCERT"]["value"].startswith("/etc/learnloop/ca/"), name
    assert "Secret" not in {obj["kind"] for obj in objects}, "production Secrets are not in git"


def test_local_postgres_creates_the_same_databases_as_compose() -> None:
    local = KUBERNETES_DIR / "overlays" / "local" / "init-databases.sql"
    compose = REPO_ROOT / "deploy" / "compose" / "postgres" / "init-databases.sql"
    assert local.read_text() == compose.read_text()
