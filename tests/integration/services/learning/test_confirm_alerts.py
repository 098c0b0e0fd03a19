"""Confirming a batch's alerts on PostgreSQL: each is dropped only if its own (provider, region,
theme) was alerted, after the start of its window, by another instance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.learning.adapters.changes import BatchChanges, NewAlert, confirm_alerts
from services.learning.adapters.tables import learning_alerts
from shared.database import create_engine
from shared.migrate import upgrade
from shared.settings import DatabaseSettings

pytestmark = pytest.mark.postgres

AT = datetime(2025, 3, 1, 12, tzinfo=UTC)


def alert(alert_id: str, region: str, theme: str, since: datetime) -> NewAlert:
    row = {
        "alert_id": alert_id, "provider_id": "acme", "region": region, "theme_id": theme,
        "raised_for": AT, "site_ids": ["a", "b", "c"], "event_count": 3,
    }  # fmt: skip
    return NewAlert(row=row, since=since, derived_id=f"derived-{alert_id}")


async def test_only_alerts_raised_elsewhere_in_their_window_are_dropped(postgres_url: str) -> None:
    engine = create_engine(DatabaseSettings(url=postgres_url))
    await upgrade(engine, ("shared", "learning"))
    elsewhere = AT - timedelta(days=2)
    long_ago = elsewhere - timedelta(days=9)
    async with engine.begin() as connection:
        await connection.execute(
            learning_alerts.insert(),
            [
                alert("old-falls", "north", "falls", AT).row | {"raised_for": elsewhere},
                alert("old-falls-2", "north", "falls", AT).row | {"raised_for": long_ago},
                alert("old-med", "south", "medication", AT).row | {"raised_for": elsewhere},
            ],
        )  # fmt: skip
    changes = BatchChanges()
    changes.alerts = [
        alert("falls-north", "north", "falls", AT - timedelta(days=30)),  # window holds it
        alert("falls-north-late", "north", "falls", elsewhere),  # window starts at it: kept
        alert("falls-south", "south", "falls", AT - timedelta(days=30)),  # other region
        alert("med-south", "south", "medication", AT - timedelta(days=3)),
        alert("med-north", "north", "medication", AT - timedelta(days=30)),  # other region
    ]
    async with engine.begin() as connection:
        dropped = await confirm_alerts(connection, changes)
    await engine.dispose()
    assert dropped == {"derived-falls-north", "derived-med-south"}
    assert [a.row["alert_id"] for a in changes.alerts] == [
        "falls-north-late", "falls-south", "med-north",
    ]  # fmt: skip
