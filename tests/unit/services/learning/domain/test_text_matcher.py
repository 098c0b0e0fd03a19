"""The cheap first test on a text's words never changes what a text rule finds."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from services.learning.domain.rulebook import load_rulebook
from services.learning.domain.theme_rules import (
    TextIndex,
    TextWords,
    WordBeginnings,
    keyword_pieces,
    keyword_regex,
)

RULEBOOK = load_rulebook()
INDEX = TextIndex(RULEBOOK.text_rules)
KEYWORDS = sorted({word for rule in RULEBOOK.text_rules for word in rule.keywords})


def full_regex(keywords: tuple[str, ...], patterns: tuple[str, ...]) -> re.Pattern[str]:
    expressions = [keyword_regex(word) for word in keywords] + list(patterns)
    return re.compile("|".join(f"(?:{item})" for item in expressions), re.IGNORECASE)


def spelled(keyword: str, data: st.DataObject) -> str:
    """A way the text may spell ``keyword``: any case, an ending, hyphens, curly quotes."""
    words = []
    for word in re.split(r"[ -]+", keyword):
        core = word.rstrip("*").replace("'", data.draw(st.sampled_from(["'", "\u2019"])))
        ending = data.draw(st.sampled_from(["", "s", "ed", "ing"])) if word.endswith("*") else ""
        words.append("".join(data.draw(st.sampled_from([c.lower(), c.upper()])) for c in core))
        words[-1] += ending
    return data.draw(st.sampled_from([" ", "-", "  "])).join(words)


FILLER = st.sampled_from(
    ["resident", "was", "fellow", "staff", "noted", "no", "the", "floor", "found", "on",
     "grade", "2", "D", "&", "V", "fell", "asleep", "bruise", "Straße", "İ", "\u2019s", ".", ","]
)  # fmt: skip


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.data())
def test_every_rule_finds_exactly_what_its_full_expression_finds(data: st.DataObject) -> None:
    pieces = data.draw(st.lists(FILLER, max_size=12))
    for _ in range(data.draw(st.integers(0, 3))):
        keyword = data.draw(st.sampled_from(KEYWORDS))
        pieces.insert(data.draw(st.integers(0, len(pieces))), spelled(keyword, data))
    text = " ".join(pieces)
    expected = {
        rule.id
        for rule in RULEBOOK.text_rules
        if full_regex(rule.keywords, rule.patterns).search(text) is not None
    }
    assert {rule.id for rule in RULEBOOK.text_rules if rule.found_in(text)} == expected
    assert {INDEX.rules[position].id for position in INDEX.matching(text)} == expected, text


def test_a_keyword_needs_each_of_its_words() -> None:
    assert keyword_pieces("fell") == (("fell", True),)
    assert keyword_pieces("bruis*") == (("bruis", False),)
    assert keyword_pieces("short-staffed") == (("short", True), ("staffed", True))
    assert keyword_pieces("didn't turn*") == (("didn", True), ("t", True), ("turn", False))


def test_a_text_holding_every_word_of_a_keyword_is_searched() -> None:
    staffing = next(rule for rule in RULEBOOK.text_rules if "short staffed" in rule.keywords)
    index = TextIndex((staffing,))
    assert index.matching("staffed short") == set()
    assert index.matching("Short-staffed today") == {0}
    assert index.matching("Straße short staffed") == {0}
    assert TextWords.of("Straße").has_all((("x", True),))  # not ASCII: always passed on
    assert not TextWords.of("plain text").has_all((("plain", True), ("tex", True)))
    assert TextWords.of("plain text").has_all((("plain", True), ("tex", False)))


STEMS = {piece for word in KEYWORDS for piece, whole in keyword_pieces(word) if not whole}


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.one_of(FILLER, st.sampled_from([*sorted(STEMS), "bruised", "a", "ab", "x1"]))))
def test_the_beginnings_found_are_those_of_every_word_the_keywords_ask_about(
    words: list[str],
) -> None:
    text = " ".join(words)
    every = TextWords.of(text)
    asked = TextWords.of(text, WordBeginnings(STEMS))
    assert asked.words == every.words
    if every.stems is not None:
        assert asked.stems == every.stems & STEMS
    assert WordBeginnings([]).starting(["fell"]) == frozenset()
    assert WordBeginnings(["a", "bruis"]).starting(["bruised", "ab"]) == {"a", "bruis"}
