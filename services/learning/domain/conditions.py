"""Conditions on an event's structured fields, as written in the rule data files.

A condition is one JSON object of one of these shapes::

    {"field": "category", "equals": "fall"}
    {"field": "physical_harm", "one_of": ["moderate", "severe", "fatal"]}
    {"field": "governance.pressure_ulcer_grade", "at_least": 3}
    {"field": "medication_problem", "present": true}
    {"all": [condition, ...]}      every condition holds
    {"any": [condition, ...]}      at least one condition holds

Paths are relative to the event's ``data`` and may pass through lists (``items.answer``): the
condition then holds when any element's value does. Evaluating a condition yields the facts that
made it true, so every theme or obligation can say why it applies.

:func:`evaluate` interprets a condition and is the reference; the rules are applied through
``Condition.facts_for``, the same condition compiled once into plain functions
(:mod:`services.learning.domain.compiled_conditions`).
"""

from collections.abc import Iterator
from functools import cached_property
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from services.learning.domain.compiled_conditions import ConditionTest, compile_condition
from services.learning.domain.event_paths import (
    Fact,
    Scalar,
    as_scalar,
    field_shape,
    is_sensitive,
    values_at,
)
from services.learning.domain.rule_model import RuleModel

FieldPath = Annotated[str, StringConstraints(pattern=r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")]
"""A dotted path relative to an event's ``data``, e.g. ``governance.death``."""

OPERATORS = ("equals", "one_of", "at_least", "present")


class Condition(RuleModel):
    """A test on an event's structured fields (see the module docstring for the shapes)."""

    field: FieldPath | None = None
    equals: Scalar | None = None
    one_of: tuple[Scalar, ...] | None = Field(default=None, min_length=1)
    at_least: int | None = None
    present: bool | None = None
    all_of: tuple["Condition", ...] | None = Field(default=None, alias="all", min_length=1)
    any_of: tuple["Condition", ...] | None = Field(default=None, alias="any", min_length=1)

    @cached_property
    def facts_for(self) -> ConditionTest:
        """The condition compiled, on first use: ``condition.facts_for(data)`` gives what
        :func:`evaluate` gives, faster (see :mod:`services.learning.domain.compiled_conditions`).
        """
        return compile_condition(self)

    @model_validator(mode="after")
    def _has_one_shape(self) -> Self:
        used = [name for name in OPERATORS if getattr(self, name) is not None]
        groups = [name for name in ("all_of", "any_of") if getattr(self, name) is not None]
        if self.field is None:
            if len(groups) != 1 or used:
                raise ValueError(
                    "a condition needs either 'field' with one of "
                    f"{', '.join(OPERATORS)}, or exactly one of 'all', 'any'"
                )
        elif groups or len(used) != 1:
            raise ValueError(f"'field' needs exactly one of {', '.join(OPERATORS)}")
        return self

    def compared_values(self) -> tuple[Scalar, ...]:
        """The values the field is compared with (for ``equals`` and ``one_of``)."""
        if self.equals is not None:
            return (self.equals,)
        return self.one_of or ()


def evaluate(condition: Condition, data: BaseModel) -> tuple[Fact, ...] | None:
    """The facts that make ``condition`` true for ``data``, or ``None`` if it is false.

    A true condition may have no facts (``present: false`` holds because nothing is there).
    """
    if condition.all_of is not None:
        facts: list[Fact] = []
        for part in condition.all_of:
            found = evaluate(part, data)
            if found is None:
                return None
            facts.extend(found)
        return tuple(facts)
    if condition.any_of is not None:
        results = [evaluate(part, data) for part in condition.any_of]
        held = [found for found in results if found is not None]
        return tuple(fact for found in held for fact in found) if held else None
    assert condition.field is not None  # guaranteed by the model validator
    values = [(path, as_scalar(value)) for path, value in values_at(data, condition.field)]
    if condition.present is not None:
        if condition.present:
            return tuple(Fact(path, value) for path, value in values) or None
        return () if not values else None
    matched = tuple(Fact(path, value) for path, value in values if _satisfies(condition, value))
    return matched or None


def _satisfies(condition: Condition, value: Scalar | None) -> bool:
    if value is None:
        return False
    if condition.at_least is not None:
        return (
            not isinstance(value, bool) and isinstance(value, int) and value >= condition.at_least
        )
    return any(_same(value, expected) for expected in condition.compared_values())


def _same(value: Scalar, expected: Scalar) -> bool:
    # True == 1 in Python; a rule comparing with 1 must not match a true flag, nor the reverse.
    return isinstance(value, bool) is isinstance(expected, bool) and value == expected


def condition_problems(
    condition: Condition, model: type[BaseModel], loc: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Check ``condition`` against the data ``model`` it will be evaluated on.

    Yields ``(location, message)`` for every path that does not exist, every free-text field
    (rules must not read free text through conditions), and every value the field cannot hold.
    """
    for key, parts in (("all", condition.all_of), ("any", condition.any_of)):
        for index, part in enumerate(parts or ()):
            yield from condition_problems(part, model, (*loc, key, index))
    if condition.field is None:
        return
    try:
        shape = field_shape(model, condition.field)
    except KeyError as missing:
        yield (*loc, "field"), f"{model.__name__} has no field {missing.args[0]!r}"
        return
    if is_sensitive(model, condition.field):
        yield (*loc, "field"), f"{condition.field!r} is free text; use a text rule instead"
    if condition.at_least is not None and not shape.is_numeric:
        yield (*loc, "at_least"), f"{condition.field!r} is not a number"
    for index, value in enumerate(condition.compared_values()):
        if not shape.accepts(value):
            where = (*loc, "equals") if condition.equals is not None else (*loc, "one_of", index)
            yield where, _not_accepted(condition.field, value, shape.enum_values)


def _not_accepted(field: str, value: Scalar, allowed: frozenset[str]) -> str:
    message = f"{value!r} is not a possible value of {field!r}"
    if allowed:
        message += f" (one of: {', '.join(sorted(allowed))})"
    return message
