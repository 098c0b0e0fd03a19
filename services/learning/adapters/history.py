"""What a batch of facts needs to know about the past, read in a few set-based queries.

Instead of asking the database per fact ("how many falls at this site in the last 30 days?"),
the pipeline reads, once per batch, the stored events of every (site, theme), site and
(provider, region, theme) the batch touches within the widest window any rule uses, and then
answers each fact's questions in memory (:mod:`services.learning.domain.timeline`), adding the
batch's own facts as it goes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, String, any_, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from services.learning.adapters.tables import (
    event_themes,
    facts,
    improvement_actions,
    learning_alerts,
    obligations,
)
from services.learning.domain.action_lifecycle import OPEN_STATES
from services.learning.domain.timeline import Moments, Timeline

RegionTheme = tuple[str, str, str]
"""(provider id, region, theme id)."""


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time here is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class OpenObligation:
    """A complaint-response obligation not yet met."""

    obligation_id: str
    kind: str
    event_id: str
    provider_id: str
    due_at: datetime


@dataclass
class BatchHistory:
    """The stored past a batch needs, kept current as the batch's facts are applied."""

    site_themes: dict[tuple[str, str], Timeline] = field(default_factory=dict)
    """(site, theme) -> facts with that theme at that site."""
    negative_feedback: dict[str, Timeline] = field(default_factory=dict)
    """site -> negative feedback at that site."""
    open_actions: dict[str, dict[str, str]] = field(default_factory=dict)
    """site -> action key -> id of the action open there."""
    alerts: dict[RegionTheme, Moments] = field(default_factory=dict)
    """When learning alerts were raised for a theme in a provider's region."""
    region_themes: dict[RegionTheme, Timeline] = field(default_factory=dict)
    """Facts with a theme in a provider's region (only where an alert may be due)."""
    complaint_responses: dict[str, list[OpenObligation]] = field(default_factory=dict)
    """complaint event id -> its response obligations not yet met."""

    def site_theme(self, site: str, theme: str) -> Timeline:
        """The (site, theme) timeline, created empty when nothing is stored."""
        return self.site_themes.setdefault((site, theme), Timeline())

    def region_theme(self, key: RegionTheme) -> Timeline:
        """The (provider, region, theme) timeline, created empty when nothing is stored."""
        return self.region_themes.setdefault(key, Timeline())


@dataclass(frozen=True)
class HistoryRequest:
    """What a batch will ask about: keys, and the span of time that can matter."""

    site_themes: set[tuple[str, str]]
    negative_sites: set[str]
    sites: set[str]
    region_themes: dict[RegionTheme, int]
    """Each (provider, region, theme) with its provider's alert window in days."""
    complaints: set[str]
    earliest: datetime
    latest: datetime
    recurrence_days: int
    feedback_days: int


def _among(
    column: ColumnElement[str], values: Collection[str], dialect: str
) -> ColumnElement[bool]:
    """``column IN values``, the values bound as one parameter (a text array on PostgreSQL, a
    JSON array on SQLite): the statement's text is the same whatever the number of values, so
    it is compiled (and on PostgreSQL prepared) once, and binding costs one parameter, not one
    per value."""
    ordered = sorted(values)
    if dialect == "postgresql":
        return column == any_(literal(ordered, ARRAY(String)))
    listed = func.json_each(literal(json.dumps(ordered))).table_valued("value")
    return column.in_(select(listed.c.value))


async def load_history(connection: AsyncConnection, request: HistoryRequest) -> BatchHistory:
    """Read everything ``request`` can need, in a handful of queries."""
    history = BatchHistory()
    latest = request.latest
    dialect = connection.dialect.name
    if request.site_themes:
        since = request.earliest - timedelta(days=request.recurrence_days)
        sites = {site for site, _ in request.site_themes}
        themes = {theme for _, theme in request.site_themes}
        rows = await connection.execute(
            select(event_themes.c.site_id, event_themes.c.theme_id,
                   event_themes.c.occurred_at, event_themes.c.event_id)
            .where(_among(event_themes.c.site_id, sites, dialect),
                   _among(event_themes.c.theme_id, themes, dialect),
                   event_themes.c.occurred_at > since, event_themes.c.occurred_at <= latest)
        )  # fmt: skip
        for site, theme, at, event_id in rows.all():
            if (site, theme) in request.site_themes:
                history.site_theme(site, theme).entries.append((aware(at), event_id, site))
    if request.negative_sites:
        since = request.earliest - timedelta(days=request.feedback_days)
        rows = await connection.execute(
            select(facts.c.site_id, facts.c.occurred_at, facts.c.event_id).where(
                _among(facts.c.site_id, request.negative_sites, dialect),
                facts.c.negative_feedback.is_(True),
                facts.c.occurred_at > since, facts.c.occurred_at <= latest,
            )
        )  # fmt: skip
        for site, at, event_id in rows.all():
            timeline = history.negative_feedback.setdefault(site, Timeline())
            timeline.entries.append((aware(at), event_id, site))
    open_states = [state.value for state in OPEN_STATES]
    if request.sites:
        rows = await connection.execute(
            select(improvement_actions.c.site_id, improvement_actions.c.action_key,
                   improvement_actions.c.action_id)
            .where(_among(improvement_actions.c.site_id, request.sites, dialect),
                   improvement_actions.c.state.in_(open_states))
        )  # fmt: skip
        for site, key, action_id in rows.all():
            history.open_actions.setdefault(site, {})[key] = action_id
    if request.region_themes:
        await _load_region_themes(connection, request, history)
    if request.complaints:
        rows = await connection.execute(
            select(obligations.c.obligation_id, obligations.c.kind, obligations.c.event_id,
                   obligations.c.provider_id, obligations.c.due_at)
            .where(_among(obligations.c.event_id, request.complaints, dialect),
                   obligations.c.state != "met")
        )  # fmt: skip
        for obligation_id, kind, event_id, provider, due in rows.all():
            history.complaint_responses.setdefault(event_id, []).append(
                OpenObligation(obligation_id, kind, event_id, provider, aware(due))
            )
    for timeline in (*history.site_themes.values(), *history.negative_feedback.values()):
        timeline.entries.sort()
    return history


async def _load_region_themes(
    connection: AsyncConnection, request: HistoryRequest, history: BatchHistory
) -> None:
    """Alerts first; facts only for the (provider, region, theme) not alerted recently enough
    to cover the whole batch, which is most of them once a region is being watched."""
    keys = request.region_themes
    dialect = connection.dialect.name
    since = request.earliest - timedelta(days=max(keys.values()))
    providers = {provider for provider, _, _ in keys}
    regions = {region for _, region, _ in keys}
    themes = {theme for _, _, theme in keys}
    rows = await connection.execute(
        select(learning_alerts.c.provider_id, learning_alerts.c.region,
               learning_alerts.c.theme_id, learning_alerts.c.raised_for)
        .where(_among(learning_alerts.c.provider_id, providers, dialect),
               _among(learning_alerts.c.region, regions, dialect),
               _among(learning_alerts.c.theme_id, themes, dialect),
               learning_alerts.c.raised_for > since)
    )  # fmt: skip
    for provider, region, theme, raised in rows.all():
        if (provider, region, theme) in keys:
            history.alerts.setdefault((provider, region, theme), Moments()).times.append(
                aware(raised)
            )
    for moments in history.alerts.values():
        moments.times.sort()
    wanted = {
        key
        for key, days in keys.items()
        if not _covered(history.alerts.get(key), request.latest - timedelta(days=days))
    }
    if not wanted:
        return
    by_region: dict[tuple[str, str], set[str]] = defaultdict(set)
    for provider, region, theme in wanted:
        by_region[(provider, region)].add(theme)
    for (provider, region), region_themes in sorted(by_region.items()):
        rows = await connection.execute(
            select(event_themes.c.theme_id, event_themes.c.occurred_at,
                   event_themes.c.event_id, event_themes.c.site_id)
            .where(event_themes.c.region == region, event_themes.c.provider_id == provider,
                   _among(event_themes.c.theme_id, region_themes, dialect),
                   event_themes.c.occurred_at > since,
                   event_themes.c.occurred_at <= request.latest)
        )  # fmt: skip
        for theme, at, event_id, site in rows.all():
            history.region_theme((provider, region, theme)).entries.append(
                (aware(at), event_id, site)
            )
    for key in wanted:
        history.region_theme(key).entries.sort()


def _covered(moments: Moments | None, after: datetime) -> bool:
    """An alert later than ``after`` answers "alerted recently" for every fact in the batch."""
    return moments is not None and moments.any_after(after)
