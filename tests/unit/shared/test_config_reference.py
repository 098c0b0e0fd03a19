"""docs/configuration.md is generated from the settings models and must not drift."""

from __future__ import annotations

from pathlib import Path

from shared.config_reference import render_reference

DOC = Path(__file__).resolve().parents[3] / "docs" / "configuration.md"


def test_checked_in_configuration_reference_is_current() -> None:
    assert DOC.read_text() == render_reference(), "run `learnloop config reference`"


def test_reference_lists_nested_variables_with_their_defaults() -> None:
    text = render_reference()
    assert "| `LEARNLOOP_KAFKA__BOOTSTRAP_SERVERS` | str | `127.0.0.1:9092` |" in text
    assert "`LEARNLOOP_DATABASE__URL`" in text
    assert "`PLAINTEXT` / `SSL` / `SASL_PLAINTEXT` / `SASL_SSL`" in text
