"""Two `signpost serve` processes on one PostgreSQL schema and one Redis, as two hosts behind a
load balancer: a write through one is found through the other at once, and the rate limit is
counted once for both."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text

from directory.config import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.conftest import _postgres_url
from tests.ops.server import request, run_signpost, serving, signpost_env

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not (TEST_DATABASE_URL and TEST_REDIS_URL),
        reason="needs SIGNPOST_TEST_DATABASE_URL and SIGNPOST_TEST_REDIS_URL",
    ),
]

SEARCH_LIMIT = 5
SERVICE = "leeds-kirkstall-peer-support"


@pytest.fixture
def shared_env(tmp_path):
    """A migrated, seeded PostgreSQL schema and a Redis key prefix of this test's own."""
    import redis

    assert TEST_DATABASE_URL
    assert TEST_REDIS_URL
    schema = f"signpost_hosts_{uuid.uuid4().hex[:8]}"
    prefix = f"signpost-test-{uuid.uuid4().hex[:8]}"
    admin = create_engine(TEST_DATABASE_URL)
    store = redis.Redis.from_url(TEST_REDIS_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        env = signpost_env(
            _postgres_url(schema),
            RATELIMIT_ENABLED="1",
            RATELIMIT_STORAGE_URI=TEST_REDIS_URL,
            RATELIMIT_KEY_PREFIX=prefix,
            RATELIMIT_SEARCH=f"{SEARCH_LIMIT} per minute",
        )
        run_signpost(env, "init-db")
        run_signpost(env, "seed", "--demo")
        yield env, (lambda: _forget_counts(store, prefix))
    finally:
        _forget_counts(store, prefix)
        store.close()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _forget_counts(store, prefix: str) -> None:
    keys = list(store.scan_iter(match=f"*{prefix}*", count=1000))
    if keys:
        store.delete(*keys)


def test_two_hosts_share_the_database_and_the_rate_limit(shared_env, tmp_path):
    env, forget_counts = shared_env
    secret = run_signpost(env, "keys", "create", "--name", "t", "--scope", "write")
    key = secret.stdout.strip().splitlines()[-1]
    with serving(env, tmp_path) as one, serving(env, tmp_path) as two:
        # Write through one host...
        service = request(f"{one.base}/api/v1/services/{SERVICE}")
        assert service.status == 200, service.body
        renamed = request(
            f"{one.base}/api/v1/services/{SERVICE}",
            "PATCH",
            {"name": "Kirkstall Zebrafinch Peer Support"},
            headers={"Authorization": f"Bearer {key}", "If-Match": service.headers["ETag"]},
        )
        assert renamed.status == 200, renamed.body

        # ...and the other host's search finds it at once.
        found = request(f"{two.base}/api/v1/search", "POST", {"q": "zebrafinch"})
        assert found.status == 200, found.body
        assert [s["name"] for s in found.body["contents"]] == ["Kirkstall Zebrafinch Peer Support"]

        # Searches from one address, spread over both hosts, share one count in Redis: the
        # limit is reached at SEARCH_LIMIT in all, not SEARCH_LIMIT per host.
        forget_counts()
        statuses = [
            request(f"{host.base}/api/v1/search", "POST", {"q": "anxiety"}).status
            for host in (one, two) * SEARCH_LIMIT
        ]
        assert statuses == [200] * SEARCH_LIMIT + [429] * SEARCH_LIMIT
        assert one.stop() == 0
        assert two.stop() == 0
