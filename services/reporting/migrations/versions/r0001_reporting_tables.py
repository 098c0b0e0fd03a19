"""Reporting: the monthly cube, facts index, theme links, actions, obligations, alerts, lessons.

Revision ID: r0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("reporting",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reporting_actions",
        sa.Column("action_id", sa.String(length=128), nullable=False),
        sa.Column("provider_id", sa.String(length=63), nullable=False),
        sa.Column("region", sa.String(length=63), nullable=False),
        sa.Column("site_id", sa.String(length=63), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("rule_id", sa.String(length=200), nullable=True),
        sa.Column("theme_id", sa.String(length=63), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_settled", sa.Boolean(), nullable=False),
        sa.Column("source_event_id", sa.String(length=128), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verdict", sa.String(length=32), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("owner_role", sa.String(length=200), nullable=True),
        sa.Column("owner_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("linked_events", sa.Integer(), nullable=False),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("action_id"),
    )
    op.create_index(
        "ix_reporting_actions_site", "reporting_actions", ["provider_id", "site_id", "due_at"]
    )
    op.create_index("ix_reporting_actions_source", "reporting_actions", ["source_event_id"])
    op.create_table(
        "reporting_alert_sites",
        sa.Column("alert_id", sa.String(length=128), nullable=False),
        sa.Column("site_id", sa.String(length=63), nullable=False),
        sa.PrimaryKeyConstraint("alert_id", "site_id"),
    )
    op.create_table(
        "reporting_alerts",
        sa.Column("alert_id", sa.String(length=128), nullable=False),
        sa.Column("provider_id", sa.String(length=63), nullable=False),
        sa.Column("region", sa.String(length=63), nullable=False),
        sa.Column("site_id", sa.String(length=63), nullable=False),
        sa.Column("theme_id", sa.String(length=63), nullable=False),
        sa.Column("site_ids", sa.JSON(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.Column("source_event_id", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("alert_id"),
    )
    op.create_index("ix_reporting_alerts_source", "reporting_alerts", ["source_event_id"])
    op.create_table(
        "reporting_cube",
        sa.Column("provider_id", sa.String(length=63), nullable=False),
        sa.Column("region", sa.String(length=63), nullable=False),
        sa.Column("site_id", sa.String(length=63), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("metric", sa.String(length=63), nullable=False),
        sa.Column("dimension", sa.String(length=63), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("provider_id", "region", "site_id", "month", "metric", "dimension"),
    )
    op.create_index(
        "ix_reporting_cube_metric", "reporting_cube", ["provider_id", "metric", "month"]
    )
    op.create_table(
        "reporting_facts",
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("provider_id", sa.String(length=63), nullable=False),
        sa.Column("region", sa.String(length=63), nullable=False),
        sa.Column("site_id", sa.String(length=63), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("detail", sa.String(length=63), nullable=False),
        sa.Column("physical_harm", sa.String(length=16), nullable=True),
        sa.Column("score_ppm", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_table(
        "reporting_lessons",
        sa.Column("lesson_id", sa.String(length=128), nullable=False),
        sa.Column("action_id", sa.String(length=128), nullable=False),
        sa.Column("theme_id", sa.String(length=63), nullable=True),
        sa.Column("provider_id", sa.String(length=63), nullable=False),
        sa.Column("region", sa.String(length=63), nullable=False),
        sa.Column("site_id", sa.String(length=63), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("what_happened", sa.String(length=2000), nullable=False),
        sa.Column("evidence_of_effect", sa.String(length=2000), nullable=False),
        sa.PrimaryKeyConstraint("lesson_id"),
    )
    op.create_index(
        "ix_reporting_lessons_shared", "reporting_lessons", ["provider_id", "shared_at"]
    )
    op.create_table(
        "reporting_obligations",
        sa.Column("obligation_id", sa.String(length=128), nullable=False),
        sa.Column("provider_id", sa.String(length=63), nullable=False),
        sa.Column("region", sa.String(length=63), nullable=False),
        sa.Column("site_id", sa.String(length=63), nullable=False),
        sa.Column("kind", sa.String(length=63), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("statutory", sa.String(length=200), nullable=True),
        sa.Column("source_event_id", sa.String(length=128), nullable=True),
        sa.Column("met_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("flagged_overdue", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("obligation_id"),
    )
    op.create_index(
        "ix_reporting_obligations_due", "reporting_obligations", ["provider_id", "due_at"]
    )
    op.create_table(
        "reporting_sites",
        sa.Column("site_id", sa.String(length=63), nullable=False),
        sa.Column("provider_id", sa.String(length=63), nullable=True),
        sa.Column("region", sa.String(length=63), nullable=False),
        sa.Column("kind", sa.String(length=63), nullable=False),
        sa.Column("beds", sa.Integer(), nullable=True),
        sa.Column("occupied_beds", sa.Float(), nullable=True),
        sa.Column("care_hours_per_month", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("site_id"),
    )
    op.create_table(
        "reporting_state",
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "reporting_theme_links",
        sa.Column("source_event_id", sa.String(length=128), nullable=False),
        sa.Column("theme_id", sa.String(length=63), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("provider_id", sa.String(length=63), nullable=False),
        sa.Column("region", sa.String(length=63), nullable=False),
        sa.Column("site_id", sa.String(length=63), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("source_event_id", "theme_id"),
    )
    op.create_index(
        "ix_reporting_theme_links_theme",
        "reporting_theme_links",
        ["provider_id", "theme_id", "occurred_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_reporting_theme_links_theme", table_name="reporting_theme_links")
    op.drop_table("reporting_theme_links")
    op.drop_table("reporting_state")
    op.drop_table("reporting_sites")
    op.drop_index("ix_reporting_obligations_due", table_name="reporting_obligations")
    op.drop_table("reporting_obligations")
    op.drop_index("ix_reporting_lessons_shared", table_name="reporting_lessons")
    op.drop_table("reporting_lessons")
    op.drop_table("reporting_facts")
    op.drop_index("ix_reporting_cube_metric", table_name="reporting_cube")
    op.drop_table("reporting_cube")
    op.drop_index("ix_reporting_alerts_source", table_name="reporting_alerts")
    op.drop_table("reporting_alerts")
    op.drop_table("reporting_alert_sites")
    op.drop_index("ix_reporting_actions_site", table_name="reporting_actions")
    op.drop_index("ix_reporting_actions_source", table_name="reporting_actions")
    op.drop_table("reporting_actions")
