"""search index: documents with FTS5 (SQLite) or a weighted tsvector + GIN (PostgreSQL),
weekly opening intervals for open-now in SQL, and imported full-postcode positions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Name, issues and body are weighted 10 : 5 : 1 in SQLite's bm25 and A : B : C in PostgreSQL.
SQLITE_FTS = [
    """CREATE VIRTUAL TABLE service_fts USING fts5(
        name, issues, body,
        content='search_document', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')""",
    """CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN
        INSERT INTO service_fts(rowid, name, issues, body)
        VALUES (new.id, new.name, new.issues, new.body);
    END""",
    """CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN
        INSERT INTO service_fts(service_fts, rowid, name, issues, body)
        VALUES ('delete', old.id, old.name, old.issues, old.body);
    END""",
    """CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN
        INSERT INTO service_fts(service_fts, rowid, name, issues, body)
        VALUES ('delete', old.id, old.name, old.issues, old.body);
        INSERT INTO service_fts(rowid, name, issues, body)
        VALUES (new.id, new.name, new.issues, new.body);
    END""",
]

POSTGRES_FTS = [
    """ALTER TABLE search_document ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(name, '')), 'A') ||
        setweight(to_tsvector('english', coalesce(issues, '')), 'B') ||
        setweight(to_tsvector('english', coalesce(body, '')), 'C')) STORED""",
    "CREATE INDEX ix_search_document_document ON search_document USING GIN (document)",
]


def upgrade() -> None:
    op.create_table(
        "search_document",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("issues", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("hours_known", sa.Boolean(), nullable=False),
        sa.Column("issue_codes", sa.Text(), nullable=False),
        sa.Column("channel_types", sa.Text(), nullable=False),
        sa.Column("remote_area_coverage", sa.Boolean(), nullable=False),
        sa.Column("closes_on_bank_holidays", sa.Boolean(), nullable=False),
        sa.Column("has_validity_dates", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_search_document_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_document")),
        sa.UniqueConstraint("service_id", name=op.f("uq_search_document_service_id")),
    )
    op.create_index(
        op.f("ix_search_document_remote_area_coverage"),
        "search_document",
        ["remote_area_coverage"],
        unique=False,
    )
    op.create_table(
        "opening_interval",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["service.id"],
            name=op.f("fk_opening_interval_service_id_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opening_interval")),
    )
    op.create_index(
        op.f("ix_opening_interval_service_id"), "opening_interval", ["service_id"], unique=False
    )
    op.create_table(
        "postcode_point",
        sa.Column("postcode", sa.String(length=8), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=False),
        sa.Column("longitude", sa.Double(), nullable=False),
        sa.Column("nation", sa.String(length=3), nullable=True),
        sa.PrimaryKeyConstraint("postcode", name=op.f("pk_postcode_point")),
    )
    op.create_index(
        "ix_location_latitude_longitude", "location", ["latitude", "longitude"], unique=False
    )
    op.create_index(
        op.f("ix_service_at_location_location_id"),
        "service_at_location",
        ["location_id"],
        unique=False,
    )
    statements = SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else POSTGRES_FTS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE service_fts")
    op.drop_index(op.f("ix_opening_interval_service_id"), table_name="opening_interval")
    op.drop_table("opening_interval")
    op.drop_table("search_document")
    op.drop_table("postcode_point")
    op.drop_index("ix_location_latitude_longitude", table_name="location")
    op.drop_index(op.f("ix_service_at_location_location_id"), table_name="service_at_location")
