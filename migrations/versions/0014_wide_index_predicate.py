"""wide index predicate: PostgreSQL's partial GIN indexes of the wide search documents (0012)
under a predicate no other index answers, so a place search's pool reads them alone

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# PostgreSQL only. With 0012's predicate, `coverage_scope = 'national' OR
# remote_area_coverage`, the planner also turned a query's copy of it into a BitmapOr of two
# other indexes (ix_search_document_national_freshness and the remote_area_coverage one) and
# ANDed that with the partial index it had already chosen: about 4,980 national rows read to
# narrow a few hundred matches, 0.38 of 1.68 ms of a place search's ranked pool (EXPLAIN
# ANALYZE, 283 of them, 50,000 services). Wrapped in IS TRUE (which rows it holds is the
# same: WHERE drops NULL too), the predicate is one expression no other index matches; the
# query says the same (directory/search/fulltext.py, WIDE), so it still implies it.
OLD_WIDE = "coverage_scope = 'national' OR remote_area_coverage"
WIDE = "(coverage_scope = 'national' OR remote_area_coverage) IS TRUE"
INDEXES = {
    "ix_search_document_wide_document": "document",
    "ix_search_document_wide_name_terms": "ts_filter(document, '{a}')",
    "ix_search_document_wide_issue_terms": "ts_filter(document, '{b}')",
}


def _recreate(predicate: str) -> None:
    for name, expression in INDEXES.items():
        op.drop_index(name, table_name="search_document")
        op.create_index(
            name,
            "search_document",
            [sa.text(expression)],
            postgresql_using="gin",
            postgresql_where=sa.text(predicate),
        )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _recreate(WIDE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _recreate(OLD_WIDE)
