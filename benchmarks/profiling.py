"""``--profile``: py-spy records a flame graph of every service process a benchmark starts, while
it works, into ``<results>/profiles/<benchmark>-s<scale>-<process>.svg``.

py-spy samples from outside the process (``--nonblocking``: the service is never paused), so
the figures of a profiled run stay close to an unprofiled one; quote figures from runs without
``--profile`` all the same. It needs ptrace rights over the services (root, or
``kernel.yama.ptrace_scope = 0``).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import signal
import sys
from pathlib import Path

log = logging.getLogger(__name__)


def py_spy() -> str | None:
    """The py-spy executable (the venv's, else on PATH)."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


class Profiler:
    """Attach py-spy to processes; ``finish`` makes each write its flame graph."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._recorders: list[tuple[str, asyncio.subprocess.Process]] = []

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    async def attach(self, pid: int, name: str) -> None:
        """Start sampling ``pid`` (no-op when profiling is off)."""
        executable = py_spy()
        if self.folder is None:
            return
        if executable is None:
            log.warning("py-spy is not installed: no profile of %s", name)
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        output = self.folder / f"{name}.svg"
        recorder = await asyncio.create_subprocess_exec(
            executable, "record", "--pid", str(pid), "--output", str(output),
            "--format", "flamegraph", "--rate", "100", "--nonblocking",
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        self._recorders.append((name, recorder))

    async def finish(self) -> list[str]:
        """Stop every recorder (they write their SVG on SIGINT); the profiles written."""
        written = []
        for name, recorder in self._recorders:
            if recorder.returncode is None:
                recorder.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(recorder.wait(), 60)
            except TimeoutError:
                recorder.kill()
                await recorder.wait()
            assert self.folder is not None
            if (self.folder / f"{name}.svg").exists():
                written.append(f"{self.folder.name}/{name}.svg")
        self._recorders.clear()
        return written
