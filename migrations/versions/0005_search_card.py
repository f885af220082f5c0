"""search card: each service as JSON beside its search document, so that a page of results
reads one row per service instead of eight tables

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Empty until each service is next written or `signpost reindex` runs; until then its
    # record is read from the tables (search/snapshots.py).
    op.create_table(
        "search_card",
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("card", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_search_card_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_search_card")),
    )


def downgrade() -> None:
    op.drop_table("search_card")
