"""Compiled conditions give exactly what the interpreter (``evaluate``) gives.

``evaluate`` is the reference: every condition of the shipped rule files, and conditions made
up to reach the corners (missing paths, lists, absent values, flags against numbers), must give
the same facts, or the same ``None``, through ``Condition.facts_for``.
"""

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from learnloop.generator import ScenarioConfig, generate
from services.learning.domain.conditions import Condition, evaluate
from services.learning.domain.event_paths import values_at
from services.learning.domain.rulebook import Rulebook, load_rulebook
from shared.events import AnyFactEvent
from tests.unit.services.learning.domain.builders import audit, complaint, incident
from tests.unit.shared.events.examples import all_examples

RULEBOOK = load_rulebook()


def generated_facts() -> list[AnyFactEvent]:
    """Facts as the generator makes them: every type, realistic mixes of fields."""
    config = ScenarioConfig(seed=5, sites=30, regions=3, months=2, provider_id="acme")
    return list(itertools.islice(generate(config), 2500))


def corner_facts() -> list[AnyFactEvent]:
    """Examples and edge cases: one person or several, grades as numbers and words, audits."""
    return [
        *all_examples(),
        incident(people=["staff"]),
        incident(people=["service_user", "staff", "visitor"]),
        incident(category="pressure_damage", governance={"pressure_ulcer_grade": 3}),
        incident(category="pressure_damage", governance={"pressure_ulcer_grade": 4}),
        incident(category="pressure_damage", governance={"pressure_ulcer_grade": "unstageable"}),
        incident(governance={"serious_injury": True, "riddor_reportable": True}, people=["staff"]),
        incident(governance={}),
        complaint(category="safeguarding", is_funded_by="nhs"),
        audit(("Q?", "no", "missing"), ("Q2?", "yes", None), ("Q3?", "not_applicable", None)),
        audit(("Q?", "no", None), audit_type="dignity"),
    ]


EVENTS = [*generated_facts(), *corner_facts()]


def data_of(events: list[AnyFactEvent]) -> list[BaseModel]:
    """Every event's data, and every model inside a list of it (what ``where`` reads)."""
    found: list[BaseModel] = []
    for event in events:
        found.append(event.data)
        for name in type(event.data).model_fields:
            value = getattr(event.data, name)
            if isinstance(value, list):
                found.extend(item for item in value if isinstance(item, BaseModel))
    return found


DATA = data_of(EVENTS)


def impossible_data() -> list[BaseModel]:
    """Shapes the event contracts forbid but a reader must survive: empty lists, ``None`` and
    flags inside lists, a number where a flag is expected."""
    data = incident(people=["staff", "visitor"]).data
    return [
        data.model_copy(update={"people_involved": [], "involved_agents": []}),
        data.model_copy(update={"involved_agents": [None, "medications", True, 1]}),
        data.model_copy(update={"people_involved": [None, *data.people_involved]}),
        data.model_copy(update={"governance": data.governance.model_copy(update={"death": 1})}),
    ]


def parts(condition: Condition) -> Iterator[Condition]:
    """The condition and every condition inside it."""
    yield condition
    for part in (*(condition.all_of or ()), *(condition.any_of or ())):
        yield from parts(part)


def shipped_conditions(rulebook: Rulebook) -> list[tuple[str, Condition]]:
    found: list[tuple[str, Condition]] = []
    for rule in rulebook.field_rules:
        found.append((rule.id, rule.when))
    for kind in rulebook.obligations:
        for trigger in kind.triggers:
            for name, when in (("when", trigger.when), ("statutory", trigger.statutory_when)):
                if when is not None:
                    found.append((f"{kind.id}/{trigger.event_type}/{name}", when))
    for event_type, sources in rulebook.text_sources.items():
        for source in sources:
            if source.where is not None:
                found.append((f"{event_type}/{source.path}", source.where))
    return [(f"{name}#{i}", part) for name, when in found for i, part in enumerate(parts(when))]


SHIPPED = shipped_conditions(RULEBOOK)


def test_the_facts_cover_what_the_rules_read() -> None:
    """The comparison below means something: the shipped rules hold, and fail, on these facts."""
    held = [c for _, c in SHIPPED if any(evaluate(c, data) is not None for data in DATA)]
    failed = [c for _, c in SHIPPED if any(evaluate(c, data) is None for data in DATA)]
    assert len(held) > len(SHIPPED) * 0.8
    assert len(failed) > len(SHIPPED) * 0.8
    assert {type(event).__name__ for event in EVENTS} >= {
        "IncidentReported", "ComplaintReceived", "AuditCompleted", "FeedbackReceived",
    }  # fmt: skip


@pytest.mark.parametrize(("name", "condition"), SHIPPED, ids=[name for name, _ in SHIPPED])
def test_every_shipped_condition_compiles_to_what_the_interpreter_says(
    name: str, condition: Condition
) -> None:
    for data in [*DATA, *impossible_data()]:
        assert condition.facts_for(data) == evaluate(condition, data), (name, data)


# --- made-up conditions for the corners ---------------------------------------------------

PATHS = [
    "category", "physical_harm", "involved_agents", "medication_problem", "people_involved",
    "people_involved.role", "people_involved.person_ref", "governance", "governance.death",
    "governance.pressure_ulcer_grade", "governance.riddor_reportable", "governance.nope",
    "reported_at", "occurred_at", "items", "items.answer", "items.comment", "items.nope",
    "audit_type", "score", "kind", "topics", "rating", "is_funded_by", "nope", "nope.deeper",
    "answer", "comment", "role",
]  # fmt: skip
VALUES: list[Any] = [
    True, False, 0, 1, 2, 3, 4, -1, "", "0", "1", "true", "fall", "medication", "staff",
    "service_user", "no", "yes", "not_applicable", "low", "moderate", "unstageable", "nhs",
    "dignity", "compliment", "safeguarding", "medications",
]  # fmt: skip

values = st.sampled_from(VALUES)
leaves = st.builds(
    lambda path, operator: {"field": path, **operator},
    st.sampled_from(PATHS),
    st.one_of(
        st.builds(lambda v: {"equals": v}, values),
        st.builds(lambda v: {"one_of": v}, st.lists(values, min_size=1, max_size=4)),
        st.builds(lambda v: {"at_least": v}, st.integers(-2, 5)),
        st.builds(lambda v: {"present": v}, st.booleans()),
    ),
)
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda v: {"all": v}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda v: {"any": v}, st.lists(inner, min_size=1, max_size=3)),
    ),
    max_leaves=6,
)
CORNER_DATA = [*data_of(corner_facts()), *impossible_data(), *DATA[:: max(1, len(DATA) // 150)]]


@pytest.mark.parametrize(
    "raw",
    [
        {"field": "governance.death", "equals": True},
        {"field": "governance.death", "equals": 1},
        {"field": "governance.death", "one_of": [0, False]},
        {"field": "governance.death", "at_least": 1},
        {"field": "governance.pressure_ulcer_grade", "at_least": 3},
        {"field": "involved_agents", "equals": True},
        {"field": "involved_agents", "one_of": [1, "medications"]},
        {"field": "involved_agents", "present": True},
        {"field": "involved_agents", "present": False},
        {"field": "people_involved", "present": True},
        {"field": "people_involved.role", "one_of": ["staff", "visitor"]},
        {"field": "people_involved.nope", "present": False},
        {"field": "reported_at", "present": True},
        {"field": "reported_at", "equals": "2025-01-01"},
        {"any": [{"field": "category", "equals": "fall"}, {"field": "nope", "present": False}]},
        {"all": [{"field": "nope", "present": False}, {"field": "governance", "present": False}]},
    ],
)
def test_corners_compile_to_what_the_interpreter_says(raw: dict[str, Any]) -> None:
    condition = Condition.model_validate(raw)
    for data in CORNER_DATA:
        assert condition.facts_for(data) == evaluate(condition, data), data


@settings(max_examples=300, deadline=None, derandomize=True)
@given(conditions)
def test_made_up_conditions_compile_to_what_the_interpreter_says(raw: dict[str, Any]) -> None:
    condition = Condition.model_validate(raw)
    for data in CORNER_DATA:
        assert condition.facts_for(data) == evaluate(condition, data), (raw, data)


def test_the_made_up_paths_reach_lists_absent_values_and_missing_fields() -> None:
    """The corners are really in the data: lists, absent values, non-scalar values."""
    reached = {
        kind
        for data in CORNER_DATA
        for path in PATHS
        for concrete, value in values_at(data, path)
        for kind in (
            "list" if "[" in concrete else "plain",
            "model" if isinstance(value, BaseModel) else "value",
        )
    }
    assert reached == {"list", "plain", "model", "value"}
    assert any(not values_at(data, "governance.pressure_ulcer_grade") for data in CORNER_DATA)


def test_a_condition_compiles_once() -> None:
    condition = Condition.model_validate({"field": "category", "equals": "fall"})
    assert condition.facts_for is condition.facts_for
    assert condition == Condition.model_validate({"field": "category", "equals": "fall"})
