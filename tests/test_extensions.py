"""The database engine's settings."""

import time
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


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="SIGNPOST_TEST_DATABASE_URL not set")
def test_a_pooled_connection_the_database_dropped_is_replaced_before_it_is_used() -> None:
    """As after a restart: the backend behind an idle pooled connection is gone, and the next
    checkout gets a new connection instead of failing its request (no pre-ping round trip)."""
    assert TEST_DATABASE_URL
    engine = engine_for(TEST_DATABASE_URL)
    admin = engine_for(TEST_DATABASE_URL)
    try:
        with engine.connect() as connection:
            dropped = connection.scalar(text("SELECT pg_backend_pid()"))
            connection.rollback()
        gone = text("SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = :pid)")
        with admin.connect() as connection:
            assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
            deadline = time.monotonic() + 5
            while not connection.scalar(gone, {"pid": dropped}) and time.monotonic() < deadline:
                time.sleep(0.02)
            connection.rollback()
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT pg_backend_pid()")) != dropped
            connection.rollback()
    finally:
        engine.dispose()
        admin.dispose()
