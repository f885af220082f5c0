"""Apply Alembic migrations (the schema's only source) to the app's database."""

from __future__ import annotations

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from directory.config import PROJECT_ROOT

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config() -> AlembicConfig:
    """An Alembic config pointing at the project's migrations folder."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision`; running it again changes nothing."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


# Objects the migrations create that the ORM does not model: SQLite's FTS5 index tables,
# PostgreSQL's generated tsvector column, and the indexes only one database has (PostgreSQL's
# on the tsvector, on its name and issue-terms parts, the same for wide documents alone, and
# in triage's national-services order; SQLite's covering one for nearby search). Autogenerate
# and the drift test must ignore them.
ONE_DATABASE_INDEXES = frozenset(
    {
        "ix_search_document_document",
        "ix_search_document_issue_terms",
        "ix_search_document_name_terms",
        "ix_search_document_national_freshness",
        "ix_search_document_wide_document",
        "ix_search_document_wide_issue_terms",
        "ix_search_document_wide_name_terms",
        "ix_search_point_nearby",
    }
)


def include_name(name: str | None, type_: str, _parents: dict[str, str | None]) -> bool:
    """Whether Alembic should compare this table (not the FTS5 shadow tables)."""
    return not (type_ == "table" and name is not None and name.startswith("service_fts"))


def include_object(
    obj: object, name: str | None, type_: str, _reflected: bool, _other: object
) -> bool:
    """Whether Alembic should compare this object: not the generated tsvector or the indexes
    that only one database has (made by the migrations alone)."""
    return not (
        (type_ == "column" and name == "document")
        or (type_ == "index" and name in ONE_DATABASE_INDEXES)
    )
