"""nearby index: on SQLite, an index that holds everything a nearby search reads from
search_point, so that the search never leaves it

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Not on PostgreSQL: a B-tree entry there is capped at about 2.7 KB, and a service's list of
# areas is not. Not in the models either (directory/migrate.py leaves it out of comparisons).
NEARBY_INDEX = "ix_search_point_nearby"
COLUMNS = [
    "latitude",
    "longitude",
    "coverage_scope",
    "coverage_radius_km",
    "document_id",
    "service_id",
    "coverage_areas",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index(NEARBY_INDEX, "search_point", COLUMNS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index(NEARBY_INDEX, table_name="search_point")
