"""Migrations build exactly the schema the models describe, and running them twice is safe."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from directory.extensions import db
from directory.migrate import alembic_config, include_name, include_object, upgrade_database
from directory.models import Base
from tests.conftest import POSTGRES
from tests.helpers import search_issue_copies


def test_migrations_match_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": include_name, "include_object": include_object}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrading_twice_changes_nothing(app):
    with app.app_context():
        before = sorted(inspect(db.engine).get_table_names())
        upgrade_database(db.engine)
        assert sorted(inspect(db.engine).get_table_names()) == before
    assert "service" in before
    assert "alembic_version" in before


def test_the_indexes_only_one_database_has(app):
    with app.app_context():
        engine = db.engine
        names = {
            index["name"]
            for table in ("search_document", "search_point")
            for index in inspect(engine).get_indexes(table)
        }
        postgres = engine.dialect.name == "postgresql"
    assert ("ix_search_document_national_freshness" in names) is postgres
    assert ("ix_search_document_document" in names) is postgres
    assert ("ix_search_document_name_terms" in names) is postgres
    assert ("ix_search_document_issue_terms" in names) is postgres
    for part in ("document", "name_terms", "issue_terms"):
        assert (f"ix_search_document_wide_{part}" in names) is postgres
    assert ("ix_search_point_nearby" in names) is not postgres


# Each document's open_week next to its intervals, merged as PostgreSQL merges ranges.
_OPEN_WEEKS = text(
    "SELECT d.service_id, d.open_week, coalesce((SELECT range_agg("
    "int4range(i.start_minute, i.end_minute)) FROM opening_interval AS i"
    " WHERE i.service_id = d.service_id), '{}') AS intervals FROM search_document AS d"
)


def _after_upgrading_from(app, revision: str, query) -> list:
    """`query`'s rows after migrating the database down to `revision` and up again."""
    with app.app_context():
        engine = db.engine
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
        upgrade_database(engine)
        with engine.connect() as connection:
            return connection.execute(query).all()


@pytest.mark.parametrize("backend", [POSTGRES], indirect=True)
def test_0011_gives_the_documents_already_there_their_open_week(app, seed):
    seed()
    # 0011 again, on documents written without the column.
    rows = _after_upgrading_from(app, "0010", _OPEN_WEEKS)
    assert rows
    assert any(row.intervals for row in rows)  # some services have opening hours
    assert all(row.open_week == row.intervals for row in rows)


def test_0013_gives_search_issue_its_documents_open_now_copies(app, seed):
    seed()
    # 0013 again, on rows written without the columns.
    rows = _after_upgrading_from(app, "0012", search_issue_copies())
    assert rows
    assert all(row[1] is bool(row[3]) for row in rows)
    assert any(row[1] for row in rows)  # some services close on bank holidays
    assert all(row[0] == row[2] for row in rows)  # open_week: NULL on SQLite on both sides


@pytest.mark.parametrize("backend", [POSTGRES], indirect=True)
def test_the_issue_index_carries_the_open_now_copies_on_postgresql(app):
    """So an issue filter with open-now reads no row of search_issue (filters.issue_open_now)."""
    definition = text(
        "SELECT indexdef FROM pg_indexes"
        " WHERE schemaname = current_schema() AND indexname = 'ix_search_issue_issue_nations'"
    )
    with app.app_context():
        indexdef = db.session.scalar(definition)
    assert "(issue_code, nations, document_id)" in indexdef
    assert "INCLUDE (open_week, open_week_incomplete)" in indexdef
