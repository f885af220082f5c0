"""Which requests run in a transaction: every write; on PostgreSQL, no read (no BEGIN and no
ROLLBACK around a search's statements: directory/extensions.py, Database)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event, func, select

from directory.extensions import db
from directory.models import ApiKey
from tests.api.conftest import World, service_body
from tests.api.test_triage import NO_RISK


@pytest.fixture
def transactional(world: World) -> Iterator[list[bool]]:
    """For each statement the app sends: whether it runs inside a transaction."""
    with world.app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs every request in a transaction")
    seen: list[bool] = []

    def note(connection, *_args) -> None:  # type: ignore[no-untyped-def]
        seen.append(not connection.connection.driver_connection.autocommit)

    event.listen(engine, "before_cursor_execute", note)
    yield seen
    event.remove(engine, "before_cursor_execute", note)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/services/{service_id}", None),
        ("GET", "/api/v1/services?per_page=5", None),
        ("POST", "/api/v1/search", {"q": "anxiety", "near": "LS1"}),
        ("POST", "/api/v1/triage", {"answers": {**NO_RISK, "issues": ["anxiety"]}}),
    ],
)
def test_a_read_runs_without_a_transaction(world, transactional, method, path, body):
    url = path.format(service_id=world.service_id)
    response = world.client.open(url, method=method, json=body)
    assert response.status_code == 200, response.get_json()
    assert transactional
    assert not any(transactional)


def test_a_write_runs_in_one_transaction(world, transactional):
    response = world.client.post(
        "/api/v1/services", json=service_body(world.organization_id), headers=world.auth("writer")
    )
    assert response.status_code == 201, response.get_json()
    assert transactional
    assert all(transactional)


def test_a_key_used_to_read_is_noted_without_a_transaction(world, transactional):
    """The key's last use is written (and kept) by a request that otherwise only reads."""

    def keys_used() -> int:
        with world.app.app_context():
            used = select(func.count()).where(ApiKey.last_used_at.is_not(None))
            return int(db.session.scalar(used) or 0)

    before = keys_used()
    transactional.clear()
    url = f"/api/v1/services/{world.service_id}"
    response = world.client.get(url, headers=world.auth("reader"))
    assert response.status_code == 200
    assert not any(transactional)
    assert keys_used() == before + 1
