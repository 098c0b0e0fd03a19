"""docs/configuration.md is generated from the settings models and must not drift."""

from __future__ import annotations

from pathlib import Path

from learnloop.config_docs import render_all
from shared.config_reference import render_reference

DOC = Path(__file__).resolve().parents[3] / "docs" / "configuration.md"


def test_checked_in_configuration_reference_is_current() -> None:
    assert DOC.read_text() == render_all(), "run `learnloop config reference`"


def test_each_service_section_shows_its_own_database_default() -> None:
    text = render_all()
    for service in ("intake", "learning", "reporting"):
        assert f"`sqlite+aiosqlite:///.learnloop/{service}.db`" in text
    assert "`LEARNLOOP_INTAKE__MAX_BATCH_ITEMS`" in text
    assert "`LEARNLOOP_LEARNING__GROUP_ID`" in text


def test_reference_lists_nested_variables_with_their_defaults() -> None:
    text = render_reference()
    assert "| `LEARNLOOP_KAFKA__BOOTSTRAP_SERVERS` | str | `127.0.0.1:9092` |" in text
    assert "`LEARNLOOP_DATABASE__URL`" in text
    assert "`PLAINTEXT` / `SSL` / `SASL_PLAINTEXT` / `SASL_SSL`" in text
