"""The database engine's settings."""

import time
from pathlib import Path

import pytest
from sqlalchemy import event, text

from directory.config import TEST_DATABASE_URL
from directory.extensions import MMAP_BYTES, db, engine_for
from tests.conftest import POSTGRES


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


@pytest.mark.parametrize("backend", [POSTGRES], indirect=True)
def test_postgresql_reads_in_autocommit_and_hands_back_transactional_connections(seeded_app):
    """Search, triage and a service read run without BEGIN and ROLLBACK (read_session); every
    connection goes back to the pool as it came, so writes still have their transactions."""
    in_autocommit: list[bool] = []
    checked_in: list[bool] = []

    def statement(conn, _cursor, _statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        in_autocommit.append(conn.connection.dbapi_connection.autocommit)

    def checkin(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        checked_in.append(dbapi_connection.autocommit)

    with seeded_app.app_context():
        engine = db.engine
        service_id = db.session.scalars(text("SELECT id FROM service LIMIT 1")).one()
        db.session.rollback()
    client = seeded_app.test_client()
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "checkin", checkin)
    try:
        answers = {"immediate_danger": "no", "suicidal_thoughts": "no", "issues": ["anxiety"]}
        responses = [
            client.post("/api/v1/search", json={"q": "anxiety", "near": "LS6"}),
            client.post("/api/v1/triage", json={"answers": answers}),
            client.get(f"/api/v1/services/{service_id}"),
        ]
        reads = list(in_autocommit)
        with seeded_app.app_context():
            after = db.session.connection().connection.dbapi_connection.autocommit
            db.session.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "checkin", checkin)
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert len(reads) >= 5
    assert all(reads)
    assert checked_in
    assert not any(checked_in)
    assert after is False
