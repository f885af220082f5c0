"""search issue open week: each search_issue row carries its document's open_week and whether
the exact rules may decide open-now, so that an issue filter with open-now is decided on
search_issue's index before any document is read (PostgreSQL)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import INT4MULTIRANGE

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

INDEX = "ix_search_issue_issue_nations"
COLUMNS = ["issue_code", "nations", "document_id"]
# The exact rules may decide open-now (search/index.py open_week_incomplete).
INCOMPLETE = "(d.has_validity_dates OR d.closes_on_bank_holidays)"


def upgrade() -> None:
    op.add_column(
        "search_issue",
        sa.Column("open_week", sa.Text().with_variant(INT4MULTIRANGE(), "postgresql")),
    )
    op.add_column(
        "search_issue",
        sa.Column("open_week_incomplete", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    # From the documents already there, so the filter is right at once, before any service
    # is next written or reindexed.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE search_issue SET open_week = d.open_week,"  # noqa: S608 - fixed fragments
            f" open_week_incomplete = {INCOMPLETE}"
            " FROM search_document AS d WHERE d.id = search_issue.document_id"
        )
        # The index carries the copies, so the filter reads no row of search_issue either.
        op.drop_index(INDEX, table_name="search_issue")
        op.create_index(
            INDEX,
            "search_issue",
            COLUMNS,
            postgresql_include=["open_week", "open_week_incomplete"],
        )
    else:
        op.execute(
            "UPDATE search_issue SET open_week_incomplete = "  # noqa: S608 - fixed fragments
            f"(SELECT {INCOMPLETE} FROM search_document AS d"
            " WHERE d.id = search_issue.document_id)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index(INDEX, table_name="search_issue")
        op.create_index(INDEX, "search_issue", COLUMNS)
    with op.batch_alter_table("search_issue") as batch:
        batch.drop_column("open_week_incomplete")
        batch.drop_column("open_week")
