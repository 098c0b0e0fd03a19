"""`learnloop intake serve` settles the garbage collector before serving."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from services.intake import cli


@pytest.fixture
def collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_serve_freezes_the_start_up_heap_and_collects_less_often(
    collector: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[dict[str, Any]] = []

    def run(app: object, **options: Any) -> None:
        served.append({"frozen": gc.get_freeze_count(), "threshold": gc.get_threshold()})

    monkeypatch.setattr("uvicorn.run", run)
    monkeypatch.setattr("shared.logging.configure_logging", lambda **_: None)
    cli.serve(host="127.0.0.1", port=18999)
    [state] = served
    assert state["frozen"] > 10_000  # the modules, models and app built at start-up
    assert state["threshold"] == cli.GC_THRESHOLDS
