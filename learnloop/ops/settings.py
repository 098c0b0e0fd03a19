"""Where the operator tools look: service URLs, consumer groups, timeouts (LEARNLOOP_OPS__*)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from services.learning.settings import LearningOptions
from services.reporting.settings import ReportingOptions
from shared.settings import LearnLoopSettings


def _default_groups() -> list[str]:
    # The services' own defaults, so a renamed group is followed here without a second literal.
    return [LearningOptions().group_id, ReportingOptions().group_id]


class OpsOptions(BaseModel):
    """What `learnloop ops` inspects and how long it waits."""

    intake_url: str = Field("http://127.0.0.1:8081", description="Base URL of the intake service.")
    learning_url: str = Field(
        "http://127.0.0.1:8082", description="Base URL of the learning service's ops endpoints."
    )
    reporting_url: str = Field(
        "http://127.0.0.1:8083", description="Base URL of the reporting service."
    )
    groups: list[str] = Field(
        default_factory=_default_groups, description="Consumer groups whose lag is reported."
    )
    http_timeout_s: float = Field(2.0, gt=0, description="Timeout of /healthz and /readyz calls.")
    fetch_timeout_s: float = Field(
        10.0, gt=0, description="Longest wait for records when reading a topic (lag age, DLQ)."
    )
    exporter_port: int = Field(9108, ge=1, le=65535, description="Port of `ops exporter`.")

    def services(self) -> dict[str, str]:
        """Service name -> base URL."""
        return {
            "intake": self.intake_url,
            "learning": self.learning_url,
            "reporting": self.reporting_url,
        }


class OpsSettings(LearnLoopSettings):
    """Settings of the operator tools: the shared LEARNLOOP_* variables plus LEARNLOOP_OPS__*."""

    ops: OpsOptions = Field(default_factory=OpsOptions)
