"""Intake settings: LEARNLOOP_* variables shared by all services plus LEARNLOOP_INTAKE__*."""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.settings import DatabaseSettings, LearnLoopSettings


class IntakeOptions(BaseModel):
    """How the intake service listens and what it accepts."""

    host: str = Field("127.0.0.1", description="Interface the intake HTTP server binds to.")
    port: int = Field(8081, ge=1, le=65535, description="Port of the intake HTTP server.")
    max_body_bytes: int = Field(
        5_000_000, ge=1024, description="Largest request body accepted (413 above)."
    )
    max_batch_items: int = Field(1000, ge=1, le=10_000, description="Most events in one batch.")
    rate_limit_per_second: float = Field(
        200.0, gt=0, description="Sustained requests per second allowed per API key."
    )
    rate_limit_burst: int = Field(400, ge=1, description="Requests a key may burst above the rate.")
    redaction: bool = Field(
        True, description="Mask NHS numbers, phones, emails and postcodes in free text."
    )
    publish_timeout_ms: int = Field(
        5000,
        ge=500,
        description="Kafka request timeout for intake; after it a request gets 503 and the "
        "unsent record is dropped by the producer, so nothing is half-accepted.",
    )
    key_cache_seconds: float = Field(
        10.0, ge=0, description="How long a looked-up API key is cached (revocation delay)."
    )
    anonymous_concerns_providers: list[str] = Field(
        default_factory=list,
        description="Providers whose HTML form accepts anonymous concerns (Freedom to speak up).",
    )


class IntakeSettings(LearnLoopSettings):
    """Settings of the intake process."""

    database: DatabaseSettings = Field(
        default_factory=lambda: DatabaseSettings(url="sqlite+aiosqlite:///.learnloop/intake.db")
    )
    intake: IntakeOptions = Field(default_factory=IntakeOptions)
