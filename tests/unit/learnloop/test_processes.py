"""Ports for services run as processes: outside the range outgoing connections use."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from learnloop import processes


def test_free_port_lies_below_the_ephemeral_range_and_is_bindable() -> None:
    low = processes.ephemeral_low_bound()
    ports = {processes.free_port() for _ in range(50)}
    assert all(processes.LISTEN_PORTS_FROM <= port < low for port in ports)
    assert all(processes.bindable(port) for port in ports)
    assert len(ports) > 1


def test_a_port_in_use_is_not_bindable() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert not processes.bindable(listener.getsockname()[1])


def test_unknown_ephemeral_range_falls_back_to_the_linux_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "absent"
    monkeypatch.setattr(processes, "EPHEMERAL_RANGE_FILE", missing)
    assert processes.ephemeral_low_bound() == 32_768
    (garbled := tmp_path / "garbled").write_text("not numbers")
    monkeypatch.setattr(processes, "EPHEMERAL_RANGE_FILE", garbled)
    assert processes.ephemeral_low_bound() == 32_768


def test_a_narrow_low_range_falls_back_to_a_kernel_chosen_port(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (narrow := tmp_path / "range").write_text("20100\t60999\n")
    monkeypatch.setattr(processes, "EPHEMERAL_RANGE_FILE", narrow)
    port = processes.free_port()
    assert port >= 20100
