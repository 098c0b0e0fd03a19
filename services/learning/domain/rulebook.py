"""The rulebook: every rule data file, validated and cross-checked, as typed objects.

The files live in ``services/learning/rules/`` and ship with the package; a provider may point
the service at its own tailored copy. Loading fails with a :class:`RulebookError` listing every
problem by file and field path, so a bad rule file stops the service at start-up rather than
misclassifying events later.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from services.learning.domain.field_index import FieldIndex
from services.learning.domain.frameworks import Framework, FrameworksFile, QualityStatement
from services.learning.domain.lfpse import LfpseFile
from services.learning.domain.obligation_rules import ObligationKind, ObligationsFile, Trigger
from services.learning.domain.rulebook_checks import (
    Loc,
    RulebookProblem,
    check_frameworks,
    check_lfpse,
    check_obligations,
    check_taxonomy,
    check_theme_rules,
)
from services.learning.domain.taxonomy import TaxonomyFile, Theme
from services.learning.domain.theme_rules import (
    FieldRule,
    TextIndex,
    TextRule,
    TextSource,
    ThemeRulesFile,
)
from services.learning.domain.working_days import WorkingCalendar

FRAMEWORKS = "frameworks.json"
LFPSE = "lfpse.json"
TAXONOMY = "taxonomy.json"
THEME_RULES = "theme_rules.json"
OBLIGATIONS = "obligations.json"
RULE_FILES = (FRAMEWORKS, LFPSE, TAXONOMY, THEME_RULES, OBLIGATIONS)
"""The rule files a rulebook is made of, in the order they are checked."""

FileModel = TypeVar("FileModel", bound=BaseModel)


class RulebookError(ValueError):
    """The rule files are missing, malformed or inconsistent; ``problems`` says where."""

    def __init__(self, problems: list[RulebookProblem]) -> None:
        self.problems = tuple(problems)
        listing = "\n".join(f"  {problem}" for problem in self.problems)
        super().__init__(f"invalid rule files ({len(self.problems)} problems):\n{listing}")


@dataclass(frozen=True)
class Rulebook:
    """Every rule the learning service applies, validated and cross-checked."""

    versions: Mapping[str, str]
    """The ``version`` of each rule file, by file name (recorded with results for audit)."""
    frameworks: Mapping[str, Framework]
    lfpse: LfpseFile
    themes: Mapping[str, Theme]
    field_rules: tuple[FieldRule, ...]
    text_rules: tuple[TextRule, ...]
    text_sources: Mapping[str, tuple[TextSource, ...]]
    obligations: tuple[ObligationKind, ...]
    calendar: WorkingCalendar
    _by_type: dict[str, tuple[FieldIndex, TextIndex]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _triggers: dict[str, tuple[tuple[ObligationKind, Trigger], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def rules_for(self, event_type: str) -> tuple[FieldIndex, TextIndex]:
        """The field rules and the text rules (each kind indexed together) that read events of
        ``event_type``, in rulebook order; worked out once per type."""
        found = self._by_type.get(event_type)
        if found is None:
            found = (
                FieldIndex(tuple(r for r in self.field_rules if r.event_type == event_type)),
                TextIndex(tuple(rule for rule in self.text_rules if rule.applies_to(event_type))),
            )
            self._by_type[event_type] = found
        return found

    def triggers_for(self, event_type: str) -> tuple[tuple[ObligationKind, Trigger], ...]:
        """Each obligation kind an event of ``event_type`` may make due, with the kind's (first)
        trigger for that type, in rulebook order; worked out once per type."""
        found = self._triggers.get(event_type)
        if found is None:
            pairs = []
            for kind in self.obligations:
                trigger = next((t for t in kind.triggers if t.event_type == event_type), None)
                if trigger is not None:
                    pairs.append((kind, trigger))
            found = self._triggers[event_type] = tuple(pairs)
        return found

    def quality_statements(self, theme_id: str, framework_id: str) -> tuple[QualityStatement, ...]:
        """The quality statements of ``framework_id`` that theme ``theme_id`` maps to."""
        statements = self.frameworks[framework_id].statements
        ids = self.themes[theme_id].quality_statements[framework_id]
        return tuple(statements[statement_id] for statement_id in ids)


def default_rules_directory() -> Traversable:
    """The rule files shipped with the package."""
    return files("services.learning") / "rules"


def load_rulebook(path: Path | None = None) -> Rulebook:
    """Read, validate and cross-check the rule files in directory ``path`` (default: shipped).

    Raises :class:`RulebookError` naming each file and field path that is wrong.
    """
    directory: Traversable = default_rules_directory() if path is None else path
    texts: dict[str, str] = {}
    problems: list[RulebookProblem] = []
    for name in RULE_FILES:
        try:
            texts[name] = directory.joinpath(name).read_text(encoding="utf-8")
        except FileNotFoundError:
            problems.append(RulebookProblem(name, (), f"file not found in {directory}"))
    if problems:
        raise RulebookError(problems)
    return parse_rulebook(texts)


def parse_rulebook(texts: Mapping[str, str]) -> Rulebook:
    """Validate and cross-check rule files given as JSON text by file name (no I/O)."""
    problems: list[RulebookProblem] = []
    frameworks = _parse(texts, FRAMEWORKS, FrameworksFile, problems)
    lfpse = _parse(texts, LFPSE, LfpseFile, problems)
    taxonomy = _parse(texts, TAXONOMY, TaxonomyFile, problems)
    theme_rules = _parse(texts, THEME_RULES, ThemeRulesFile, problems)
    obligations = _parse(texts, OBLIGATIONS, ObligationsFile, problems)
    if frameworks is None or lfpse is None or taxonomy is None:
        raise RulebookError(problems)
    _collect(problems, FRAMEWORKS, check_frameworks(frameworks))
    _collect(problems, LFPSE, check_lfpse(lfpse))
    _collect(problems, TAXONOMY, check_taxonomy(taxonomy, frameworks, lfpse))
    if theme_rules is not None:
        _collect(problems, THEME_RULES, check_theme_rules(theme_rules, taxonomy))
    if obligations is not None:
        _collect(problems, OBLIGATIONS, check_obligations(obligations))
    if problems or theme_rules is None or obligations is None:
        raise RulebookError(problems)
    return Rulebook(
        versions={
            FRAMEWORKS: frameworks.version,
            LFPSE: lfpse.version,
            TAXONOMY: taxonomy.version,
            THEME_RULES: theme_rules.version,
            OBLIGATIONS: obligations.version,
        },
        frameworks={framework.id: framework for framework in frameworks.frameworks},
        lfpse=lfpse,
        themes={theme.id: theme for theme in taxonomy.themes},
        field_rules=theme_rules.field_rules,
        text_rules=theme_rules.text_rules,
        text_sources=theme_rules.text_sources,
        obligations=obligations.obligations,
        calendar=obligations.working_calendar.calendar(),
    )


def _parse(
    texts: Mapping[str, str],
    name: str,
    model: type[FileModel],
    problems: list[RulebookProblem],
) -> FileModel | None:
    if name not in texts:
        problems.append(RulebookProblem(name, (), "file not given"))
        return None
    try:
        return model.model_validate_json(texts[name])
    except ValidationError as error:
        problems.extend(
            RulebookProblem(name, tuple(detail["loc"]), detail["msg"]) for detail in error.errors()
        )
        return None


def _collect(problems: list[RulebookProblem], name: str, found: Iterator[tuple[Loc, str]]) -> None:
    problems.extend(RulebookProblem(name, loc, message) for loc, message in found)


__all__: list[str] = [
    "RULE_FILES",
    "Rulebook",
    "RulebookError",
    "RulebookProblem",
    "default_rules_directory",
    "load_rulebook",
    "parse_rulebook",
]
