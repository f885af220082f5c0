"""search issue nations: each search_issue row carries its document's nations, so an issue
and a nation filter are decided on one index before any document is read

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

INDEX = "ix_search_issue_issue_nations"


def upgrade() -> None:
    op.add_column(
        "search_issue",
        sa.Column("nations", sa.String(length=20), nullable=False, server_default=" "),
    )
    # From the documents already there, so the filter is right at once, before any service
    # is next written or reindexed.
    op.execute(
        "UPDATE search_issue SET nations = "
        "(SELECT d.nations FROM search_document d WHERE d.id = search_issue.document_id)"
    )
    op.create_index(INDEX, "search_issue", ["issue_code", "nations", "document_id"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="search_issue")
    with op.batch_alter_table("search_issue") as batch:
        batch.drop_column("nations")
