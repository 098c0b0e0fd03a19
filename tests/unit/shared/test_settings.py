"""Settings are validated data read from LEARNLOOP_* environment variables."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.settings import DatabaseSettings, KafkaSettings, LearnLoopSettings


def test_nested_settings_come_from_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEARNLOOP_KAFKA__BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092")
    monkeypatch.setenv("LEARNLOOP_DATABASE__URL", "postgresql+asyncpg://u:p@db:5432/learnloop")
    monkeypatch.setenv("LEARNLOOP_LOG_LEVEL", "DEBUG")
    settings = LearnLoopSettings()
    assert settings.kafka.bootstrap_servers == "kafka-1:9092,kafka-2:9092"
    assert settings.database.url.startswith("postgresql+asyncpg://")
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("bootstrap_servers", "localhost", "expected host:port"),
        ("linger_ms", -1, "greater than or equal to 0"),
        ("security_protocol", "KERBEROS", "Input should be"),
        ("topic_prefix", "Bad Prefix", "String should match pattern"),
    ],
)
def test_invalid_kafka_settings_name_the_field(field: str, value: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        KafkaSettings(**{field: value})
    error = caught.value.errors()[0]
    assert error["loc"] == (field,)
    assert message in error["msg"]


def test_database_url_must_use_an_async_driver() -> None:
    with pytest.raises(ValidationError, match="sqlite\\+aiosqlite"):
        DatabaseSettings(url="postgresql://u:p@db/learnloop")


def test_invalid_environment_value_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEARNLOOP_KAFKA__LINGER_MS", "soon")
    with pytest.raises(ValidationError) as caught:
        LearnLoopSettings()
    assert caught.value.errors()[0]["loc"] == ("kafka", "linger_ms")
