"""open week: each search document carries its weekly opening intervals, on PostgreSQL as a
multirange, so that open-now reads no other table there

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import INT4MULTIRANGE

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite keeps the column empty: it answers open-now from opening_interval.
    op.add_column(
        "search_document",
        sa.Column("open_week", sa.Text().with_variant(INT4MULTIRANGE(), "postgresql")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # From the intervals already there, so open-now is right at once, before any service
        # is next written or reindexed (a document without intervals: an empty week).
        op.execute(
            "UPDATE search_document AS d SET open_week = coalesce("
            "(SELECT range_agg(int4range(i.start_minute, i.end_minute))"
            " FROM opening_interval AS i WHERE i.service_id = d.service_id),"
            " '{}'::int4multirange)"
        )


def downgrade() -> None:
    # Not a batch (a copy of the table): on SQLite that would drop the full-text triggers.
    op.execute("ALTER TABLE search_document DROP COLUMN open_week")
