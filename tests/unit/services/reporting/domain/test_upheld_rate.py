"""The complaint upheld rate from complaint.resolved outcomes."""

from __future__ import annotations

import pytest

from services.reporting.domain.summary import upheld_rate


@pytest.mark.parametrize(
    ("outcomes", "rate"),
    [
        ({}, None),
        ({"withdrawn": 2}, None),
        ({"upheld": 1, "not_upheld": 1}, 0.5),
        ({"upheld": 1, "partly_upheld": 1, "not_upheld": 2, "withdrawn": 5}, 0.5),
        ({"partly_upheld": 3}, 1.0),
    ],
)
def test_upheld_rate(outcomes: dict[str, int], rate: float | None) -> None:
    assert upheld_rate(outcomes) == rate
