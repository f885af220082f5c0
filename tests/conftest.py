"""Fixtures: an app per backend (SQLite always; PostgreSQL when SIGNPOST_TEST_DATABASE_URL is
set), a seeded app shared by read-only tests, and a fresh empty one per test that writes."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import text

from directory import create_app
from directory.config import TEST_DATABASE_URL, TestConfig
from directory.extensions import db
from directory.migrate import upgrade_database
from directory.models import Base
from directory.seed import load_seed_bundle, seed_database

# For tests of one database alone: parametrize("backend", [POSTGRES], indirect=True).
POSTGRES = pytest.param(
    "postgres",
    marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not TEST_DATABASE_URL, reason="SIGNPOST_TEST_DATABASE_URL not set"),
    ],
)
BACKENDS = ["sqlite", POSTGRES]


def _postgres_url(schema: str) -> str:
    assert TEST_DATABASE_URL
    separator = "&" if "?" in TEST_DATABASE_URL else "?"
    return f"{TEST_DATABASE_URL}{separator}options={quote(f'-csearch_path={schema}')}"


def _make_app(backend: str, schema: str) -> Flask:
    url = "sqlite://" if backend == "sqlite" else _postgres_url(schema)
    app = create_app({**_config(), "SQLALCHEMY_DATABASE_URL": url})
    with app.app_context():
        if backend == "postgres":
            with db.engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        upgrade_database(db.engine)
    return app


def _config() -> dict[str, object]:
    return {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}


def _seed(app: Flask, *, demo: bool = True) -> None:
    with app.app_context():
        bundle = load_seed_bundle(app.config["SEED_DIR"], demo=demo)
        seed_database(db.session, bundle)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def seeded_app(backend: str) -> Iterator[Flask]:
    """One app per backend seeded with national and demo services; tests must not write."""
    app = _make_app(backend, "signpost_seeded")
    _seed(app)
    yield app
    _dispose(app)


@pytest.fixture(scope="session")
def _scratch_app(backend: str) -> Iterator[Flask]:
    app = _make_app(backend, "signpost_scratch")
    yield app
    _dispose(app)


@pytest.fixture
def app(backend: str, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """An app with an empty, migrated database of its own, for tests that write."""
    if backend == "sqlite":
        app = _make_app(backend, "")
        yield app
        _dispose(app)
    else:
        # PostgreSQL: one migrated schema for the session, emptied before each test.
        app = request.getfixturevalue("_scratch_app")
        with app.app_context(), db.engine.begin() as connection:
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {tables} CASCADE"))
        yield app


@pytest.fixture
def client(seeded_app: Flask):  # type: ignore[no-untyped-def]
    """A client of the shared seeded app."""
    return seeded_app.test_client()


@pytest.fixture
def seed(app: Flask):  # type: ignore[no-untyped-def]
    """Seed the fresh app on demand: seed(demo=False)."""
    return lambda demo=True: _seed(app, demo=demo)
