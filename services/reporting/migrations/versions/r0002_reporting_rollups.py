"""Reporting rollups: the cube per region, monthly tallies per site and per region; indexes for
the governance queries. Existing rows are counted into the new tables.

Revision ID: r0002
Revises: r0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "r0002"
down_revision: str | None = "r0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMPLETED = sa.text("completion_us IS NOT NULL")
CELL_TABLES = ("reporting_cube", "reporting_cube_regions", "reporting_tallies",
               "reporting_tallies_regions")  # fmt: skip


def _cells(name: str, *, site: bool, metric: int, dimension: int) -> None:
    site_column = [sa.Column("site_id", sa.String(length=63), nullable=False)] if site else []
    op.create_table(
        name,
        sa.Column("provider_id", sa.String(length=63), nullable=False),
        sa.Column("region", sa.String(length=63), nullable=False),
        *site_column,
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("metric", sa.String(length=metric), nullable=False),
        sa.Column("dimension", sa.String(length=dimension), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "provider_id", "region", *(["site_id"] if site else []), "month", "metric", "dimension"
        ),
    )


def upgrade() -> None:
    _cells("reporting_cube_regions", site=False, metric=63, dimension=63)
    _cells("reporting_tallies", site=True, metric=100, dimension=300)
    op.create_index(
        "ix_reporting_tallies_site", "reporting_tallies", ["provider_id", "site_id", "month"]
    )
    _cells("reporting_tallies_regions", site=False, metric=100, dimension=300)
    op.create_index("ix_reporting_cube_site", "reporting_cube", ["provider_id", "site_id", "month"])
    op.create_index("ix_reporting_actions_due", "reporting_actions", ["provider_id", "due_at"])
    op.create_index(
        "ix_reporting_alert_sites_site", "reporting_alert_sites", ["site_id", "alert_id"]
    )
    op.add_column("reporting_actions", sa.Column("completion_us", sa.BigInteger(), nullable=True))
    op.add_column("reporting_actions", sa.Column("completion_day", sa.Integer(), nullable=True))
    op.create_index(
        "ix_reporting_actions_completion_day", "reporting_actions",
        ["provider_id", "completion_day", "completed_at"],
        postgresql_include=["completion_us", "opened_at", "status", "region", "site_id"],
        postgresql_where=COMPLETED, sqlite_where=COMPLETED,
    )  # fmt: skip
    op.create_index(
        "ix_reporting_actions_completion_day_opened", "reporting_actions",
        ["provider_id", "completion_day", "opened_at"],
        postgresql_include=["completion_us", "status", "owner_role", "region", "site_id"],
        postgresql_where=COMPLETED, sqlite_where=COMPLETED,
    )  # fmt: skip
    if op.get_bind().dialect.name == "postgresql":
        # Every batch updates counts in place: free room in each page lets PostgreSQL do it
        # without touching the indexes (HOT updates; no index covers count or total).
        for table in CELL_TABLES:
            op.execute(f"ALTER TABLE {table} SET (fillfactor = 80)")
    # Count what is already stored (the projection keeps the rollups up to date from now on).
    from services.reporting.adapters.rollups import refresh_rollups

    refresh_rollups(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_reporting_actions_completion_day_opened", table_name="reporting_actions")
    op.drop_index("ix_reporting_actions_completion_day", table_name="reporting_actions")
    with op.batch_alter_table("reporting_actions") as batch:  # SQLite cannot drop columns
        batch.drop_column("completion_day")
        batch.drop_column("completion_us")
    op.drop_index("ix_reporting_actions_due", table_name="reporting_actions")
    op.drop_index("ix_reporting_alert_sites_site", table_name="reporting_alert_sites")
    op.drop_index("ix_reporting_cube_site", table_name="reporting_cube")
    op.drop_table("reporting_tallies_regions")
    op.drop_index("ix_reporting_tallies_site", table_name="reporting_tallies")
    op.drop_table("reporting_tallies")
    op.drop_table("reporting_cube_regions")
