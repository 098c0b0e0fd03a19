"""Derived event ids are the name-based UUIDs they always were (ids already published must not
change: reprocessing a fact yields the same ids, and consumers deduplicate by them)."""

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from services.learning.pipeline import DERIVED_NAMESPACE, derived_id


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.text(), min_size=1, max_size=4))
def test_a_derived_id_is_the_uuid5_of_its_parts(parts: list[str]) -> None:
    assert derived_id(*parts) == str(uuid.uuid5(DERIVED_NAMESPACE, "/".join(parts)))


def test_a_derived_id_is_stable() -> None:
    assert derived_id("evt-1", "theme.linked", "falls") == "40fdc608-1ba8-5b20-a1d5-561892e69d41"
