"""A real PostgreSQL server from Debian's packages, in a project-local cluster.

``up`` installs the server package if it is missing (root only), initialises a cluster, starts it
on 127.0.0.1 (port 55432 by default, so it never collides with a system server), creates the
``learnloop`` role and databases and waits until it accepts connections.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from learnloop.infra import process
from learnloop.infra.process import InfraError

DEFAULT_PORT = 55432
ROLE = "learnloop"
DATABASES = ("learnloop", "learnloop_test")


@dataclass(frozen=True)
class PostgresServer:
    """Where the local cluster lives and how to reach it."""

    home: Path
    port: int = DEFAULT_PORT

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_file(self) -> Path:
        return self.home / "postgres.log"

    def url(self, database: str = "learnloop") -> str:
        """SQLAlchemy async URL for one of the project's databases."""
        return f"postgresql+asyncpg://{ROLE}:{ROLE}@127.0.0.1:{self.port}/{database}"


def server(state_dir: Path, port: int = DEFAULT_PORT) -> PostgresServer:
    """The project-local server; as root, its files must be reachable by the postgres user."""
    home = state_dir.resolve() / "postgres"
    if os.geteuid() == 0 and not _postgres_user_can_reach(home.parent):
        # e.g. a clone inside a 0700 mktemp directory: keep the cluster where postgres can go.
        home = Path("/var/tmp") / f"learnloop-postgres-{port}"
    return PostgresServer(home=home, port=port)


def _postgres_user_can_reach(path: Path) -> bool:
    for parent in [path, *path.parents]:
        if parent.exists():
            mode = parent.stat().st_mode
            if not mode & 0o001:
                return False
    return True


def bin_dir() -> Path:
    """The newest installed server's binaries, installing Debian's package if needed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_major, reverse=True)
    if not found:
        _install_server()
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_major, reverse=True)
    if found:
        return found[0].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise InfraError("no PostgreSQL server binaries found (apt-get install postgresql)")


def _major(initdb: Path) -> int:
    try:
        return int(initdb.parent.parent.name)
    except ValueError:
        return 0


def _install_server() -> None:
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise InfraError("PostgreSQL is not installed: run `sudo apt-get install postgresql`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "postgresql"]):
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)


def _as_server_user(command: list[str]) -> list[str]:
    """Postgres refuses to run as root: drop to the ``postgres`` account when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_as_server_user(command), capture_output=True, text=True, check=False)


def up(pg: PostgresServer, *, timeout: float = 60.0) -> None:
    """Initialise (once) and start the cluster, create the role and databases, wait until ready."""
    binaries = bin_dir()
    if not (pg.data_dir / "PG_VERSION").exists():
        pg.home.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(pg.home, account.pw_uid, account.pw_gid)
        result = _run([
            str(binaries / "initdb"), "-D", str(pg.data_dir), "-U", "postgres",
            "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        ])  # fmt: skip
        if result.returncode != 0:
            raise InfraError(f"initdb failed:\n{result.stdout}{result.stderr}")
    if not is_running(pg):
        options = (
            f"-p {pg.port} -c listen_addresses=127.0.0.1 -k {pg.home} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200 -c shared_buffers=256MB"
        )
        result = _run([
            str(binaries / "pg_ctl"), "-D", str(pg.data_dir), "-l", str(pg.log_file),
            "-o", options, "-w", "-t", str(int(timeout)), "start",
        ])  # fmt: skip
        if result.returncode != 0:
            raise InfraError(
                f"PostgreSQL did not start:\n{result.stdout}{process.tail(pg.log_file)}"
            )
    if not process.wait_until(lambda: _ready(pg), timeout=timeout):
        raise InfraError(f"PostgreSQL is not accepting connections:\n{process.tail(pg.log_file)}")
    _create_role_and_databases(pg)


def _psql(pg: PostgresServer, sql: str, database: str = "postgres") -> str:
    result = _run([
        "psql", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-d", database,
        "-v", "ON_ERROR_STOP=1", "-tAc", sql,
    ])  # fmt: skip
    if result.returncode != 0:
        raise InfraError(f"psql failed: {result.stderr.strip()}")
    return result.stdout.strip()


def _create_role_and_databases(pg: PostgresServer) -> None:
    if not _psql(pg, f"SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}'"):
        _psql(pg, f"CREATE ROLE {ROLE} LOGIN PASSWORD '{ROLE}' CREATEDB")
    for database in DATABASES:
        if not _psql(pg, f"SELECT 1 FROM pg_database WHERE datname = '{database}'"):
            _psql(pg, f"CREATE DATABASE {database} OWNER {ROLE}")


def _ready(pg: PostgresServer) -> bool:
    result = subprocess.run(
        ["pg_isready", "-h", "127.0.0.1", "-p", str(pg.port)], capture_output=True, check=False
    )
    return result.returncode == 0


def is_running(pg: PostgresServer) -> bool:
    """True when the project's cluster has a live postmaster."""
    if not (pg.data_dir / "PG_VERSION").exists():
        return False
    return _run([str(bin_dir() / "pg_ctl"), "-D", str(pg.data_dir), "status"]).returncode == 0


def down(pg: PostgresServer) -> bool:
    """Stop the cluster (fast shutdown). False if it was not running."""
    if not is_running(pg):
        return False
    _run([str(bin_dir() / "pg_ctl"), "-D", str(pg.data_dir), "-m", "fast", "-w", "stop"])
    return True


def status(pg: PostgresServer) -> dict[str, object]:
    """Whether the server runs and accepts connections, and its URL."""
    return {
        "running": is_running(pg),
        "accepting": _ready(pg),
        "data_dir": str(pg.data_dir),
        "url": pg.url(),
    }


async def drop_database(connection: asyncpg.Connection, name: str, *, attempts: int = 50) -> None:
    """Drop database ``name`` (if it exists), ending the sessions still connected to it.

    ``WITH (FORCE)`` refuses when it meets an autovacuum worker in the database (a process of
    the bootstrap superuser, which an ordinary role may not end); a plain drop cancels the
    worker itself but waits out sessions of ours. So: force, and failing that end our own
    sessions and drop plainly, retrying for a few seconds.
    """
    for attempt in range(attempts):
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except asyncpg.InsufficientPrivilegeError:
            pass
        try:
            await connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 "
                "AND pid <> pg_backend_pid() AND usename = current_user",
                name,
            )
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            return
        except (asyncpg.ObjectInUseError, asyncpg.InsufficientPrivilegeError):
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.1)
