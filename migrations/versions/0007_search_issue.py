"""search issue: each search document under its issues and their broader terms, so an issue
filter reads one index range and then documents by their integer id

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_issue",
        sa.Column("issue_code", sa.String(length=80), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_search_issue_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("issue_code", "document_id", name=op.f("pk_search_issue")),
    )
    op.create_index(
        op.f("ix_search_issue_service_id"), "search_issue", ["service_id"], unique=False
    )
    # Filled from the documents already there, so an issue filter works at once, before
    # any service is next written or reindexed.
    op.execute(
        """
        INSERT INTO search_issue (issue_code, document_id, service_id)
        SELECT DISTINCT t.code, d.id, d.service_id
        FROM service_taxonomy_term l
        JOIN taxonomy_term t ON t.id = l.taxonomy_term_id
        JOIN search_document d ON d.service_id = l.service_id
        UNION
        SELECT DISTINCT p.code, d.id, d.service_id
        FROM service_taxonomy_term l
        JOIN taxonomy_term t ON t.id = l.taxonomy_term_id
        JOIN taxonomy_term p ON p.id = t.parent_id
        JOIN search_document d ON d.service_id = l.service_id
        """
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_search_issue_service_id"), table_name="search_issue")
    op.drop_table("search_issue")
