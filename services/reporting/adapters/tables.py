"""The reporting read models (see services/reporting/migrations).

Every table is prefixed ``reporting_`` so the service may share a database with the others.
Queries read these aggregates and entity rows, never raw events.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
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
Id = String(128)
Slug = String(63)
Moment = DateTime(timezone=True)

# Small facts: 'active_group' (the consumer group serve resumes), 'newest_event' (freshness).
state = Table(
    "reporting_state",
    metadata,
    Column("name", Slug, primary_key=True),
    Column("value", String(255), nullable=True),
    Column("at", Moment, nullable=True),
)

sites = Table(
    "reporting_sites",
    metadata,
    Column("site_id", Slug, primary_key=True),
    Column("provider_id", Slug, nullable=True),
    Column("region", Slug, nullable=False),
    Column("kind", Slug, nullable=False),
    Column("beds", Integer, nullable=True),
    Column("occupied_beds", Float, nullable=True),
    Column("care_hours_per_month", Float, nullable=True),
)

# Where and when each fact happened, so derived events about it can be placed.
facts = Table(
    "reporting_facts",
    metadata,
    Column("event_id", Id, primary_key=True),
    Column("event_type", String(64), nullable=False),
    Column("provider_id", Slug, nullable=False),
    Column("region", Slug, nullable=False),
    Column("site_id", Slug, nullable=False),
    Column("occurred_at", Moment, nullable=False),
    Column("month", String(7), nullable=False),
    Column("detail", Slug, nullable=False),
    Column("physical_harm", String(16), nullable=True),
    Column("score_ppm", Integer, nullable=True),
)

# The monthly cube: (provider, region, site, month, metric, dimension) -> count, total.
cube = Table(
    "reporting_cube",
    metadata,
    Column("provider_id", Slug, primary_key=True),
    Column("region", Slug, primary_key=True),
    Column("site_id", Slug, primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("metric", Slug, primary_key=True),
    Column("dimension", Slug, primary_key=True),
    Column("count", BigInteger, nullable=False),
    Column("total", BigInteger, nullable=False),
)
Index("ix_reporting_cube_metric", cube.c.provider_id, cube.c.metric, cube.c.month)
Index("ix_reporting_cube_site", cube.c.provider_id, cube.c.site_id, cube.c.month)

# Rollups, maintained in the projection's transaction (see services/reporting/domain/tallies.py):
# the cube summed over a region's sites, and monthly tallies of actions, obligations, alerts and
# lessons per site and per region - so no query reads entity rows to count them. The per-region
# tables also hold the whole provider's sums under region ``*`` (no region is named so).
cube_regions = Table(
    "reporting_cube_regions",
    metadata,
    Column("provider_id", Slug, primary_key=True),
    Column("region", Slug, primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("metric", Slug, primary_key=True),
    Column("dimension", Slug, primary_key=True),
    Column("count", BigInteger, nullable=False),
    Column("total", BigInteger, nullable=False),
)

TallyMetric = String(100)
TallyDimension = String(300)  # an owner role, or "<obligation kind>|<statutory wording>"
tallies = Table(
    "reporting_tallies",
    metadata,
    Column("provider_id", Slug, primary_key=True),
    Column("region", Slug, primary_key=True),
    Column("site_id", Slug, primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("metric", TallyMetric, primary_key=True),
    Column("dimension", TallyDimension, primary_key=True),
    Column("count", BigInteger, nullable=False),
    Column("total", BigInteger, nullable=False),
)
Index("ix_reporting_tallies_site", tallies.c.provider_id, tallies.c.site_id, tallies.c.month)

tallies_regions = Table(
    "reporting_tallies_regions",
    metadata,
    Column("provider_id", Slug, primary_key=True),
    Column("region", Slug, primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("metric", TallyMetric, primary_key=True),
    Column("dimension", TallyDimension, primary_key=True),
    Column("count", BigInteger, nullable=False),
    Column("total", BigInteger, nullable=False),
)

# One row per (fact, theme). ``settled`` is false while the fact is unknown and the link is
# placed provisionally at the theme.linked event's own time.
theme_links = Table(
    "reporting_theme_links",
    metadata,
    Column("source_event_id", Id, primary_key=True),
    Column("theme_id", Slug, primary_key=True),
    Column("event_type", String(64), nullable=False),
    Column("provider_id", Slug, nullable=False),
    Column("region", Slug, nullable=False),
    Column("site_id", Slug, nullable=False),
    Column("occurred_at", Moment, nullable=False),
    Column("month", String(7), nullable=False),
    Column("settled", Boolean, nullable=False),
)
Index(
    "ix_reporting_theme_links_theme",
    theme_links.c.provider_id,
    theme_links.c.theme_id,
    theme_links.c.occurred_at,
)

actions = Table(
    "reporting_actions",
    metadata,
    Column("action_id", Id, primary_key=True),
    Column("provider_id", Slug, nullable=False),
    Column("region", Slug, nullable=False),
    Column("site_id", Slug, nullable=False),
    Column("title", String(200), nullable=True),
    Column("rule_id", String(200), nullable=True),
    Column("theme_id", Slug, nullable=True),
    Column("status", String(32), nullable=False),
    Column("status_at", Moment, nullable=True),
    Column("opened_at", Moment, nullable=True),
    Column("opened_settled", Boolean, nullable=False),
    Column("source_event_id", Id, nullable=True),
    Column("due_at", Moment, nullable=True),
    Column("completed_at", Moment, nullable=True),
    Column("verdict", String(32), nullable=True),
    Column("reviewed_at", Moment, nullable=True),
    Column("owner_role", String(200), nullable=True),
    Column("owner_at", Moment, nullable=True),
    Column("linked_events", Integer, nullable=False),
    Column("escalations", Integer, nullable=False),
    Column("escalated_at", Moment, nullable=True),
    # Derived, for medians: exact microseconds from opening to completion, and whole days.
    Column("completion_us", BigInteger, nullable=True),
    Column("completion_day", Integer, nullable=True),
)
Index("ix_reporting_actions_site", actions.c.provider_id, actions.c.site_id, actions.c.due_at)
Index("ix_reporting_actions_source", actions.c.source_event_id)
Index("ix_reporting_actions_due", actions.c.provider_id, actions.c.due_at)
# Medians read the completed actions of one whole day to complete (see domain/tallies.py):
# these partial indexes hold just completed actions, with what the medians need.
_COMPLETED = actions.c.completion_us.is_not(None)
Index(
    "ix_reporting_actions_completion_day", actions.c.provider_id, actions.c.completion_day,
    actions.c.completed_at,
    postgresql_include=["completion_us", "opened_at", "status", "region", "site_id"],
    postgresql_where=_COMPLETED, sqlite_where=_COMPLETED,
)  # fmt: skip
Index(
    "ix_reporting_actions_completion_day_opened", actions.c.provider_id,
    actions.c.completion_day, actions.c.opened_at,
    postgresql_include=["completion_us", "status", "owner_role", "region", "site_id"],
    postgresql_where=_COMPLETED, sqlite_where=_COMPLETED,
)  # fmt: skip

obligations = Table(
    "reporting_obligations",
    metadata,
    Column("obligation_id", Id, primary_key=True),
    Column("provider_id", Slug, nullable=False),
    Column("region", Slug, nullable=False),
    Column("site_id", Slug, nullable=False),
    Column("kind", Slug, nullable=False),
    Column("due_at", Moment, nullable=False),
    Column("statutory", String(200), nullable=True),
    Column("source_event_id", Id, nullable=True),
    Column("met_at", Moment, nullable=True),
    Column("on_time", Boolean, nullable=True),
    Column("flagged_overdue", Boolean, nullable=False),
)
Index("ix_reporting_obligations_due", obligations.c.provider_id, obligations.c.due_at)

alerts = Table(
    "reporting_alerts",
    metadata,
    Column("alert_id", Id, primary_key=True),
    Column("provider_id", Slug, nullable=False),
    Column("region", Slug, nullable=False),
    Column("site_id", Slug, nullable=False),
    Column("theme_id", Slug, nullable=False),
    Column("site_ids", JSON, nullable=False),
    Column("event_count", Integer, nullable=False),
    Column("window_days", Integer, nullable=False),
    Column("raised_at", Moment, nullable=False),
    Column("settled", Boolean, nullable=False),
    Column("source_event_id", Id, nullable=True),
)
Index("ix_reporting_alerts_source", alerts.c.source_event_id)

# Every site an alert involves, so a site-scoped key sees alerts about its sites.
alert_sites = Table(
    "reporting_alert_sites",
    metadata,
    Column("alert_id", Id, primary_key=True),
    Column("site_id", Slug, primary_key=True),
)
Index("ix_reporting_alert_sites_site", alert_sites.c.site_id, alert_sites.c.alert_id)

lessons = Table(
    "reporting_lessons",
    metadata,
    Column("lesson_id", Id, primary_key=True),
    Column("action_id", Id, nullable=False),
    Column("theme_id", Slug, nullable=True),
    Column("provider_id", Slug, nullable=False),
    Column("region", Slug, nullable=False),
    Column("site_id", Slug, nullable=False),
    Column("shared_at", Moment, nullable=False),
    Column("what_happened", String(2000), nullable=False),
    Column("evidence_of_effect", String(2000), nullable=False),
)
Index("ix_reporting_lessons_shared", lessons.c.provider_id, lessons.c.shared_at)
