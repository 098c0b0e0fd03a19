"""Reporting settings: LEARNLOOP_* variables plus LEARNLOOP_REPORTING__*."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, field_validator

from shared.settings import DatabaseSettings, LearnLoopSettings


class ReportingOptions(BaseModel):
    """How the reporting service consumes, serves and authenticates."""

    host: str = Field("127.0.0.1", description="Interface of the reporting HTTP server.")
    port: int = Field(8083, ge=1, le=65535, description="Port of the reporting JSON API.")
    group_id: str = Field(
        "learnloop-reporting",
        description="Kafka consumer group (a rebuild records its own, which serve then uses).",
    )
    max_batch: int = Field(1000, ge=1, le=10_000, description="Most records per batch.")
    keys_database_url: str = Field(
        "sqlite+aiosqlite:///.learnloop/intake.db",
        description="The intake service's database, where API keys are looked up (read only).",
    )
    key_cache_seconds: float = Field(
        10.0, ge=0, description="How long a looked-up API key is cached (revocation delay)."
    )
    sites_file: Path | None = Field(
        None,
        description="JSON list of site sizes ({site_id, region, kind, beds, occupied_beds, "
        "care_hours_per_month}) for incident rates; loaded at start-up.",
    )
    rules_dir: Path | None = Field(
        None, description="The provider's learning rule files (theme titles, CQC mappings)."
    )
    theme_min_count: int = Field(
        3, ge=1, description="Fewest events in a period for a theme to be called rising/falling."
    )

    @field_validator("keys_database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return DatabaseSettings(url=value).url


class ReportingSettings(LearnLoopSettings):
    """Settings of the reporting process."""

    database: DatabaseSettings = Field(
        default_factory=lambda: DatabaseSettings(url="sqlite+aiosqlite:///.learnloop/reporting.db")
    )
    reporting: ReportingOptions = Field(default_factory=ReportingOptions)
