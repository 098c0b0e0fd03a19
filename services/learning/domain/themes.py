"""Classifying an event into learning themes, with the rule that explains each theme.

Structured-field rules are tried first, then free-text rules, each in rulebook order; a theme
appears once, credited to the first rule that found it, with any later rules listed beside it.
For privacy a match records the rule id and the field path where it matched (for example
``description`` or ``items[2].comment``), never the text itself.
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel

from services.learning.domain.event_paths import data_model_for, field_shape, values_at
from services.learning.domain.rulebook import Rulebook
from services.learning.domain.theme_rules import TextSource
from shared.events import AnyFactEvent


@dataclass(frozen=True)
class ThemeMatch:
    """A theme found in an event, and why."""

    theme_id: str
    rule_id: str
    """The first rule that found the theme."""
    source: Literal["field", "text"]
    """Whether that rule read structured fields or free text."""
    field_paths: tuple[str, ...]
    """Where in the event's ``data`` that rule matched, e.g. ``("category",)``."""
    also_matched: tuple[str, ...] = ()
    """Ids of later rules that found the same theme."""


def classify(event: AnyFactEvent, rulebook: Rulebook) -> list[ThemeMatch]:
    """The themes of ``event``, in a deterministic order, each theme once."""
    first: dict[str, ThemeMatch] = {}
    later: dict[str, list[str]] = {}
    for match in [*_field_matches(event, rulebook), *_text_matches(event, rulebook)]:
        if match.theme_id in first:
            later[match.theme_id].append(match.rule_id)
        else:
            first[match.theme_id] = match
            later[match.theme_id] = []
    return [
        ThemeMatch(m.theme_id, m.rule_id, m.source, m.field_paths, tuple(later[m.theme_id]))
        for m in first.values()
    ]


def _field_matches(event: AnyFactEvent, rulebook: Rulebook) -> list[ThemeMatch]:
    return [
        ThemeMatch(rule.theme, rule.id, "field", tuple(dict.fromkeys(f.path for f in facts)))
        for rule, facts in rulebook.rules_for(event.type)[0].matching(event.data)
    ]


def _text_matches(event: AnyFactEvent, rulebook: Rulebook) -> list[ThemeMatch]:
    texts = [
        found
        for source in rulebook.text_sources.get(event.type, ())
        for found in _texts(event.type, event.data, source)
    ]
    index = rulebook.rules_for(event.type)[1]
    paths: dict[int, list[str]] = {}  # rule position -> where it matched
    for path, text in texts:
        for position in index.matching(text):
            paths.setdefault(position, []).append(path)
    return [
        ThemeMatch(rule.theme, rule.id, "text", tuple(dict.fromkeys(paths[position])))
        for position, rule in enumerate(index.rules)
        if position in paths
    ]


def _texts(event_type: str, data: BaseModel, source: TextSource) -> list[tuple[str, str]]:
    if source.where is None:
        return _strings(values_at(data, source.path))
    list_path = _list_prefix(event_type, source.path)
    rest = source.path[len(list_path) + 1 :]
    found: list[tuple[str, str]] = []
    for element_path, element in values_at(data, list_path):
        if isinstance(element, BaseModel) and source.where.facts_for(element) is not None:
            found.extend(
                (f"{element_path}.{path}", text)
                for path, text in _strings(values_at(element, rest))
            )
    return found


def _strings(values: list[tuple[str, object]]) -> list[tuple[str, str]]:
    return [(path, value) for path, value in values if isinstance(value, str)]


@lru_cache(maxsize=256)
def _list_prefix(event_type: str, path: str) -> str:
    # The rulebook checked at load time that a source with 'where' passes through a list.
    prefix = field_shape(data_model_for(event_type), path).list_prefix
    if prefix is None:  # pragma: no cover - rejected by the rulebook checks
        raise ValueError(f"{path!r} does not pass through a list")
    return prefix
