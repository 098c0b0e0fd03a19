"""Field rules indexed by the values they need, so a fact meets only the rules that can hold.

Most field rules need one field to hold one of a few values (``category`` equals ``fall``, an
audit's ``audit_type`` one of several). The index reads each such field once per fact and looks
up the rules its values let through; only those, and the rules that need no particular value,
are evaluated in full, in rulebook order. What a fact matches is what trying every rule gives.
"""

from pydantic import BaseModel

from services.learning.domain.compiled_conditions import Reader, reader
from services.learning.domain.conditions import Condition
from services.learning.domain.event_paths import Fact, Scalar
from services.learning.domain.theme_rules import FieldRule


def needed_values(condition: Condition) -> tuple[str, tuple[Scalar, ...]] | None:
    """A field and values one of which it must hold for ``condition`` to be true, if any."""
    if condition.all_of is not None:
        found = (needed_values(part) for part in condition.all_of)
        return next((need for need in found if need is not None), None)
    if condition.field is not None and condition.compared_values():
        return condition.field, condition.compared_values()
    return None


class _Gate:
    """One field the index reads, and the rules each of its values lets through."""

    __slots__ = ("flags", "others", "read")

    def __init__(self, path: str) -> None:
        self.read: Reader = reader(path)
        # True == 1 in Python, but a flag must only let through rules comparing with flags.
        self.flags: dict[Scalar, list[int]] = {}
        self.others: dict[Scalar, list[int]] = {}

    def add(self, value: Scalar, position: int) -> None:
        table = self.flags if isinstance(value, bool) else self.others
        table.setdefault(value, []).append(position)


class FieldIndex:
    """Several field rules (of one event type) indexed by the values they need."""

    def __init__(self, rules: tuple[FieldRule, ...]) -> None:
        self.rules = rules
        gates: dict[str, _Gate] = {}
        always: list[int] = []
        for position, rule in enumerate(rules):
            need = needed_values(rule.when)
            if need is None:
                always.append(position)
                continue
            path, values = need
            gate = gates.setdefault(path, _Gate(path))
            for value in dict.fromkeys(values):
                gate.add(value, position)
        self._gates = tuple(gates.values())
        self._always = tuple(always)

    def matching(self, data: BaseModel) -> list[tuple[FieldRule, tuple[Fact, ...]]]:
        """The rules that hold for ``data``, in rulebook order, with the facts of each."""
        candidates = set(self._always)
        for gate in self._gates:
            for _, value in gate.read(data):
                if value is None:
                    continue
                found = (gate.flags if value.__class__ is bool else gate.others).get(value)
                if found is not None:
                    candidates.update(found)
        matched = []
        for position in sorted(candidates):
            rule = self.rules[position]
            facts = rule.when.facts_for(data)
            if facts is not None:
                matched.append((rule, facts))
        return matched
