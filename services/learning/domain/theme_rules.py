"""Theme rules: which structured fields and which words in free text point to which theme.

Keywords are matched case-insensitively on whole words: ``fell`` matches "she fell" but not
"fellow". A trailing ``*`` accepts any word ending (``bruis*``: bruise, bruised, bruising).
Words may be separated in the text by spaces or hyphens (``short staffed`` matches
"short-staffed"). ``patterns`` are regular expressions for what keywords cannot say; they are
matched case-insensitively and must carry their own word boundaries.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, PrivateAttr, StringConstraints

from services.learning.domain.conditions import Condition, FieldPath
from services.learning.domain.event_paths import EventType
from services.learning.domain.frameworks import Title
from services.learning.domain.rule_model import RuleModel
from services.learning.domain.taxonomy import ThemeId

RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+([-_][a-z0-9]+)*$")]
"""Id of a rule, quoted when a match is explained, e.g. ``incident-category-fall``."""

Keyword = Annotated[str, StringConstraints(pattern=r"^[\w']+\*?([ -][\w']+\*?)*$")]
"""Words to find in free text (see the module docstring)."""


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise ValueError(f"not a valid regular expression: {error}") from None
    return pattern


Pattern = Annotated[str, StringConstraints(min_length=1), AfterValidator(_compiles)]
"""A regular expression (Python syntax), matched case-insensitively."""


def keyword_regex(keyword: str) -> str:
    """The regular expression for a keyword: whole words, ``*`` for any ending."""
    parts = []
    for word in re.split(r"[ -]+", keyword):
        core = re.escape(word.rstrip("*")).replace("'", "['\u2019]")
        parts.append(core + (r"\w*" if word.endswith("*") else ""))
    return r"(?<!\w)" + r"[\s-]+".join(parts) + r"(?!\w)"


Piece = tuple[str, bool]
"""A word a keyword's match must hold, lower-cased, and whether it is the whole word (False:
the word starts with it, as for ``bruis*``)."""


def keyword_pieces(keyword: str) -> tuple[Piece, ...]:
    """The words a text must hold for ``keyword`` to match, in order. Apostrophes split words
    (``didn't`` needs ``didn`` and ``t``), as they do in the text."""
    pieces: list[Piece] = []
    for word in re.split(r"[ -]+", keyword):
        starred = word.endswith("*")
        parts = word.rstrip("*").split("'")
        for index, part in enumerate(parts):
            if part:
                pieces.append((part.lower(), not (starred and index == len(parts) - 1)))
    return tuple(pieces)


class FieldRule(RuleModel):
    """A theme that follows from structured fields of one event type."""

    id: RuleId
    theme: ThemeId
    event_type: EventType
    when: Condition


class TextRule(RuleModel):
    """A theme that follows from words in an event's free text."""

    id: RuleId
    theme: ThemeId
    keywords: tuple[Keyword, ...] = ()
    patterns: tuple[Pattern, ...] = ()
    event_types: tuple[EventType, ...] | None = Field(
        default=None, description="Event types the rule reads; all of them when absent."
    )
    _matcher: "TextMatcher" = PrivateAttr()

    def model_post_init(self, context: Any, /) -> None:
        """Compile the keywords and patterns (see :class:`TextMatcher`)."""
        if not self.keywords and not self.patterns:
            raise ValueError("a text rule needs at least one keyword or pattern")
        self._matcher = TextMatcher(self.keywords, self.patterns)

    @property
    def matcher(self) -> "TextMatcher":
        """The compiled keywords and patterns."""
        return self._matcher

    def applies_to(self, event_type: str) -> bool:
        """Whether the rule reads events of ``event_type``."""
        return self.event_types is None or event_type in self.event_types

    def found_in(self, text: str) -> bool:
        """Whether any keyword or pattern occurs in ``text``."""
        return self._matcher.found_in(text)


class TextMatcher:
    """One text rule's keywords and patterns as one case-insensitive expression."""

    __slots__ = ("_regex",)

    def __init__(self, keywords: tuple[str, ...], patterns: tuple[str, ...]) -> None:
        expressions = [keyword_regex(word) for word in keywords] + list(patterns)
        self._regex = re.compile("|".join(f"(?:{item})" for item in expressions), re.IGNORECASE)

    def found_in(self, text: str) -> bool:
        """Whether any keyword or pattern occurs in ``text``."""
        return self._regex.search(text) is not None


@dataclass(frozen=True, slots=True)
class _Keyword:
    rule: int
    """Position of the keyword's rule in the index."""
    rest: tuple[Piece, ...]
    """The words the keyword needs after its first."""
    regex: re.Pattern[str]
    rest_words: frozenset[str] = frozenset()
    """The whole words of :attr:`rest` (a text must hold them all)."""
    rest_stems: frozenset[str] = frozenset()
    """The word beginnings of :attr:`rest` (the text's words must start with them all)."""


class TextIndex:
    """Several text rules compiled together, to find which of them match a text quickly.

    Each keyword has its own small expression, tried only on a text that holds every word the
    keyword needs (set lookups on the text's words), so the work per text follows the words it
    holds, not the number of rules. Patterns, which may match anything, are tried on every
    text; texts that are not plain ASCII go to each rule's whole expression.
    """

    def __init__(self, rules: tuple[TextRule, ...]) -> None:
        self.rules = rules
        by_word: dict[str, list[_Keyword]] = {}
        by_stem: dict[str, list[_Keyword]] = {}
        patterns: list[tuple[int, re.Pattern[str]]] = []
        stems: set[str] = set()
        for position, rule in enumerate(rules):
            for keyword in rule.keywords:
                pieces = keyword_pieces(keyword)
                stems.update(piece for piece, whole in pieces if not whole)
                (lead, whole), *rest = pieces
                regex = re.compile(keyword_regex(keyword), re.IGNORECASE)
                entry = _Keyword(
                    position, tuple(rest), regex,
                    frozenset(piece for piece, whole in rest if whole),
                    frozenset(piece for piece, whole in rest if not whole),
                )  # fmt: skip
                (by_word if whole else by_stem).setdefault(lead, []).append(entry)
            if rule.patterns:
                joined = "|".join(f"(?:{item})" for item in rule.patterns)
                patterns.append((position, re.compile(joined, re.IGNORECASE)))
        self._by_word = {lead: tuple(found) for lead, found in by_word.items()}
        self._by_stem = {lead: tuple(found) for lead, found in by_stem.items()}
        self._patterns = tuple(patterns)
        self._stems = WordBeginnings(stems)

    def matching(self, text: str) -> set[int]:
        """Positions (in :attr:`rules`) of the rules that find something in ``text``."""
        words = TextWords.of(text, self._stems)
        if words.words is None or words.stems is None:
            return {i for i, rule in enumerate(self.rules) if rule.matcher.found_in(text)}
        hit: set[int] = set()
        text_words, text_stems = words.words, words.stems
        for index, found in ((self._by_word, text_words), (self._by_stem, text_stems)):
            for lead in index.keys() & found:
                for keyword in index[lead]:
                    if (  # the keyword's other words held (TextWords.has_all, as set tests)
                        keyword.rule not in hit
                        and keyword.rest_words <= text_words
                        and keyword.rest_stems <= text_stems
                        and keyword.regex.search(text) is not None
                    ):
                        hit.add(keyword.rule)
        for position, regex in self._patterns:
            if position not in hit and regex.search(text) is not None:
                hit.add(position)
        return hit


_WORD = re.compile(r"\w+")


class WordBeginnings:
    """Word beginnings that keywords ask about (``bruis`` for ``bruis*``), grouped by their
    first letters so the ones a text's words start with are found in a few look-ups."""

    __slots__ = ("_by_start", "_of_word", "_start")

    WORDS_KEPT = 50_000
    """Words whose beginnings are kept once found (texts share most of their words)."""

    def __init__(self, stems: Iterable[str]) -> None:
        ordered = sorted(set(stems))
        self._start = min((len(stem) for stem in ordered), default=1)
        by_start: dict[str, list[str]] = {}
        for stem in ordered:
            by_start.setdefault(stem[: self._start], []).append(stem)
        self._by_start = {start: tuple(found) for start, found in by_start.items()}
        self._of_word: dict[str, tuple[str, ...]] = {}

    def starting(self, words: Iterable[str]) -> frozenset[str]:
        """The beginnings that some of ``words`` start with."""
        of_word = self._of_word
        found: list[str] = []
        for word in words:
            stems = of_word.get(word)
            if stems is None:
                stems = self.of(word)
                if len(of_word) < self.WORDS_KEPT:
                    of_word[word] = stems
            found.extend(stems)
        return frozenset(found)

    def of(self, word: str) -> tuple[str, ...]:
        """The beginnings that ``word`` starts with."""
        return tuple(
            stem for stem in self._by_start.get(word[: self._start], ()) if word.startswith(stem)
        )


class TextWords:
    """The words of a text and their beginnings, lower-cased: a keyword can only match a text
    holding each of its words. Texts that are not plain ASCII (where case rules are subtler)
    are always passed on to the regular expressions."""

    __slots__ = ("stems", "words")

    def __init__(self, words: frozenset[str] | None, stems: frozenset[str] | None) -> None:
        self.words = words
        self.stems = stems

    @classmethod
    def of(cls, text: str, beginnings: WordBeginnings | None = None) -> "TextWords":
        """Index ``text``: every beginning of its words, or only those in ``beginnings`` (all
        that a set of keywords can ask about)."""
        if not text.isascii():
            return cls(None, None)
        words = frozenset(_WORD.findall(text.lower()))
        if beginnings is not None:
            return cls(words, beginnings.starting(words))
        stems = frozenset(word[:end] for word in words for end in range(1, len(word) + 1))
        return cls(words, stems)

    def has_all(self, pieces: tuple[Piece, ...]) -> bool:
        """Whether the text holds every one of ``pieces`` (True when it was not indexed)."""
        if self.words is None or self.stems is None:
            return True
        return all(piece in (self.words if whole else self.stems) for piece, whole in pieces)


class TextSource(RuleModel):
    """A free-text field that text rules read.

    ``where`` restricts a field inside a list to the elements that meet the condition, which is
    evaluated on the element (for audits: only the comments on items answered no).
    """

    path: FieldPath
    where: Condition | None = None


class ThemeRulesFile(RuleModel):
    """``theme_rules.json``."""

    schema_version: Literal[1]
    version: Title
    text_sources: dict[EventType, tuple[TextSource, ...]]
    field_rules: tuple[FieldRule, ...] = ()
    text_rules: tuple[TextRule, ...] = ()
