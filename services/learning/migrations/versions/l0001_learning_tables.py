"""Learning: facts, themes, obligations, improvement actions, learning alerts.

Revision ID: l0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "l0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("learning",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "action_notes",
        sa.Column("action_id", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("change", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("owner_role", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("action_id", "at", "change"),
    )
    op.create_table(
        "action_links",
        sa.Column("action_id", sa.String(length=128), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("action_id", "event_id"),
    )
    op.create_table(
        "event_themes",
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("theme_id", sa.String(length=63), nullable=False),
        sa.Column("rule_id", sa.String(length=200), nullable=False),
        sa.Column("provider_id", sa.String(length=63), nullable=False),
        sa.Column("site_id", sa.String(length=63), nullable=False),
        sa.Column("region", sa.String(length=63), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "theme_id"),
    )
    op.create_index(
        "ix_event_themes_region",
        "event_themes",
        ["region", "theme_id", "occurred_at"],
        unique=False,
    )
    op.create_index(
        "ix_event_themes_site", "event_themes", ["site_id", "theme_id", "occurred_at"], unique=False
    )
    op.create_table(
        "facts",
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("provider_id", sa.String(length=63), nullable=False),
        sa.Column("site_id", sa.String(length=63), nullable=False),
        sa.Column("region", sa.String(length=63), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("negative_feedback", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.String(length=63), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("serious_harm", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_facts_site_time", "facts", ["site_id", "occurred_at"], unique=False)
    op.create_table(
        "improvement_actions",
        sa.Column("action_id", sa.String(length=128), nullable=False),
        sa.Column("action_key", sa.String(length=200), nullable=False),
        sa.Column("provider_id", sa.String(length=63), nullable=False),
        sa.Column("site_id", sa.String(length=63), nullable=False),
        sa.Column("region", sa.String(length=63), nullable=False),
        sa.Column("rule_id", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("theme_id", sa.String(length=63), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_event_id", sa.String(length=128), nullable=False),
        sa.Column("linked_events", sa.Integer(), nullable=False),
        sa.Column("owner_role", sa.String(length=100), nullable=True),
        sa.Column("owner_ref", sa.String(length=64), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_overdue", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("action_id"),
    )
    op.create_index(
        "ix_actions_open", "improvement_actions", ["site_id", "action_key", "state"], unique=False
    )
    op.create_table(
        "learning_alerts",
        sa.Column("alert_id", sa.String(length=128), nullable=False),
        sa.Column("provider_id", sa.String(length=63), nullable=False),
        sa.Column("region", sa.String(length=63), nullable=False),
        sa.Column("theme_id", sa.String(length=63), nullable=False),
        sa.Column("raised_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("site_ids", sa.JSON(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("alert_id"),
    )
    op.create_index(
        "ix_alerts_region_theme",
        "learning_alerts",
        ["region", "theme_id", "raised_for"],
        unique=False,
    )
    op.create_table(
        "obligations",
        sa.Column("obligation_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=63), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("statutory", sa.String(length=64), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("provider_id", sa.String(length=63), nullable=False),
        sa.Column("site_id", sa.String(length=63), nullable=False),
        sa.Column("region", sa.String(length=63), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("met_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("obligation_id"),
    )


def downgrade() -> None:
    op.drop_table("action_notes")
    op.drop_table("obligations")
    op.drop_index("ix_alerts_region_theme", table_name="learning_alerts")
    op.drop_table("learning_alerts")
    op.drop_index("ix_actions_open", table_name="improvement_actions")
    op.drop_table("improvement_actions")
    op.drop_index("ix_facts_site_time", table_name="facts")
    op.drop_table("facts")
    op.drop_index("ix_event_themes_site", table_name="event_themes")
    op.drop_index("ix_event_themes_region", table_name="event_themes")
    op.drop_table("event_themes")
    op.drop_table("action_links")
