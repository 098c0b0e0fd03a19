"""Scenario configuration: validation and calendar months."""

from datetime import UTC, date, datetime

import pytest

from learnloop.generator import ScenarioConfig


@pytest.mark.parametrize(
    "changes",
    [{"sites": 0}, {"months": 0}, {"regions": 0}, {"sites": 3, "regions": 4}, {"scale": 0.0}],
)
def test_impossible_scenarios_are_rejected(changes: dict[str, int | float]) -> None:
    with pytest.raises(ValueError):
        ScenarioConfig(**changes)  # type: ignore[arg-type]


def test_months_are_calendar_months_from_the_start_month() -> None:
    config = ScenarioConfig(start=date(2024, 11, 17))
    assert config.month_bounds(0) == (
        datetime(2024, 11, 1, tzinfo=UTC),
        datetime(2024, 12, 1, tzinfo=UTC),
    )
    assert config.month_bounds(2)[0] == datetime(2025, 1, 1, tzinfo=UTC)
    assert config.month_bounds(-1)[0] == datetime(2024, 10, 1, tzinfo=UTC)


def test_configuration_is_json_ready() -> None:
    assert ScenarioConfig().to_dict()["start"] == "2025-01-01"
