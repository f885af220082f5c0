"""search documents carry copies of what filters and ranking read; search points for nearby
search from one index; open-now from one index

The derived rows are emptied: `signpost init-db` (and `make run`) rebuilds them when the
index is incomplete, and `signpost reindex` always can.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _copies() -> list[sa.Column[object]]:
    return [
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("kind", sa.String(length=30), nullable=False, server_default=""),
        sa.Column("cost", sa.String(length=8), nullable=False, server_default="unknown"),
        sa.Column("self_referral", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("max_age", sa.Integer(), nullable=True),
        sa.Column("nations", sa.String(length=20), nullable=False, server_default=" "),
        sa.Column("languages", sa.Text(), nullable=False, server_default=" "),
        sa.Column(
            "coverage_scope", sa.String(length=14), nullable=False, server_default="national"
        ),
        sa.Column("coverage_radius_km", sa.Double(), nullable=True),
        sa.Column("coverage_areas", sa.Text(), nullable=False, server_default=" "),
        sa.Column("last_verified_at", sa.Date(), nullable=True),
        sa.Column("revision", sa.String(length=32), nullable=False, server_default=""),
    ]


def upgrade() -> None:
    # Emptied first: rows without their copies would answer filters wrongly.
    op.execute("DELETE FROM opening_interval")
    op.execute("DELETE FROM search_document")
    for column in _copies():
        op.add_column("search_document", column)
    op.create_index(
        "ix_search_document_scope_freshness",
        "search_document",
        ["coverage_scope", "last_verified_at", "name", "service_id"],
        unique=False,
    )
    op.create_table(
        "search_point",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=False),
        sa.Column("longitude", sa.Double(), nullable=False),
        sa.Column("coverage_scope", sa.String(length=14), nullable=False),
        sa.Column("coverage_radius_km", sa.Double(), nullable=True),
        sa.Column("coverage_areas", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_search_point_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_point")),
    )
    op.create_index(
        "ix_search_point_position",
        "search_point",
        ["latitude", "longitude"],
        unique=False,
    )
    op.create_index(
        op.f("ix_search_point_service_id"), "search_point", ["service_id"], unique=False
    )
    op.drop_index("ix_opening_interval_service_id", table_name="opening_interval")
    op.create_index(
        "ix_opening_interval_lookup",
        "opening_interval",
        ["service_id", "start_minute", "end_minute"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_opening_interval_lookup", table_name="opening_interval")
    op.create_index(
        "ix_opening_interval_service_id", "opening_interval", ["service_id"], unique=False
    )
    op.drop_index(op.f("ix_search_point_service_id"), table_name="search_point")
    op.drop_index("ix_search_point_position", table_name="search_point")
    op.drop_table("search_point")
    op.drop_index("ix_search_document_scope_freshness", table_name="search_document")
    op.execute("DELETE FROM search_document")
    for column in _copies():
        op.drop_column("search_document", column.name)
