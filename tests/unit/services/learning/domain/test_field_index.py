"""The field-rule index lets a fact meet only the rules that can hold, and changes nothing."""

import pytest

from services.learning.domain.conditions import Condition, evaluate
from services.learning.domain.field_index import FieldIndex, needed_values
from services.learning.domain.theme_rules import FieldRule
from tests.unit.services.learning.domain.builders import incident
from tests.unit.services.learning.domain.test_compiled_conditions import (
    CORNER_DATA,
    DATA,
    EVENTS,
    RULEBOOK,
)


def every_rule_tried(rules: tuple[FieldRule, ...], data: object) -> list[tuple[str, object]]:
    found = [(rule.id, evaluate(rule.when, data)) for rule in rules]  # type: ignore[arg-type]
    return [(rule_id, facts) for rule_id, facts in found if facts is not None]


def test_the_index_finds_what_trying_every_rule_in_order_finds() -> None:
    for event in EVENTS:
        rules = tuple(rule for rule in RULEBOOK.field_rules if rule.event_type == event.type)
        index = RULEBOOK.rules_for(event.type)[0]
        assert index.rules == rules
        found = [(rule.id, facts) for rule, facts in index.matching(event.data)]
        assert found == every_rule_tried(rules, event.data), event.id


def test_the_index_agrees_on_the_corners_too() -> None:
    index = FieldIndex(RULEBOOK.field_rules)  # every type's rules: every gate on every data
    for data in [*CORNER_DATA, *DATA[::50]]:
        found = [(rule.id, facts) for rule, facts in index.matching(data)]
        assert found == every_rule_tried(RULEBOOK.field_rules, data)


def rule(rule_id: str, when: object) -> FieldRule:
    return FieldRule.model_validate(
        {"id": rule_id, "theme": "falls", "event_type": "incident.reported", "when": when}
    )


def test_a_flag_does_not_let_through_a_rule_comparing_with_a_number() -> None:
    """True == 1 in Python: the index keeps them apart, as the conditions do."""
    data = incident(governance={"serious_injury": True}).data
    index = FieldIndex(
        (
            rule("one", {"field": "governance.serious_injury", "equals": 1}),
            rule("flag", {"field": "governance.serious_injury", "equals": True}),
            rule("absent", {"field": "governance.nope", "present": False}),
        )
    )
    assert [found.id for found, _ in index.matching(data)] == ["flag", "absent"]


@pytest.mark.parametrize(
    ("raw", "need"),
    [
        ({"field": "category", "equals": "fall"}, ("category", ("fall",))),
        ({"field": "category", "one_of": ["fall", "choking"]}, ("category", ("fall", "choking"))),
        ({"field": "category", "present": True}, None),
        ({"field": "governance.pressure_ulcer_grade", "at_least": 3}, None),
        (
            {"all": [{"field": "nope", "present": False}, {"field": "kind", "equals": "x"}]},
            ("kind", ("x",)),
        ),
        ({"any": [{"field": "category", "equals": "fall"}]}, None),
    ],
)
def test_what_a_condition_needs(raw: object, need: object) -> None:
    assert needed_values(Condition.model_validate(raw)) == need
