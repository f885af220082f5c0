"""Faults an operator will meet: a migration run twice (SQLite and PostgreSQL), an import
killed half-way, the database going away and coming back under a running app, with and
without load."""

from __future__ import annotations

import csv
import hashlib
import signal
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, make_url, text

from directory import create_app
from directory.config import PROJECT_ROOT, TEST_DATABASE_URL
from directory.extensions import db
from tests.conftest import _config, _postgres_url
from tests.ops.proxy import CuttableProxy
from tests.ops.server import (
    COMMAND_TIMEOUT_S,
    SIGNPOST,
    request,
    run_signpost,
    serving,
    signpost_env,
)

EXAMPLE_CSV = PROJECT_ROOT / "seed_data" / "templates" / "services_example.csv"
# Rows in the import that is killed: about 15 ms each here, so it would run for about a minute
# (several times longer than reading the file), and the kill at KILL_AFTER_S lands while it
# writes, even on a much faster machine.
IMPORT_ROWS = 4000
KILL_AFTER_S = 6.0
# The restart under load: seconds of each phase, client threads, and how long a request may
# take while the database is away (it must fail fast, not hang a worker).
HEALTHY_S, DOWN_S, BACK_S = 2.0, 3.0, 4.0
CLIENTS = 4
FAIL_FAST_S = 3.0
# After the database is back, the app may take this long to reconnect on every worker.
RECONNECT_S = 1.5


@pytest.fixture
def seeded_sqlite(tmp_path):
    path = tmp_path / "signpost.db"
    env = signpost_env(f"sqlite:///{path}")
    run_signpost(env, "init-db")
    run_signpost(env, "seed", "--demo")
    return env, path


def _schema(path) -> list[tuple[str, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()


def _snapshot(path) -> dict[str, str]:
    """Every table's rows, hashed: equal snapshots mean equal data."""
    snapshot = {}
    connection = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            rows = connection.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()  # noqa: S608
            snapshot[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        connection.close()
    return snapshot


def test_a_migration_run_twice_changes_nothing(seeded_sqlite):
    env, path = seeded_sqlite
    schema, data = _schema(path), _snapshot(path)

    again = run_signpost(env, "init-db")

    assert "nothing to do" in again.stdout
    assert _schema(path) == schema
    assert _snapshot(path) == data


def test_an_import_killed_half_way_leaves_the_data_as_it_was(seeded_sqlite, tmp_path):
    env, path = seeded_sqlite
    with EXAMPLE_CSV.open(newline="") as example:
        header, row = list(csv.reader(example))[:2]
    name = header.index("service_name")
    big = tmp_path / "services.csv"
    with big.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for n in range(IMPORT_ROWS):
            writer.writerow([*row[:name], f"{row[name]} {n:05d}", *row[name + 1 :]])
    before = _snapshot(path)

    process = subprocess.Popen(  # noqa: S603 - our own console script
        [SIGNPOST, "import", "csv", str(big)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(KILL_AFTER_S)
        assert process.poll() is None, "the import finished before it could be killed"
        process.send_signal(signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=COMMAND_TIMEOUT_S)
    assert process.returncode == -signal.SIGKILL

    assert _snapshot(path) == before
    # The database is usable afterwards: the same import, run to the end, goes in.
    small = tmp_path / "one.csv"
    small.write_text(EXAMPLE_CSV.read_text())
    assert "1 created" in run_signpost(env, "import", "csv", str(small)).stdout


@pytest.mark.postgres
@pytest.mark.skipif(not TEST_DATABASE_URL, reason="SIGNPOST_TEST_DATABASE_URL not set")
def test_an_unreachable_database_fails_fast_with_503_and_recovers_without_a_restart():
    assert TEST_DATABASE_URL
    schema = f"signpost_faults_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    direct = _postgres_url(schema)
    try:
        run_signpost(signpost_env(direct), "init-db")
        run_signpost(signpost_env(direct), "seed", "--demo")
        target = make_url(TEST_DATABASE_URL)
        with CuttableProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
            via_proxy = make_url(direct).set(host="127.0.0.1", port=proxy.port)
            app = create_app(
                {**_config(), "SQLALCHEMY_DATABASE_URL": via_proxy.render_as_string(False)}
            )
            client = app.test_client()
            search = {"q": "anxiety", "near": "Leeds"}
            try:
                assert client.get("/ready").status_code == 200
                assert client.post("/api/v1/search", json=search).status_code == 200

                proxy.cut()
                for _ in range(3):
                    started = time.monotonic()
                    ready = client.get("/ready")
                    found = client.post("/api/v1/search", json=search)
                    assert time.monotonic() - started < 2
                    assert ready.status_code == 503
                    assert found.status_code == 503
                    assert found.get_json()["code"] == 503
                    assert set(found.get_json()) == {"code", "status", "message"}
                    assert found.headers["Retry-After"]

                proxy.restore()
                assert client.get("/ready").status_code == 200
                assert client.post("/api/v1/search", json=search).status_code == 200
            finally:
                with app.app_context():
                    db.engine.dispose()
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_schema() -> Iterator[str]:
    """A PostgreSQL URL on a schema of this test's own, dropped afterwards."""
    assert TEST_DATABASE_URL
    schema = f"signpost_faults_{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _postgres_snapshot(url: str, schema: str) -> tuple[list[tuple], dict[str, str]]:
    """The schema's columns and indexes, and every table's rows hashed."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            columns = connection.execute(
                text(
                    "SELECT table_name, column_name, data_type, is_nullable, column_default"
                    " FROM information_schema.columns WHERE table_schema = :s ORDER BY 1, 2"
                ),
                {"s": schema},
            ).all()
            indexes = connection.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = :s ORDER BY 1"),
                {"s": schema},
            ).all()
            tables = sorted({row[0] for row in columns})
            data = {
                table: hashlib.sha256(
                    repr(
                        connection.execute(
                            text(f'SELECT * FROM "{schema}"."{table}" ORDER BY 1')  # noqa: S608
                        ).all()
                    ).encode()
                ).hexdigest()
                for table in tables
            }
    finally:
        engine.dispose()
    return [*map(tuple, columns), *map(tuple, indexes)], data


@pytest.mark.postgres
@pytest.mark.skipif(not TEST_DATABASE_URL, reason="SIGNPOST_TEST_DATABASE_URL not set")
def test_a_migration_run_twice_changes_nothing_on_postgres(postgres_schema):
    url = _postgres_url(postgres_schema)
    env = signpost_env(url)
    run_signpost(env, "init-db")
    run_signpost(env, "seed", "--demo")
    before = _postgres_snapshot(url, postgres_schema)

    again = run_signpost(env, "init-db")

    assert "nothing to do" in again.stdout
    assert _postgres_snapshot(url, postgres_schema) == before


@pytest.mark.postgres
@pytest.mark.skipif(not TEST_DATABASE_URL, reason="SIGNPOST_TEST_DATABASE_URL not set")
def test_the_database_restarting_under_load_fails_fast_and_recovers(postgres_schema, tmp_path):
    """`signpost serve` (2 workers) under several clients while its database connection is cut
    (as a restart drops it) and comes back: fast 503s meanwhile, never a 500 or a hang, and
    200s again without restarting the app."""
    direct = _postgres_url(postgres_schema)
    run_signpost(signpost_env(direct), "init-db")
    run_signpost(signpost_env(direct), "seed", "--demo")
    target = make_url(TEST_DATABASE_URL)
    with CuttableProxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        via_proxy = make_url(direct).set(host="127.0.0.1", port=proxy.port)
        env = signpost_env(via_proxy.render_as_string(hide_password=False))
        with serving(env, tmp_path) as server:
            results: list[tuple[float, float, int | str]] = []  # started, took, status
            stop = threading.Event()
            origin = time.monotonic()

            def client(n: int) -> None:
                body = {"q": ["anxiety", "grief", "someone to talk to", "panic"][n % 4]}
                while not stop.is_set():
                    started = time.monotonic()
                    try:
                        status: int | str = request(
                            f"{server.base}/api/v1/search", "POST", body, timeout=10
                        ).status
                    except OSError as error:  # a timeout or a dropped connection
                        status = type(error).__name__
                    results.append((started - origin, time.monotonic() - started, status))

            threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
            for thread in threads:
                thread.start()
            try:
                time.sleep(HEALTHY_S)
                cut_at = time.monotonic() - origin
                proxy.cut()
                time.sleep(DOWN_S)
                back_at = time.monotonic() - origin
                proxy.restore()
                time.sleep(BACK_S)
            finally:
                stop.set()
                for thread in threads:
                    thread.join(timeout=15)
            assert server.process.poll() is None, "the app had to be restarted"

    def during(start: float, end: float) -> list[tuple[float, float, int | str]]:
        return [r for r in results if r[0] >= start and r[0] + r[1] <= end]

    statuses = {status for _, _, status in results}
    problems = [line for line in server.log().splitlines() if '"status": 200' not in line]
    assert statuses <= {200, 503}, (statuses, "\n".join(problems)[-6000:])
    assert {s for _, _, s in during(0, cut_at)} == {200}
    down = during(cut_at + 0.2, back_at)
    assert down, "no request completed while the database was away"
    assert {s for _, _, s in down} == {503}
    assert max(took for _, took, _ in down) < FAIL_FAST_S
    recovered = [r for r in results if r[0] >= back_at + RECONNECT_S]
    assert recovered
    assert {s for _, _, s in recovered} == {200}
