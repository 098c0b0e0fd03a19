"""The learning service's tables (see services/learning/migrations)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

facts = Table(
    "facts",
    metadata,
    Column("event_id", String(128), primary_key=True),
    Column("event_type", String(64), nullable=False),
    Column("provider_id", String(63), nullable=False),
    Column("site_id", String(63), nullable=False),
    Column("region", String(63), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("negative_feedback", Boolean, nullable=False, default=False),
    Column("detail", String(63), nullable=True),  # category, audit type or feedback kind
    Column("score", Float, nullable=True),  # audits
    Column("serious_harm", Boolean, nullable=False, default=False),
)
Index("ix_facts_site_time", facts.c.site_id, facts.c.occurred_at)

event_themes = Table(
    "event_themes",
    metadata,
    Column("event_id", String(128), primary_key=True),
    Column("theme_id", String(63), primary_key=True),
    Column("rule_id", String(200), nullable=False),
    Column("provider_id", String(63), nullable=False),
    Column("site_id", String(63), nullable=False),
    Column("region", String(63), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
)
Index(
    "ix_event_themes_site",
    event_themes.c.site_id,
    event_themes.c.theme_id,
    event_themes.c.occurred_at,
)
Index(
    "ix_event_themes_region",
    event_themes.c.region,
    event_themes.c.theme_id,
    event_themes.c.occurred_at,
)

obligations = Table(
    "obligations",
    metadata,
    Column("obligation_id", String(128), primary_key=True),
    Column("kind", String(63), nullable=False),
    Column("title", String(200), nullable=False),
    Column("statutory", String(64), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("event_id", String(128), nullable=False),
    Column("provider_id", String(63), nullable=False),
    Column("site_id", String(63), nullable=False),
    Column("region", String(63), nullable=False),
    Column("state", String(16), nullable=False),
    Column("met_at", DateTime(timezone=True), nullable=True),
)

improvement_actions = Table(
    "improvement_actions",
    metadata,
    Column("action_id", String(128), primary_key=True),
    Column("action_key", String(200), nullable=False),
    Column("provider_id", String(63), nullable=False),
    Column("site_id", String(63), nullable=False),
    Column("region", String(63), nullable=False),
    Column("rule_id", String(200), nullable=False),
    Column("title", String(200), nullable=False),
    Column("theme_id", String(63), nullable=True),
    Column("state", String(16), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=True),
    Column("source_event_id", String(128), nullable=False),
    Column("linked_events", Integer, nullable=False, default=1),
    Column("owner_role", String(100), nullable=True),
    Column("owner_ref", String(64), nullable=True),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    Column("reviewed_at", DateTime(timezone=True), nullable=True),
    Column("escalated_overdue", Boolean, nullable=False, default=False),
)
Index(
    "ix_actions_open",
    improvement_actions.c.site_id,
    improvement_actions.c.action_key,
    improvement_actions.c.state,
)

action_links = Table(
    "action_links",
    metadata,
    Column("action_id", String(128), primary_key=True),
    Column("event_id", String(128), primary_key=True),
)

# Progress notes and evidence entries managers add to an action (free text: never logged).
action_notes = Table(
    "action_notes",
    metadata,
    Column("action_id", String(128), primary_key=True),
    Column("at", DateTime(timezone=True), primary_key=True),
    Column("change", String(32), primary_key=True),
    Column("note", String(2000), nullable=True),
    Column("owner_role", String(100), nullable=True),
)

learning_alerts = Table(
    "learning_alerts",
    metadata,
    Column("alert_id", String(128), primary_key=True),
    Column("provider_id", String(63), nullable=False),
    Column("region", String(63), nullable=False),
    Column("theme_id", String(63), nullable=False),
    Column("raised_for", DateTime(timezone=True), nullable=False),
    Column("site_ids", JSON, nullable=False),
    Column("event_count", Integer, nullable=False),
)
Index(
    "ix_alerts_region_theme",
    learning_alerts.c.region,
    learning_alerts.c.theme_id,
    learning_alerts.c.raised_for,
)
