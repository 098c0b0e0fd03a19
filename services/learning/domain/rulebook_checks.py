"""Cross-checks between rule files that a schema alone cannot express.

Each check returns problems located by file and field path: ids that repeat, themes and quality
statements that do not exist, event fields that rules name but events do not have.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from pydantic import BaseModel

from services.learning.domain.conditions import Condition, condition_problems
from services.learning.domain.event_paths import data_model_for, field_shape
from services.learning.domain.frameworks import FrameworksFile
from services.learning.domain.lfpse import LfpseFile
from services.learning.domain.obligation_rules import ObligationsFile
from services.learning.domain.taxonomy import TaxonomyFile
from services.learning.domain.theme_rules import TextSource, ThemeRulesFile
from services.learning.domain.working_days import check_calendar

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class RulebookProblem:
    """One thing wrong with a rule file, at a field path such as ``themes[3].id``."""

    file: str
    loc: Loc
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {format_loc(self.loc) or '(whole file)'}: {self.message}"


def format_loc(loc: Sequence[str | int]) -> str:
    """A pydantic-style location as a readable path: ``("themes", 3, "id")`` -> ``themes[3].id``.

    Keys that contain dots are quoted: ``text_sources["incident.reported"][0].path``.
    """
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif "." in part:  # a key such as an event type, which has dots of its own
            text += f'["{part}"]'
        else:
            text += f".{part}" if text else part
    return text


def repeated(items: Iterable[tuple[Loc, str]], what: str) -> Iterator[tuple[Loc, str]]:
    """A problem at every id, after the first, whose value was seen before."""
    seen: set[str] = set()
    for loc, item in items:
        if item in seen:
            yield loc, f"{what} id {item!r} is repeated"
        seen.add(item)


def check_frameworks(frameworks: FrameworksFile) -> Iterator[tuple[Loc, str]]:
    """Unique framework, key question and statement ids; statements under their key question."""
    yield from repeated(
        ((("frameworks", i, "id"), item.id) for i, item in enumerate(frameworks.frameworks)),
        "framework",
    )
    for f, framework in enumerate(frameworks.frameworks):
        at: Loc = ("frameworks", f, "key_questions")
        questions = framework.key_questions
        yield from repeated(
            (((*at, q, "id"), question.id) for q, question in enumerate(questions)), "key question"
        )
        statements = [
            ((*at, q, "statements", s, "id"), question.id, statement.id)
            for q, question in enumerate(questions)
            for s, statement in enumerate(question.statements)
        ]
        yield from repeated(((loc, item) for loc, _, item in statements), "statement")
        for loc, question_id, item in statements:
            if not item.startswith(f"{question_id}."):
                yield loc, f"statement id {item!r} must start with {question_id!r} and a dot"


def check_lfpse(lfpse: LfpseFile) -> Iterator[tuple[Loc, str]]:
    """No term repeated within a code list."""
    for name, code_list in lfpse.lists.items():
        terms = code_list.terms
        yield from repeated(
            (
                (("lists", name, "terms", i, "display"), term.display)
                for i, term in enumerate(terms)
            ),
            "term",
        )


def check_taxonomy(
    taxonomy: TaxonomyFile, frameworks: FrameworksFile, lfpse: LfpseFile
) -> Iterator[tuple[Loc, str]]:
    """Unique theme ids; LFPSE terms and quality statements that exist; every framework mapped."""
    yield from repeated(
        ((("themes", i, "id"), theme.id) for i, theme in enumerate(taxonomy.themes)), "theme"
    )
    known = {framework.id: framework.statements for framework in frameworks.frameworks}
    for t, theme in enumerate(taxonomy.themes):
        for j, term in enumerate(theme.lfpse):
            code_list = lfpse.lists.get(term.list)
            if code_list is None or term.term not in {code.display for code in code_list.terms}:
                yield (
                    ("themes", t, "lfpse", j, "term"),
                    f"{term.term!r} is not in LFPSE {term.list}",
                )
        at: Loc = ("themes", t, "quality_statements")
        for framework_id in sorted(known.keys() - theme.quality_statements.keys()):
            yield at, f"theme {theme.id!r} is not mapped to framework {framework_id!r}"
        for framework_id, statement_ids in theme.quality_statements.items():
            if framework_id not in known:
                yield (*at, framework_id), f"unknown framework {framework_id!r}"
                continue
            if not statement_ids:
                yield (*at, framework_id), "map the theme to at least one quality statement"
            for k, statement_id in enumerate(statement_ids):
                if statement_id not in known[framework_id]:
                    message = f"unknown quality statement {statement_id!r} in {framework_id!r}"
                    yield (*at, framework_id, k), message


def check_theme_rules(rules: ThemeRulesFile, taxonomy: TaxonomyFile) -> Iterator[tuple[Loc, str]]:
    """Unique rule ids, known themes, and conditions and text fields that events really have."""
    themes = {theme.id for theme in taxonomy.themes}
    located = [(("field_rules", i, "id"), rule.id) for i, rule in enumerate(rules.field_rules)]
    located += [(("text_rules", i, "id"), rule.id) for i, rule in enumerate(rules.text_rules)]
    yield from repeated(located, "rule")
    for i, field_rule in enumerate(rules.field_rules):
        if field_rule.theme not in themes:
            yield ("field_rules", i, "theme"), f"unknown theme {field_rule.theme!r}"
        model = data_model_for(field_rule.event_type)
        yield from condition_problems(field_rule.when, model, ("field_rules", i, "when"))
    for event_type, sources in rules.text_sources.items():
        model = data_model_for(event_type)
        for j, source in enumerate(sources):
            yield from _text_source_problems(source, model, ("text_sources", event_type, j))
    for i, text_rule in enumerate(rules.text_rules):
        if text_rule.theme not in themes:
            yield ("text_rules", i, "theme"), f"unknown theme {text_rule.theme!r}"
        for j, event_type in enumerate(text_rule.event_types or ()):
            if event_type not in rules.text_sources:
                yield ("text_rules", i, "event_types", j), f"no text_sources for {event_type!r}"


def _text_source_problems(
    source: TextSource, model: type[BaseModel], at: Loc
) -> Iterator[tuple[Loc, str]]:
    try:
        shape = field_shape(model, source.path)
    except KeyError as missing:
        yield (*at, "path"), f"{model.__name__} has no field {missing.args[0]!r}"
        return
    if str not in shape.leaf_types:
        yield (*at, "path"), f"{source.path!r} is not a text field"
    if source.where is None:
        return
    if shape.element_model is None:
        yield (*at, "where"), f"'where' needs a path through a list of records, not {source.path!r}"
        return
    yield from condition_problems(source.where, shape.element_model, (*at, "where"))


def check_obligations(obligations: ObligationsFile) -> Iterator[tuple[Loc, str]]:
    """Unique ids, a known calendar, and clock starts and conditions that events really have."""
    yield from repeated(
        ((("obligations", i, "id"), kind.id) for i, kind in enumerate(obligations.obligations)),
        "obligation",
    )
    try:
        check_calendar(obligations.working_calendar.calendar())
    except ValueError as error:
        yield ("working_calendar",), str(error)
    for i, kind in enumerate(obligations.obligations):
        yield from repeated(
            (
                (("obligations", i, "triggers", j, "event_type"), trigger.event_type)
                for j, trigger in enumerate(kind.triggers)
            ),
            "trigger event type",
        )
        for j, trigger in enumerate(kind.triggers):
            at: Loc = ("obligations", i, "triggers", j)
            model = data_model_for(trigger.event_type)
            yield from _clock_start_problems(trigger.clock_starts, model, (*at, "clock_starts"))
            conditions: list[tuple[str, Condition | None]] = [
                ("when", trigger.when),
                ("statutory_when", trigger.statutory_when),
            ]
            for key, condition in conditions:
                if condition is not None:
                    yield from condition_problems(condition, model, (*at, key))


def _clock_start_problems(path: str, model: type[BaseModel], at: Loc) -> Iterator[tuple[Loc, str]]:
    try:
        shape = field_shape(model, path)
    except KeyError as missing:
        yield at, f"{model.__name__} has no field {missing.args[0]!r}"
        return
    if not shape.holds_only(date) or shape.list_prefix is not None:
        yield at, f"{path!r} is not a required date or datetime field"
