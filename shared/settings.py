"""Configuration as validated data: environment variables prefixed ``LEARNLOOP_``.

Nested groups use a double underscore, e.g. ``LEARNLOOP_KAFKA__BOOTSTRAP_SERVERS``.
docs/configuration.md is generated from these models (``learnloop config reference``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseModel):
    """How to reach Kafka and how clients behave."""

    bootstrap_servers: str = Field(
        "127.0.0.1:9092", description="Comma-separated host:port list of brokers."
    )
    client_id: str = Field("learnloop", description="Client id prefix sent to the brokers.")
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", description="Use SASL_SSL for managed brokers (MSK, Confluent Cloud)."
    )
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = Field(
        None, description="SASL mechanism when security_protocol is SASL_*."
    )
    sasl_username: str | None = Field(None, description="SASL user name.")
    sasl_password: SecretStr | None = Field(None, description="SASL password (secret).")
    ssl_cafile: Path | None = Field(None, description="CA bundle for TLS to the brokers.")
    compression_type: Literal["gzip", "snappy", "lz4", "zstd"] | None = Field(
        "zstd",
        description=(
            "Producer batch compression. zstd costs ~2 us of CPU per event against gzip's ~20 "
            "and every Kafka client since 2.1 reads it; gzip needs no native library."
        ),
    )
    linger_ms: int = Field(5, ge=0, le=1000, description="Producer linger: wait to fill batches.")
    request_timeout_ms: int = Field(30_000, ge=1000, description="Client request timeout.")
    delivery_timeout_s: float = Field(
        30.0, gt=0, description="How long a publish may take before the caller is told it failed."
    )
    topic_prefix: str = Field(
        "learnloop", pattern=r"^[a-z0-9][a-z0-9.-]*$", description="Prefix of every topic name."
    )

    @field_validator("bootstrap_servers")
    @classmethod
    def _hosts_have_ports(cls, value: str) -> str:
        for host in value.split(","):
            name, _, port = host.strip().rpartition(":")
            if not name or not port.isdigit():
                raise ValueError(f"expected host:port, got {host.strip()!r}")
        return value


class DatabaseSettings(BaseModel):
    """Where each service keeps its state."""

    url: str = Field(
        "sqlite+aiosqlite:///.learnloop/learnloop.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or "
        "postgresql+asyncpg://user:password@host:port/db.",
    )
    pool_size: int = Field(10, ge=1, description="Connection pool size (PostgreSQL).")
    echo: bool = Field(False, description="Log SQL statements (never in production).")

    @field_validator("url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value


class LearnLoopSettings(BaseSettings):
    """Settings every LearnLoop process reads."""

    model_config = SettingsConfigDict(
        env_prefix="LEARNLOOP_", env_nested_delimiter="__", extra="ignore"
    )

    environment: Literal["local", "test", "production"] = Field(
        "local", description="Where this runs: local, test or production."
    )
    state_dir: Path = Field(
        Path(".learnloop"), description="Local folder for Kafka jars/data, PostgreSQL and SQLite."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level."
    )
    log_format: Literal["json", "console"] = Field("json", description="Log rendering.")
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
