"""Conditions compiled into plain functions, once, when the rule files are loaded.

:func:`~services.learning.domain.conditions.evaluate` walks a condition's tree for every event:
easy to follow, but every fact meets some thirty conditions. :func:`compile_condition` does the
walking once and returns nested closures over the pre-split field path and the pre-built sets of
compared values. The answer is exactly that of ``evaluate``, which stays the reference (the tests
compare the two on every shipped rule).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from typing import TYPE_CHECKING

from pydantic import BaseModel

from services.learning.domain.event_paths import Fact, Scalar

if TYPE_CHECKING:
    from services.learning.domain.conditions import Condition

ConditionTest = Callable[[BaseModel], tuple[Fact, ...] | None]
"""A compiled condition: the facts that make it true for an event's ``data``, or ``None``."""

Reader = Callable[[BaseModel], Sequence[tuple[str, Scalar | None]]]
"""Reads a field path: each value (as a scalar) with its concrete path, absent values skipped."""


def compile_condition(condition: Condition) -> ConditionTest:
    """``condition`` as a function giving what ``evaluate(condition, data)`` gives."""
    if condition.all_of is not None:
        return _all_of(tuple(compile_condition(part) for part in condition.all_of))
    if condition.any_of is not None:
        return _any_of(tuple(compile_condition(part) for part in condition.any_of))
    if condition.field is None:
        return _malformed  # never used: the model validator rejects this shape
    read = reader(condition.field)
    if condition.present is not None:
        return _present(read) if condition.present else _absent(read)
    if condition.at_least is not None:
        return _at_least(read, condition.at_least)
    compared = condition.compared_values()
    return _one_of(read, compared) if compared else _malformed


def reader(path: str) -> Reader:
    """What :func:`~services.learning.domain.event_paths.values_at` reads at ``path``, each
    value made a scalar as :func:`~services.learning.domain.event_paths.as_scalar` does."""
    if "." not in path:
        return _top_level_reader(path)
    steps = tuple(path.split("."))
    if len(steps) == 2:
        return _two_step_reader(path, *steps)

    def read(data: BaseModel) -> Sequence[tuple[str, Scalar | None]]:
        value: object = data
        for index, step in enumerate(steps):  # the usual case: no list on the way
            value = getattr(value, step, None)
            if value is None:
                return ()
            if isinstance(value, list | tuple):
                return _through_lists(".".join(steps[: index + 1]), value, steps[index + 1 :])
        return ((path, scalar(value)),)

    return read


def _two_step_reader(path: str, first: str, second: str) -> Reader:
    # The usual dotted path (``governance.death``), unrolled.
    def read(data: BaseModel) -> Sequence[tuple[str, Scalar | None]]:
        parent = getattr(data, first, None)
        if parent is None:
            return ()
        if isinstance(parent, list | tuple):
            return _through_lists(first, parent, (second,))
        value = getattr(parent, second, None)
        if value is None:
            return ()
        if isinstance(value, list | tuple):
            return _through_lists(path, value, ())
        return ((path, scalar(value)),)

    return read


def _through_lists(
    here: str, items: list[object] | tuple[object, ...], steps: tuple[str, ...]
) -> list[tuple[str, Scalar | None]]:
    # As values_at from a list on: each element, then each step, with concrete paths.
    found: list[tuple[str, object]] = [(f"{here}[{i}]", item) for i, item in enumerate(items)]
    for step in steps:
        following: list[tuple[str, object]] = []
        for prefix, value in found:
            child = getattr(value, step, None)
            here = f"{prefix}.{step}"
            if isinstance(child, list | tuple):
                following.extend((f"{here}[{i}]", item) for i, item in enumerate(child))
            elif child is not None:
                following.append((here, child))
        found = following
    return [(here, scalar(value)) for here, value in found]


def _top_level_reader(name: str) -> Reader:
    def read(data: BaseModel) -> Sequence[tuple[str, Scalar | None]]:
        child = getattr(data, name, None)
        if child is None:
            return ()
        if isinstance(child, list | tuple):
            return [(f"{name}[{i}]", scalar(item)) for i, item in enumerate(child)]
        return ((name, scalar(child)),)

    return read


def scalar(value: object) -> Scalar | None:
    """:func:`~services.learning.domain.event_paths.as_scalar`, quicker on plain values."""
    kind = value.__class__
    if kind is str or kind is bool or kind is int:
        return value  # type: ignore[return-value]  # one of the Scalar types, checked above
    if isinstance(value, Enum):
        value = value._value_
    if isinstance(value, bool | int | str):
        return value
    return None


def _one_of(read: Reader, compared: tuple[Scalar, ...]) -> ConditionTest:
    # A flag matches only flags, anything else only non-flags (True == 1 in Python).
    flags = frozenset(value for value in compared if isinstance(value, bool))
    others = frozenset(value for value in compared if not isinstance(value, bool))

    def test(data: BaseModel) -> tuple[Fact, ...] | None:
        facts: list[Fact] = []
        for path, value in read(data):
            if (value in flags) if value.__class__ is bool else (value in others):
                facts.append(Fact(path, value))
        return tuple(facts) if facts else None

    return test


def _at_least(read: Reader, bound: int) -> ConditionTest:
    def test(data: BaseModel) -> tuple[Fact, ...] | None:
        facts = tuple(
            Fact(path, value)
            for path, value in read(data)
            if not isinstance(value, bool) and isinstance(value, int) and value >= bound
        )
        return facts or None

    return test


def _present(read: Reader) -> ConditionTest:
    def test(data: BaseModel) -> tuple[Fact, ...] | None:
        return tuple(Fact(path, value) for path, value in read(data)) or None

    return test


def _absent(read: Reader) -> ConditionTest:
    def test(data: BaseModel) -> tuple[Fact, ...] | None:
        return None if read(data) else ()

    return test


def _all_of(parts: tuple[ConditionTest, ...]) -> ConditionTest:
    def test(data: BaseModel) -> tuple[Fact, ...] | None:
        facts: tuple[Fact, ...] = ()
        for part in parts:
            found = part(data)
            if found is None:
                return None
            facts += found
        return facts

    return test


def _any_of(parts: tuple[ConditionTest, ...]) -> ConditionTest:
    def test(data: BaseModel) -> tuple[Fact, ...] | None:
        facts: tuple[Fact, ...] | None = None
        for part in parts:  # every part: the facts of each part that holds are wanted
            found = part(data)
            if found is not None:
                facts = found if facts is None else facts + found
        return facts

    return test


def _malformed(data: BaseModel) -> tuple[Fact, ...] | None:  # pragma: no cover - rejected
    raise ValueError("a malformed condition cannot be evaluated")
