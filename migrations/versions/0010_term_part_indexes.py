"""term part indexes: on PostgreSQL, GIN indexes of the name part and the issue-terms part of
each search document's tsvector, for the full-text tiers of a common concept

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# PostgreSQL only (SQLite's FTS5 restricts a match to a column itself). The full-text tiers
# (directory/search/fulltext.py) rank a common concept's name matches first, then take its
# issue-term matches. The whole-document index would recheck every document with the word
# (9,267 for "anxiety" at 50,000 services), so PostgreSQL scanned the table instead: 32 ms to
# rank the 899 in names, 2.5 ms through the name index. With an index, ANALYZE also keeps
# statistics of each part, so the planner knows how many match there. The expressions are
# the ones fulltext.py queries. Not in the models (directory/migrate.py leaves them out).
INDEXES = {"ix_search_document_name_terms": "a", "ix_search_document_issue_terms": "b"}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, weight in INDEXES.items():
            op.create_index(
                name,
                "search_document",
                [sa.text(f"ts_filter(document, '{{{weight}}}')")],
                postgresql_using="gin",
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in INDEXES:
            op.drop_index(name, table_name="search_document")
