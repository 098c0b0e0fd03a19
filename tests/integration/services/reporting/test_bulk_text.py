"""Columns travel as array literals: whatever the values, PostgreSQL reads them back."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from services.reporting.adapters.bulk import LITERALS, bool_array, int_array, text_array
from shared.database import create_engine
from shared.settings import DatabaseSettings

AWKWARD = [
    "plain", "", " padded ", 'a "quoted" word', "back\\slash", "\\", '"', "a,b", "{x}", "NULL",
    "null", "O'Brien", "tab\there", "new\nline", "é ü 中文 🙂", "complaint_response|Reg 16 (2)",
]  # fmt: skip


def test_an_array_literal_quotes_every_element() -> None:
    assert text_array([]) == "{}"
    assert text_array(["a", "b"]) == '{"a","b"}'
    assert text_array(["a", None]) == '{"a",NULL}'
    assert text_array(['"', "\\"]) == '{"\\"","\\\\"}'


def test_text_holding_nul_is_refused() -> None:
    with pytest.raises(ValueError):
        text_array(["a\x00b"])


@pytest.mark.parametrize(
    "values", [AWKWARD, [*AWKWARD, None], [None], [None, None], ["only"], [], ["x"] * 2000]
)
async def test_postgresql_reads_back_the_values(
    postgres_url: str, values: list[str | None]
) -> None:
    engine = create_engine(DatabaseSettings(url=postgres_url))
    try:
        async with engine.connect() as connection:
            result = await connection.execute(
                text("SELECT CAST(CAST(:v AS text) AS text[])"), {"v": text_array(values)}
            )
            assert result.scalar_one() == values
    finally:
        await engine.dispose()


def test_integer_and_boolean_literals() -> None:
    assert int_array([]) == "{}"
    assert int_array([1, None, -20, 2**40]) == "{1,NULL,-20,1099511627776}"
    assert int_array([True, 2]) == "{1,2}"
    with pytest.raises(TypeError):
        int_array([1.5])  # type: ignore[list-item]
    assert bool_array([True, None, False]) == "{t,NULL,f}"


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        ("bigint[]", [0, -1, None, 2**62, 7]),
        ("integer[]", [None, 2**31 - 1, -(2**31)]),
        ("boolean[]", [True, False, None]),
        ("bigint[]", []),
    ],
)
async def test_postgresql_reads_back_numbers_and_booleans(
    postgres_url: str, kind: str, values: list[object]
) -> None:
    engine = create_engine(DatabaseSettings(url=postgres_url))
    try:
        async with engine.connect() as connection:
            result = await connection.execute(
                text(f"SELECT CAST(CAST(:v AS text) AS {kind})"), {"v": LITERALS[kind](values)}
            )
            assert result.scalar_one() == values
    finally:
        await engine.dispose()
