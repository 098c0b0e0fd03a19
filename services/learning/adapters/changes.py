"""The rows a batch of facts writes, collected in memory and written set-based at the end.

Inserting row by row costs a database round trip each; a batch of 1,000 facts writes a few
thousand rows. Collected here, they go out as one multi-row statement per table (and per 1,000
rows), inside the batch's transaction. A row inserted by this batch and changed later in the same
batch (an action linked again, an obligation met) is changed before it is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.learning.adapters.tables import (
    action_links,
    event_themes,
    facts,
    improvement_actions,
    learning_alerts,
    obligations,
)
from shared.database import insert_ignoring_duplicates

ROWS_PER_STATEMENT = 1000


@dataclass(frozen=True)
class NewAlert:
    """A learning alert this batch raises, and the derived event announcing it."""

    row: dict[str, Any]
    since: datetime
    """Start of the window the alert covers: an alert raised after it makes this one moot."""
    derived_id: str


@dataclass
class BatchChanges:
    """Everything one batch writes, in the order it must be written."""

    facts: list[dict[str, Any]] = field(default_factory=list)
    event_themes: list[dict[str, Any]] = field(default_factory=list)
    new_obligations: dict[str, dict[str, Any]] = field(default_factory=dict)
    met_obligations: dict[str, datetime] = field(default_factory=dict)
    """Stored obligations met by this batch: id -> when."""
    new_actions: dict[str, dict[str, Any]] = field(default_factory=dict)
    more_links: dict[str, int] = field(default_factory=dict)
    """Stored actions this batch linked more facts to: id -> how many more."""
    action_links: dict[tuple[str, str], None] = field(default_factory=dict)
    alerts: list[NewAlert] = field(default_factory=list)

    def meet_obligation(self, obligation_id: str, met_at: datetime) -> None:
        """Mark an obligation met (one this batch created, or a stored one)."""
        created = self.new_obligations.get(obligation_id)
        if created is not None:
            created.update(state="met", met_at=met_at)
        else:
            self.met_obligations[obligation_id] = met_at

    def link_action(self, action_id: str, event_ids: Sequence[str], *, opened: bool) -> None:
        """Link facts to an action; a link to an existing action counts one more fact."""
        for event_id in event_ids:
            self.action_links[(action_id, event_id)] = None
        if opened:
            return
        created = self.new_actions.get(action_id)
        if created is not None:
            created["linked_events"] += 1
        else:
            self.more_links[action_id] = self.more_links.get(action_id, 0) + 1

    async def write(self, connection: AsyncConnection) -> None:
        """Write it all in the caller's transaction."""
        dialect = connection.dialect.name
        await _insert(connection, facts.insert(), self.facts)
        await _insert(connection, event_themes.insert(), self.event_themes)
        await _insert(connection, obligations.insert(), list(self.new_obligations.values()))
        if self.met_obligations:
            await connection.execute(
                update(obligations)
                .where(obligations.c.obligation_id == bindparam("b_id"))
                .values(state="met", met_at=bindparam("b_met_at")),
                [{"b_id": key, "b_met_at": at} for key, at in self.met_obligations.items()],
            )
        await _insert(connection, improvement_actions.insert(), list(self.new_actions.values()))
        if self.more_links:
            column = improvement_actions.c.linked_events
            await connection.execute(
                update(improvement_actions)
                .where(improvement_actions.c.action_id == bindparam("b_id"))
                .values(linked_events=column + bindparam("b_more")),
                [{"b_id": key, "b_more": more} for key, more in sorted(self.more_links.items())],
            )
        links = [{"action_id": a, "event_id": e} for a, e in self.action_links]
        await _insert(connection, insert_ignoring_duplicates(action_links, dialect), links)
        await _insert(connection, learning_alerts.insert(), [alert.row for alert in self.alerts])


async def confirm_alerts(connection: AsyncConnection, changes: BatchChanges) -> set[str]:
    """Drop the batch's alerts that another learning instance raised meanwhile; returns the
    ids of the derived events to drop with them.

    Alerts concern a region, whose sites may be spread over several instances (a site's facts
    stay with one). On PostgreSQL each (provider, region, theme) is locked for the rest of the
    transaction before checking what is stored, so two instances cannot both raise the same
    alert: the second waits for the first to commit, then sees its alert. Locks are only taken
    for the rare batch that raises an alert. SQLite has one writer at a time already.
    """
    if not changes.alerts or connection.dialect.name != "postgresql":
        return set()
    keys = sorted({_region_theme(alert) for alert in changes.alerts})
    # A fixed lock order (the keys sorted, one statement locking them in array order): two
    # instances never wait for each other in a circle.
    await connection.execute(LOCK_REGION_THEMES, {"names": [_lock_name(key) for key in keys]})
    columns = (learning_alerts.c.provider_id, learning_alerts.c.region, learning_alerts.c.theme_id)
    rows = await connection.execute(
        select(*columns, func.max(learning_alerts.c.raised_for))
        .where(tuple_(*columns).in_(keys))
        .group_by(*columns)
    )
    latest = {(provider, region, theme): at for provider, region, theme, at in rows.all()}
    dropped = {
        alert.derived_id
        for alert in changes.alerts
        if (at := latest.get(_region_theme(alert))) is not None and at > alert.since
    }
    changes.alerts = [alert for alert in changes.alerts if alert.derived_id not in dropped]
    return dropped


LOCK_REGION_THEMES = text(
    "SELECT pg_advisory_xact_lock(hashtext(name)) "
    "FROM unnest(CAST(:names AS text[])) WITH ORDINALITY AS locks(name, position) "
    "ORDER BY position"
)
"""Lock each (provider, region, theme) named, in the order given, until the transaction ends."""


def _region_theme(alert: NewAlert) -> tuple[str, str, str]:
    return alert.row["provider_id"], alert.row["region"], alert.row["theme_id"]


def _lock_name(key: tuple[str, str, str]) -> str:
    provider, region, theme = key
    return f"alert/{provider}/{region}/{theme}"


async def _insert(connection: AsyncConnection, statement: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        await connection.execute(statement, rows[start : start + ROWS_PER_STATEMENT])


def table_names() -> tuple[Table, ...]:
    """The tables a batch writes (for tests that compare stores)."""
    return (facts, event_themes, obligations, improvement_actions, action_links, learning_alerts)
