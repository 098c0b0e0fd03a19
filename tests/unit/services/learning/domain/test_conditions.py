"""The condition language of the rule files: shapes, evaluation and facts."""

from typing import Any

import pytest
from pydantic import ValidationError

from services.learning.domain.conditions import Condition, condition_problems, evaluate
from services.learning.domain.event_paths import Fact
from shared.events import Incident
from tests.unit.services.learning.domain.builders import incident


def condition(raw: Any) -> Condition:
    return Condition.model_validate(raw)


GRADE_3 = incident(category="pressure_damage", governance={"pressure_ulcer_grade": 3}).data
UNSTAGEABLE = incident(
    category="pressure_damage", governance={"pressure_ulcer_grade": "unstageable"}
).data
TWO_PEOPLE = incident(people=["service_user", "staff"]).data


@pytest.mark.parametrize(
    ("raw", "data", "facts"),
    [
        ({"field": "category", "equals": "fall"}, TWO_PEOPLE, (Fact("category", "fall"),)),
        ({"field": "category", "equals": "medication"}, TWO_PEOPLE, None),
        (
            {"field": "people_involved.role", "one_of": ["staff", "visitor"]},
            TWO_PEOPLE,
            (Fact("people_involved[1].role", "staff"),),
        ),
        (
            {"field": "governance.pressure_ulcer_grade", "at_least": 3},
            GRADE_3,
            (Fact("governance.pressure_ulcer_grade", 3),),
        ),
        ({"field": "governance.pressure_ulcer_grade", "at_least": 3}, UNSTAGEABLE, None),
        ({"field": "medication_problem", "present": True}, TWO_PEOPLE, None),
        ({"field": "medication_problem", "present": False}, TWO_PEOPLE, ()),
        (
            {"field": "governance.death", "equals": False},
            TWO_PEOPLE,
            (Fact("governance.death", False),),
        ),
        ({"field": "governance.death", "equals": 0}, TWO_PEOPLE, None),  # 0 is not false
        (
            {
                "all": [
                    {"field": "category", "equals": "fall"},
                    {"field": "governance.death", "equals": True},
                ]
            },
            TWO_PEOPLE,
            None,
        ),
        (
            {
                "any": [
                    {"field": "category", "equals": "fall"},
                    {"field": "physical_harm", "one_of": ["low", "moderate"]},
                    {"field": "governance.death", "equals": True},
                ]
            },
            TWO_PEOPLE,
            (Fact("category", "fall"), Fact("physical_harm", "low")),
        ),
    ],
)
def test_evaluate_yields_the_facts_that_made_a_condition_true(
    raw: Any, data: Incident, facts: tuple[Fact, ...] | None
) -> None:
    assert evaluate(condition(raw), data) == facts


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"field": "category"},
        {"field": "category", "equals": "fall", "one_of": ["fall"]},
        {"equals": "fall"},
        {
            "all": [{"field": "category", "equals": "fall"}],
            "any": [{"field": "category", "equals": "fall"}],
        },
        {"all": []},
        {"field": "Category", "equals": "fall"},
        {"field": "category", "equals": "fall", "unless": True},
    ],
)
def test_malformed_conditions_are_rejected(raw: Any) -> None:
    with pytest.raises(ValidationError):
        condition(raw)


def test_a_condition_is_checked_against_the_event_model() -> None:
    raw = {
        "any": [
            {"field": "category", "one_of": ["fall", "trip"]},
            {"field": "nope", "present": True},
        ]
    }
    assert list(condition_problems(condition(raw), Incident, ("when",))) == [
        (
            ("when", "any", 0, "one_of", 1),
            "'trip' is not a possible value of 'category' (one of: behaviour, choking, death, "
            "environment, equipment, fall, infection, medication, missing_person, other, "
            "pressure_damage, safeguarding, self_harm, skin_damage, staffing)",
        ),
        (("when", "any", 1, "field"), "Incident has no field 'nope'"),
    ]


def test_facts_read_like_json() -> None:
    assert str(Fact("governance.death", True)) == "governance.death = true"
    assert str(Fact("physical_harm", "moderate")) == "physical_harm = 'moderate'"
    assert str(Fact("medication_problem", None)) == "medication_problem = null"
