"""What the deployment tests share: the pinned tools, and checks against LearnLoop's own code
(settings variables, CLI commands) that no Kubernetes or Compose schema knows about."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from unittest import mock

import pytest
import typer
import typer.core
from pydantic import BaseModel, ValidationError

from learnloop.cli import app as learnloop_app
from learnloop.ops.settings import OpsSettings
from services.intake.settings import IntakeSettings
from services.learning.settings import LearningSettings
from services.reporting.settings import ReportingSettings
from shared.config_reference import render_reference
from shared.settings import DatabaseSettings, LearnLoopSettings

REPO_ROOT = Path(__file__).resolve().parents[3]
TOOLS_DIR = REPO_ROOT / ".learnloop" / "tools"
INSTALL_HINT = "run `bash deploy/kubernetes/tools.sh` (pinned tools into .learnloop/tools/)"

# Which settings model reads a container's environment, by service (Compose service or
# Kubernetes workload name); one-shot provisioning reads the shared settings only.
SETTINGS_BY_SERVICE: dict[str, type[LearnLoopSettings]] = {
    "intake": IntakeSettings,
    "learning": LearningSettings,
    "reporting": ReportingSettings,
    "ops-exporter": OpsSettings,
    "init": LearnLoopSettings,
    "learnloop-provision": LearnLoopSettings,
}
SERVICE_PORTS = {"intake": 8081, "learning": 8082, "reporting": 8083}


def find_tool(name: str) -> Path:
    """The tool tools.sh pinned, else one on PATH; the calling test fails (never skips) without."""
    pinned = TOOLS_DIR / "bin" / name
    if pinned.is_file() and os.access(pinned, os.X_OK):
        return pinned
    found = shutil.which(name)
    if found:
        return Path(found)
    pytest.fail(f"{name} is not installed: {INSTALL_HINT}")


def compose_command() -> list[str]:
    """`docker compose` as a command line: the pinned binary, the docker CLI plugin, or v2's
    standalone docker-compose."""
    pinned = TOOLS_DIR / "bin" / "docker-compose"
    if pinned.is_file() and os.access(pinned, os.X_OK):
        return [str(pinned)]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return [str(find_tool("docker-compose"))]


@cache
def settings_variables(model: type[BaseModel]) -> frozenset[str]:
    """Every LEARNLOOP_* variable ``model`` reads, from the generated configuration reference."""
    return frozenset(re.findall(r"^\| `(LEARNLOOP_[A-Z0-9_]+)`", render_reference(model), re.M))


def settings_problems(model: type[BaseModel], environment: Mapping[str, str]) -> list[str]:
    """Why ``environment`` is not a valid configuration of ``model``: variables the model does not
    know (pydantic-settings ignores them silently) and values its validators reject."""
    ours = {name: value for name, value in environment.items() if name.startswith("LEARNLOOP_")}
    problems = [
        f"{name} is not a setting of {model.__name__}"
        for name in sorted(set(ours) - settings_variables(model))
    ]
    with mock.patch.dict(os.environ, ours, clear=True):
        try:
            model()
        except ValidationError as exc:
            problems.extend(
                f"{model.__name__}: {'.'.join(map(str, error['loc']))}: {error['msg']}"
                for error in exc.errors()
            )
    return problems


def database_url_problem(url: str) -> str | None:
    """Why ``url`` would be rejected as LEARNLOOP_DATABASE__URL, or None."""
    try:
        DatabaseSettings(url=url)
    except ValidationError as exc:
        return f"{url!r}: {exc.errors()[0]['msg']}"
    return None


def cli_problem(argv: Sequence[str]) -> str | None:
    """Why ``learnloop <argv>`` would not start, or None: unknown (sub)commands and options are
    found by parsing the arguments with the real CLI, without running the command."""
    command = typer.main.get_command(learnloop_app)
    context = typer.Context(command, info_name="learnloop")
    rest = list(argv)
    while isinstance(command, typer.core.TyperGroup) and rest:
        sub = command.get_command(context, rest[0])
        if sub is None:
            return f"`learnloop {' '.join(argv)}`: no command {rest[0]!r}"
        context = typer.Context(sub, info_name=rest[0], parent=context)
        command, rest = sub, rest[1:]
    if isinstance(command, typer.core.TyperGroup):
        return f"`learnloop {' '.join(argv)}` names a group, not a command"
    try:
        command.make_context(command.name, rest, parent=context)
    except typer.TyperException as exc:
        return f"`learnloop {' '.join(argv)}`: {exc}"
    return None


def script_commands(script: str) -> list[list[str]]:
    """The `learnloop` invocations of a provisioning shell script, one per line, without the
    leading NAME=value assignments."""
    commands = []
    for line in script.splitlines():
        words = shlex.split(line)
        while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
            words = words[1:]
        if words:
            commands.append(words)
    return commands


def database_name(url: str) -> str:
    """The database a PostgreSQL URL points at."""
    return url.rsplit("/", 1)[-1].split("?", 1)[0]
