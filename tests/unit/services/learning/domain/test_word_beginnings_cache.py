"""The word beginnings a WordBeginnings keeps per word give what finding them afresh gives, also
once it keeps no more words."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.learning.domain.theme_rules import WordBeginnings

STEMS = ["a", "ab", "bruis", "fall", "fell", "x"]
WORDS = st.lists(
    st.one_of(st.sampled_from(["bruised", "ab", "abc", "fallen", "fell", "x1", "zz", "a"]),
              st.text("abfx1", min_size=1, max_size=6)),
    max_size=12,
)  # fmt: skip
SHARED = WordBeginnings(STEMS)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(WORDS)
def test_kept_beginnings_are_those_found_afresh(words: list[str]) -> None:
    expected = frozenset(stem for word in words for stem in STEMS if word.startswith(stem))
    assert WordBeginnings(STEMS).starting(words) == expected
    assert SHARED.starting(words) == expected  # shares what earlier examples kept
    assert SHARED.starting(words) == expected


def test_words_past_the_limit_are_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(WordBeginnings, "WORDS_KEPT", 2)
    beginnings = WordBeginnings(STEMS)
    assert beginnings.starting(["bruised", "fallen", "abc", "zz"]) == {"bruis", "fall", "a", "ab"}
    assert beginnings.starting(["abc", "zz"]) == {"a", "ab"}
    assert len(beginnings._of_word) == 2
