"""The database engine's settings."""

from pathlib import Path

import pytest
from sqlalchemy import text

from directory.config import TEST_DATABASE_URL
from directory.extensions import MMAP_BYTES, engine_for


def test_a_sqlite_file_is_read_through_a_memory_map_with_a_large_cache(tmp_path: Path) -> None:
    engine = engine_for(f"sqlite:///{tmp_path / 'signpost.db'}")
    try:
        with engine.connect() as connection:
            assert connection.scalar(text("PRAGMA mmap_size")) == MMAP_BYTES
            assert connection.scalar(text("PRAGMA cache_size")) == -65536
            assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
            assert connection.scalar(text("PRAGMA foreign_keys")) == 1
    finally:
        engine.dispose()


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="SIGNPOST_TEST_DATABASE_URL not set")
def test_postgresql_connections_plan_for_tables_in_memory_without_parallel_workers() -> None:
    assert TEST_DATABASE_URL
    engine = engine_for(TEST_DATABASE_URL)
    try:
        for _ in range(2):  # a new connection, then one from the pool
            with engine.connect() as connection:
                assert connection.scalar(text("SHOW max_parallel_workers_per_gather")) == "0"
                assert connection.scalar(text("SHOW random_page_cost")) == "1.1"
                connection.rollback()
    finally:
        engine.dispose()
