"""The running parts of the reporting service, as the routes and tests see them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from services.intake.adapters.key_store import KeyStore
from services.learning.domain.rulebook import Rulebook
from services.reporting.adapters.lag import LagProbe
from services.reporting.projection import Projection
from services.reporting.settings import ReportingSettings
from shared.broker import topic_name
from shared.consuming import BatchConsumer
from shared.settings import KafkaSettings
from shared.topics import DERIVED_TOPICS, FACT_TOPICS

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The wall clock (UTC)."""
    return datetime.now(UTC)


def reported_topics(kafka: KafkaSettings) -> list[str]:
    """Every fact topic and every derived topic."""
    return [topic_name(topic, kafka) for topic in (*FACT_TOPICS, *DERIVED_TOPICS)]


@dataclass
class ReportingRuntime:
    """The running parts, for the routes and for tests."""

    settings: ReportingSettings
    engine: AsyncEngine
    keys: KeyStore
    rulebook: Rulebook
    consumer: BatchConsumer
    projection: Projection
    probe: LagProbe
    group_id: str
    clock: Clock = field(default=utc_now)

    @property
    def titles(self) -> dict[str, str]:
        """Theme titles by id."""
        return {theme_id: theme.title for theme_id, theme in self.rulebook.themes.items()}
