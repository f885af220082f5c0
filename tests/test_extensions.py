"""The database engine's settings."""

from pathlib import Path

from sqlalchemy import text

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
