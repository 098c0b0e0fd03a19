"""Rising and falling themes need a minimum count, so one-offs do not make the agenda."""

from __future__ import annotations

from services.reporting.domain.themes import theme_movement

TITLES = {"falls": "Falls"}


def test_rising_needs_the_minimum_and_an_increase() -> None:
    movement = theme_movement(
        {"falls": 5, "medication": 2, "nutrition": 3, "dignity": 4},
        {"falls": 2, "medication": 1, "nutrition": 3, "dignity": 1},
        min_count=3,
        titles=TITLES,
    )
    assert [(c.theme_id, c.change) for c in movement.rising] == [("dignity", 3), ("falls", 3)]
    falls = movement.rising[1]
    assert (falls.title, falls.current, falls.previous, falls.change_pct) == ("Falls", 5, 2, 150.0)
    assert movement.falling == []


def test_falling_needs_the_minimum_last_period() -> None:
    movement = theme_movement(
        {"falls": 1, "medication": 0}, {"falls": 6, "medication": 2}, min_count=3, titles={}
    )
    assert [(c.theme_id, c.change, c.change_pct) for c in movement.falling] == [
        ("falls", -5, -83.3)
    ]
    assert movement.rising == []


def test_new_theme_has_no_percentage() -> None:
    [new] = theme_movement({"falls": 3}, {}, min_count=3, titles={}).rising
    assert (new.previous, new.change_pct, new.title) == (0, None, "falls")
