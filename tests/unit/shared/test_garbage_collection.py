"""Every service's `serve` settles the garbage collector before serving."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from services.intake import cli as intake_cli
from services.learning import cli as learning_cli
from services.reporting import cli as reporting_cli
from shared.garbage_collection import GC_THRESHOLDS, INTAKE_GC_THRESHOLDS


@pytest.fixture
def collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.parametrize(
    ("serve", "thresholds"),
    [
        (lambda: intake_cli.serve(host="127.0.0.1", port=18999), INTAKE_GC_THRESHOLDS),
        (learning_cli.serve, GC_THRESHOLDS),
        (reporting_cli.serve, GC_THRESHOLDS),
    ],
    ids=["intake", "learning", "reporting"],
)
def test_serve_freezes_the_start_up_heap_and_collects_less_often(
    serve: Callable[[], None],
    thresholds: tuple[int, int, int],
    collector: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    served: list[dict[str, Any]] = []

    def run(app: object, **options: Any) -> None:
        served.append({"frozen": gc.get_freeze_count(), "threshold": gc.get_threshold()})

    monkeypatch.setattr("uvicorn.run", run)
    monkeypatch.setattr("shared.logging.configure_logging", lambda **_: None)
    serve()
    [state] = served
    assert state["frozen"] > 10_000  # the modules, models and app built at start-up
    assert state["threshold"] == thresholds
