"""Run LearnLoop services as separate OS processes (the demo, end-to-end and crash tests)."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LISTEN_PORTS_FROM = 20_000


def ephemeral_low_bound() -> int:
    """The lowest port the kernel hands to outgoing connections (32768 when unknown)."""
    try:
        return int(EPHEMERAL_RANGE_FILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def free_port() -> int:
    """A TCP port nothing listens on right now, below the kernel's ephemeral range.

    A port the kernel picks for ``bind(0)`` lies inside the ephemeral range, so between this
    call and the service binding it an outgoing connection (a Kafka or database client) may
    take it and the service fails with "address already in use" (seen once in CI's fault
    suite). Ports below that range are never handed to outgoing connections."""
    high = ephemeral_low_bound()
    randomiser = random.Random()
    if high - LISTEN_PORTS_FROM > 1_000:
        for _ in range(200):
            port = randomiser.randrange(LISTEN_PORTS_FROM, high)
            if bindable(port):
                return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        chosen: int = sock.getsockname()[1]
        return chosen


def bindable(port: int) -> bool:
    """Whether a listener could bind ``port`` on the loopback address now."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class ServiceProcess:
    """``learnloop <service> serve`` in its own process, with its own environment."""

    def __init__(
        self, service: str, env: dict[str, str], log_file: Path, cwd: Path | None = None
    ) -> None:
        self.service = service
        self.cwd = cwd or Path.cwd()
        self.env = {**os.environ, **env}
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the process (logs go to ``log_file``)."""
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "learnloop", self.service, "serve"],
                env=self.env,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_healthy(self, port: int, path: str = "/healthz", within_s: float = 60) -> None:
        """Wait until the process answers 200 on ``path``."""
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.service} exited:\n{self.log_file.read_text()[-3000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.service} not healthy:\n{self.log_file.read_text()[-3000:]}")

    def kill(self) -> None:
        """kill -9: no clean shutdown, no flush, no commit."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM and wait (clean shutdown)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
