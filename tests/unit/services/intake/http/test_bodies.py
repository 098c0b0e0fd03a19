"""Request bodies decode exactly as ``json.loads`` would, on the fast path or the fallback."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.intake.http.bodies import BodyError, loads, parse_batch, parse_json

NDJSON = "application/x-ndjson"


@pytest.mark.parametrize(
    "document",
    [
        b'{"a": 1, "b": [true, null, "x"]}',
        b'{"a": 123456789012345678901234567890}',  # beyond 64 bits: an int, never a float
        b"NaN",
        b"-Infinity",
        b"1e400",
        b'"\\ud800"',  # a lone surrogate
        b'\xef\xbb\xbf{"a": 1}',  # UTF-8 byte order mark
        '{"a": "é"}'.encode("utf-16"),
        b'{"a": 1, "a": 2}',
    ],
)
def test_decodes_what_the_standard_library_decodes_to_the_same_value(document: bytes) -> None:
    expected, decoded = json.loads(document), loads(document)
    assert type(decoded) is type(expected)
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(decoded)
    else:
        assert decoded == expected


@pytest.mark.parametrize("document", [b"{not json", b"[1,", b"1" * 5000, b"[" * 100_000])
def test_refuses_what_the_standard_library_refuses(document: bytes) -> None:
    with pytest.raises((ValueError, RecursionError)):
        json.loads(document)
    with pytest.raises(BodyError) as refused:
        parse_json(document)
    assert (refused.value.status, refused.value.code) == (400, "malformed_json")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(json_values)
def test_any_json_value_round_trips_like_the_standard_library(value: Any) -> None:
    document = json.dumps(value).encode()
    assert loads(document) == json.loads(document)


def test_ndjson_lines_are_decoded_and_a_bad_line_is_named() -> None:
    assert parse_batch(b'{"a": 1}\n\n{"a": 2}\n', NDJSON) == [{"a": 1}, {"a": 2}]
    with pytest.raises(BodyError) as refused:
        parse_batch(b'{"a": 1}\n{"a": \n', NDJSON)
    assert refused.value.message.startswith("line 2 is not valid JSON")
