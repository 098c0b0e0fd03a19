"""Learning settings: LEARNLOOP_* variables plus LEARNLOOP_LEARNING__*."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from shared.settings import DatabaseSettings, LearnLoopSettings


class LearningOptions(BaseModel):
    """How the learning service consumes and where its rules come from."""

    host: str = Field("127.0.0.1", description="Interface of the learning ops HTTP server.")
    port: int = Field(8082, ge=1, le=65535, description="Port of /healthz, /readyz, /metrics.")
    group_id: str = Field("learnloop-learning", description="Kafka consumer group.")
    max_batch: int = Field(1000, ge=1, le=10_000, description="Most records per batch.")
    keys_database_url: str = Field(
        "sqlite+aiosqlite:///.learnloop/intake.db",
        description="Database holding the API keys (the intake's), for the actions API.",
    )
    rules_dir: Path | None = Field(
        None, description="Rule files for every provider (default: the shipped rules)."
    )
    provider_rules_dirs: dict[str, Path] = Field(
        default_factory=dict,
        description='Rule folders of providers that tailor them, as JSON: {"provider-id": "/path"}'
        "; each is validated at start-up.",
    )


class LearningSettings(LearnLoopSettings):
    """Settings of the learning process."""

    database: DatabaseSettings = Field(
        default_factory=lambda: DatabaseSettings(url="sqlite+aiosqlite:///.learnloop/learning.db")
    )
    learning: LearningOptions = Field(default_factory=LearningOptions)
