"""wide text indexes: on PostgreSQL, partial GIN indexes of the search documents a place
search finds without their being near it (national ones, and those that cover listed areas
without a location), for its pool of text matches

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# PostgreSQL only. A place search's text pool is the best matches among these documents and
# every match nearby (directory/search/fulltext.py, WIDE, the same predicate: PostgreSQL uses
# a partial index only for a query whose WHERE implies it). A tenth of the synthetic
# directory is national: "anxiety" matches 9,414 of 50,000 documents, 931 of them wide. One
# index for the whole document and one for each part the full-text tiers read (as 0010).
# Not in the models (directory/migrate.py leaves them out).
WIDE = "coverage_scope = 'national' OR remote_area_coverage"
INDEXES = {
    "ix_search_document_wide_document": "document",
    "ix_search_document_wide_name_terms": "ts_filter(document, '{a}')",
    "ix_search_document_wide_issue_terms": "ts_filter(document, '{b}')",
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, expression in INDEXES.items():
            op.create_index(
                name,
                "search_document",
                [sa.text(expression)],
                postgresql_using="gin",
                postgresql_where=sa.text(WIDE),
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in INDEXES:
            op.drop_index(name, table_name="search_document")
