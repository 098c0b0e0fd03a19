"""Reading a batch's history: every key asked about, however many, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.learning.adapters.history import HistoryRequest, load_history
from services.learning.adapters.tables import event_themes
from shared.database import create_engine
from shared.migrate import upgrade
from shared.settings import DatabaseSettings

pytestmark = pytest.mark.postgres

SITES = 1500  # more than the 999 parameters SQLite allowed per statement in older versions
AT = datetime(2025, 3, 1, 12, tzinfo=UTC)


def stored_theme(site: int, theme: str, days_ago: int) -> dict[str, object]:
    return {
        "event_id": f"evt-{site}-{theme}-{days_ago}", "theme_id": theme, "rule_id": "r",
        "provider_id": "acme", "site_id": f"site-{site}", "region": f"region-{site % 3}",
        "occurred_at": AT - timedelta(days=days_ago),
    }  # fmt: skip


async def test_history_reads_every_site_and_theme_asked_about(database_url: str) -> None:
    engine = create_engine(DatabaseSettings(url=database_url))
    await upgrade(engine, ("shared", "learning"))
    rows = [stored_theme(site, "falls", 3) for site in range(SITES)]
    rows += [stored_theme(site, "medication", 3) for site in range(0, SITES, 2)]
    rows += [stored_theme(site, "falls", 400) for site in range(0, SITES, 5)]  # too old
    async with engine.begin() as connection:
        await connection.execute(event_themes.insert(), rows)
        asked = {(f"site-{site}", "falls") for site in range(1, SITES)}  # not site-0
        asked |= {(f"site-{site}", "medication") for site in range(1, 10)}
        history = await load_history(
            connection,
            HistoryRequest(
                site_themes=asked, negative_sites=set(),
                sites={site for site, _ in asked}, region_themes={}, complaints={"x", "y"},
                earliest=AT, latest=AT, recurrence_days=30, feedback_days=30,
            ),
        )  # fmt: skip
    await engine.dispose()
    found = {key: len(timeline.entries) for key, timeline in history.site_themes.items()}
    expected = {key: 1 for key in asked if key[1] == "falls"}
    expected |= {(f"site-{site}", "medication"): 1 for site in range(2, 10, 2)}
    assert found == expected
    assert history.complaint_responses == {}
