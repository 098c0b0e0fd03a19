"""Theme rules: which structured fields and which words in free text point to which theme.

Keywords are matched case-insensitively on whole words: ``fell`` matches "she fell" but not
"fellow". A trailing ``*`` accepts any word ending (``bruis*``: bruise, bruised, bruising).
Words may be separated in the text by spaces or hyphens (``short staffed`` matches
"short-staffed"). ``patterns`` are regular expressions for what keywords cannot say; they are
matched case-insensitively and must carry their own word boundaries.
"""

import re
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


def keyword_lead(keyword: str) -> tuple[str, bool]:
    """The word a match of ``keyword`` starts with, lower-cased, and whether it is the whole
    word (False for ``bruis*``, whose match starts with a word beginning ``bruis``)."""
    first = re.split(r"[ -]+", keyword)[0]
    lead = first.rstrip("*").split("'")[0].lower()
    return lead, not first.endswith("*") or "'" in first


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
        return self._matcher.found_in(text, TextWords.of(text))


class TextMatcher:
    """A text rule's keywords and patterns compiled into one case-insensitive expression, and
    the word (or word start) each keyword's match begins with, for a cheap first test."""

    __slots__ = ("_patterns", "_regex", "_stems", "_words")

    def __init__(self, keywords: tuple[str, ...], patterns: tuple[str, ...]) -> None:
        expressions = [keyword_regex(word) for word in keywords] + list(patterns)
        self._regex = re.compile("|".join(f"(?:{item})" for item in expressions), re.IGNORECASE)
        self._patterns = (
            re.compile("|".join(f"(?:{item})" for item in patterns), re.IGNORECASE)
            if patterns
            else None
        )
        leads = [keyword_lead(word) for word in keywords]
        self._words = frozenset(lead for lead, whole in leads if whole)
        self._stems = frozenset(lead for lead, whole in leads if not whole)

    def found_in(self, text: str, words: "TextWords") -> bool:
        """Whether any keyword or pattern occurs in ``text`` (whose words are ``words``)."""
        if words.might_contain(self._words, self._stems):
            return self._regex.search(text) is not None
        # No keyword can match: only the patterns may.
        return self._patterns is not None and self._patterns.search(text) is not None


_WORD = re.compile(r"\w+")


class TextWords:
    """The words of a text and their beginnings, lower-cased: a keyword can only match a text
    holding the word its match starts with. Texts that are not plain ASCII (where case rules
    are subtler) are always passed on to the regular expressions."""

    __slots__ = ("stems", "words")

    def __init__(self, words: frozenset[str] | None, stems: frozenset[str] | None) -> None:
        self.words = words
        self.stems = stems

    @classmethod
    def of(cls, text: str) -> "TextWords":
        """Index ``text``."""
        if not text.isascii():
            return cls(None, None)
        words = frozenset(_WORD.findall(text.lower()))
        stems = frozenset(word[:end] for word in words for end in range(1, len(word) + 1))
        return cls(words, stems)

    def might_contain(self, words: frozenset[str], stems: frozenset[str]) -> bool:
        """Whether one of ``words`` is a word of the text or one of ``stems`` begins one."""
        if self.words is None or self.stems is None:
            return True
        return not words.isdisjoint(self.words) or not stems.isdisjoint(self.stems)


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
