"""The cheap first test on a text's words never changes what a text rule finds."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from services.learning.domain.rulebook import load_rulebook
from services.learning.domain.theme_rules import TextWords, keyword_lead, keyword_regex

RULEBOOK = load_rulebook()
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
    words = TextWords.of(text)
    for rule in RULEBOOK.text_rules:
        expected = full_regex(rule.keywords, rule.patterns).search(text) is not None
        assert rule.matcher.found_in(text, words) is expected, (rule.id, text)
        assert rule.found_in(text) is expected


def test_a_keyword_match_starts_with_its_lead_word() -> None:
    assert keyword_lead("fell") == ("fell", True)
    assert keyword_lead("bruis*") == ("bruis", False)
    assert keyword_lead("short staffed") == ("short", True)
    assert keyword_lead("didn't") == ("didn", True)


def test_texts_beyond_ascii_always_reach_the_expressions() -> None:
    assert TextWords.of("Straße").might_contain(frozenset({"x"}), frozenset())
    assert not TextWords.of("plain text").might_contain(frozenset({"x"}), frozenset({"y"}))
    assert TextWords.of("bruising noted").might_contain(frozenset(), frozenset({"bruis"}))
