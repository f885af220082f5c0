"""Migrations build exactly the schema the models describe, and running them twice is safe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from directory.extensions import db
from directory.migrate import include_name, include_object, upgrade_database
from directory.models import Base


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
    assert ("ix_search_point_nearby" in names) is not postgres
