"""Dockerfile: no Docker engine here to build it, so these tests lint it (dockerfile-utils, the
validator behind VS Code's Docker support) and check what the build depends on - the builder
stage's wheel carries every file the services need (migrations, rules, schemas), and each service
target runs a real command on the port its settings use."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from services.intake.settings import IntakeOptions
from services.learning.settings import LearningOptions
from services.reporting.settings import ReportingOptions
from tests.unit.deploy.support import REPO_ROOT, SERVICE_PORTS, cli_problem, find_tool

DOCKERFILE = REPO_ROOT / "Dockerfile"

Stage = list[tuple[str, str]]


def stages() -> dict[str, Stage]:
    """Stage name -> its (instruction, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    parsed: dict[str, Stage] = {}
    current: Stage = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        if instruction.upper() == "FROM":
            name = re.search(r"\bAS\s+(\S+)", arguments, re.I)
            assert name, f"unnamed stage: {line}"
            current = parsed.setdefault(name.group(1), [])
        current.append((instruction.upper(), arguments.strip()))
    return parsed


def last(stage: Stage, instruction: str) -> str:
    return [arguments for name, arguments in stage if name == instruction][-1]


def lint(dockerfile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(find_tool("dockerfile-utils")), "lint", str(dockerfile)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_dockerfile_passes_the_linter() -> None:
    result = lint(DOCKERFILE)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_the_linter_rejects_a_broken_dockerfile(tmp_path: Path) -> None:
    broken = tmp_path / "Dockerfile"
    broken.write_text(DOCKERFILE.read_text().replace("--interval=15s", "--intervall=15s"))
    result = lint(broken)
    assert result.returncode != 0
    assert "Unknown flag: intervall" in result.stdout


def test_the_default_target_is_intake_and_every_service_has_one() -> None:
    names = list(stages())
    assert names[-1] == "intake"
    assert set(names) == {"builder", "runtime", *SERVICE_PORTS}


def test_runtime_runs_learnloop_as_a_numeric_non_root_user() -> None:
    runtime = stages()["runtime"]
    assert last(runtime, "FROM").startswith("${PYTHON_IMAGE}")
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim$", DOCKERFILE.read_text(), re.M)
    user, _, group = last(runtime, "USER").partition(":")
    assert user.isdigit() and int(user) > 0 and group.isdigit()
    assert json.loads(last(runtime, "ENTRYPOINT")) == ["learnloop"]
    healthcheck = last(runtime, "HEALTHCHECK")
    assert "urllib.request.urlopen(os.environ['HEALTHCHECK_URL']" in healthcheck


@pytest.mark.parametrize(
    ("service", "default_port"),
    [
        ("intake", IntakeOptions().port),
        ("learning", LearningOptions().port),
        ("reporting", ReportingOptions().port),
    ],
)
def test_each_service_target_serves_and_checks_its_own_port(
    service: str, default_port: int
) -> None:
    stage = stages()[service]
    assert last(stage, "FROM") == f"runtime AS {service}"
    command = json.loads(last(stage, "CMD"))
    assert command == [service, "serve"]
    assert cli_problem(command) is None
    assert SERVICE_PORTS[service] == default_port
    assert last(stage, "EXPOSE") == str(default_port)
    assert last(stage, "ENV") == f"HEALTHCHECK_URL=http://127.0.0.1:{default_port}/healthz"


def builder_context(directory: Path) -> list[str]:
    """Copy what the builder stage COPYs into ``directory``; returns the copied paths."""
    directory.mkdir()
    copied: list[str] = []
    for instruction, arguments in stages()["builder"]:
        if instruction == "COPY":
            *sources, _destination = arguments.split()
            copied += sources
    for source in copied:
        origin = REPO_ROOT / source
        if origin.is_dir():
            ignore = shutil.ignore_patterns("__pycache__")
            shutil.copytree(origin, directory / source, ignore=ignore)
        else:
            shutil.copy2(origin, directory / source)
    return copied


def missing_from_wheel(context: Path, copied: list[str], out: Path) -> list[str]:
    """Build the wheel as the builder stage does (pip wheel) and list the copied source files
    it leaves out."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(context)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = out.glob("learnloop-*.whl")
    packaged = set(zipfile.ZipFile(wheel).namelist())
    sources = {
        path.relative_to(context).as_posix()
        for source in copied
        if (context / source).is_dir()
        for path in (context / source).rglob("*")
        if path.is_file()
    }
    assert sources
    return sorted(sources - packaged)


def test_the_builder_wheel_contains_every_source_file(tmp_path: Path) -> None:
    """A file the services read at run time (a migration, a rule file, a schema) that the
    distribution leaves out would be missing from the image, while every test run from the
    source tree still passes."""
    context = tmp_path / "context"
    copied = builder_context(context)
    assert missing_from_wheel(context, copied, tmp_path / "out") == []


def test_a_data_file_outside_the_package_data_is_reported(tmp_path: Path) -> None:
    context = tmp_path / "context"
    copied = builder_context(context)
    stray = context / "services" / "learning" / "rules" / "notes.txt"
    stray.write_text("not declared in [tool.setuptools.package-data]\n")
    assert "services/learning/rules/notes.txt" in missing_from_wheel(
        context, copied, tmp_path / "out"
    )


FIRST_PARTY = ("learnloop", "shared", "services")


class _Imports(ast.NodeVisitor):
    """Top-level names of the modules a file imports at run time (absolute imports outside
    ``if TYPE_CHECKING:`` blocks)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.names.update(alias.name.split(".")[0] for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level == 0 and node.module:
            self.names.add(node.module.split(".")[0])


def runtime_distributions() -> set[str]:
    """Every distribution `pip install learnloop` brings: [project].dependencies of
    pyproject.toml (not the dev extras) and, recursively, what they require."""
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    pending = [Requirement(text) for text in pyproject["project"]["dependencies"]]
    seen: set[tuple[str, frozenset[str]]] = set()
    while pending:
        requirement = pending.pop()
        key = (canonicalize_name(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = metadata.distribution(requirement.name).requires or []
        except metadata.PackageNotFoundError:
            continue
        extras = {"", *requirement.extras}
        pending += [
            sub
            for sub in map(Requirement, requires)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras)
        ]
    return {name for name, _ in seen}


def test_every_third_party_import_is_a_runtime_dependency() -> None:
    """The image installs the runtime dependencies only; a module the code imports that comes
    from a dev extra (or from nothing declared) works in the virtualenv and fails in the image."""
    runtime = runtime_distributions()
    providers = metadata.packages_distributions()
    undeclared: dict[str, set[str]] = {}
    for package in FIRST_PARTY:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            visitor = _Imports()
            visitor.visit(ast.parse(path.read_text()))
            for name in visitor.names - set(FIRST_PARTY) - set(sys.stdlib_module_names):
                if not {canonicalize_name(d) for d in providers.get(name, [])} & runtime:
                    undeclared.setdefault(name, set()).add(path.relative_to(REPO_ROOT).as_posix())
    assert {name: sorted(paths) for name, paths in undeclared.items()} == {}


def test_dev_extras_do_not_count_and_type_checking_imports_are_ignored() -> None:
    runtime = runtime_distributions()
    assert {"aiokafka", "asyncpg", "fastapi", "sqlalchemy", "greenlet"} <= runtime
    assert "pytest" not in runtime and "hypothesis" not in runtime
    visitor = _Imports()
    visitor.visit(
        ast.parse(
            "from typing import TYPE_CHECKING\nimport hypothesis.strategies\n"
            "if TYPE_CHECKING:\n    import pytest\nfrom . import sibling\n"
        )
    )
    assert visitor.names == {"typing", "hypothesis"}
