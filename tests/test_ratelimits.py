"""Rate limits: which requests count, 429 in the one shape with Retry-After, windows that reset,
an unreachable Redis that neither fails nor refuses, and (when SIGNPOST_TEST_REDIS_URL is set)
two app hosts sharing their counts through a real Redis."""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from directory import create_app
from directory.config import TEST_REDIS_URL, Config, TestConfig
from directory.extensions import db, rate_limiter
from directory.migrate import upgrade_database
from directory.ratelimits import limit_name_for

TINY = {
    "search": "2 per minute",
    "triage": "2 per minute",
    "places": "2 per minute",
    "reports": "2 per minute",
}
NO_RISK = {"answers": {"immediate_danger": "no", "suicidal_thoughts": "no"}}

# One request of each limited kind: (limit name, how to send it).
SENDERS: dict[str, Callable[[Any], Any]] = {
    "search": lambda client: client.post("/api/v1/search", json={"q": "anxiety"}),
    "triage": lambda client: client.post("/api/v1/triage", json=NO_RISK),
    "places": lambda client: client.get("/api/v1/places/LS6"),
    "reports": lambda client: client.post(
        "/api/v1/services/no-such-service/reports", json={"kind": "phone"}
    ),
}


@pytest.mark.parametrize(
    ("method", "path", "name"),
    [
        ("POST", "/api/v1/search", "search"),
        ("GET", "/api/v1/search", "search"),
        ("GET", "/find", "search"),
        ("GET", "/", "search"),
        ("POST", "/api/v1/triage", "triage"),
        ("GET", "/api/v1/places/LS6 2AB", "places"),
        ("POST", "/api/v1/services/abc123/reports", "reports"),
        ("OPTIONS", "/api/v1/search", None),
        ("GET", "/api/v1/triage/questionnaire", None),
        ("GET", "/api/v1/services", None),
        ("GET", "/api/v1/services/abc123", None),
        ("GET", "/api/v1/services/abc123/reports", None),
        ("GET", "/hsds/services", None),
        ("GET", "/health", None),
        ("GET", "/ready", None),
        ("GET", "/static/widget.js", None),
    ],
)
def test_the_limited_routes(method, path, name):
    assert limit_name_for(method, path) == name


def test_limits_are_on_unless_switched_off():
    if "SIGNPOST_RATELIMIT_ENABLED" not in os.environ:
        assert Config.RATELIMIT_ENABLED is True
    assert set(Config.RATE_LIMITS) == set(TINY)


def _limited_app(**overrides: Any) -> Flask:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app(
        {
            **config,
            "SQLALCHEMY_DATABASE_URL": "sqlite://",
            "RATELIMIT_ENABLED": True,
            "RATE_LIMITS": dict(TINY),
            **overrides,
        }
    )
    with app.app_context():
        upgrade_database(db.engine)
    if not any(rule.rule.endswith("/reports") for rule in app.url_map.iter_rules()):
        # The public problem report may not be built yet: a stand-in at its path.
        app.add_url_rule(
            "/api/v1/services/<service_id>/reports",
            "report_stand_in",
            lambda service_id: ("", 201),
            methods=["POST"],
        )
    return app


@pytest.fixture
def limited() -> Iterator[Callable[..., Flask]]:
    apps: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        apps.append(_limited_app(**overrides))
        return apps[-1]

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def assert_too_many(response: Any) -> dict[str, Any]:
    assert response.status_code == 429
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == 429
    assert body["status"] == "Too Many Requests"
    assert "try again" in body["message"]
    assert body["safety"]["listening"][0]["value"] == "116 123"
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    return body


@pytest.mark.parametrize("name", sorted(SENDERS))
def test_each_limited_endpoint_answers_429_past_its_limit(limited, name):
    client = limited().test_client()
    send = SENDERS[name]
    assert send(client).status_code < 429
    assert send(client).status_code < 429
    assert_too_many(send(client))
    # Each limit is its own budget: the others are untouched.
    for other in sorted(set(SENDERS) - {name}):
        assert SENDERS[other](client).status_code < 429, other


def test_get_and_post_search_and_the_lookup_page_share_one_budget(limited):
    client = limited().test_client()
    assert client.get("/api/v1/search?q=anxiety").status_code == 200
    assert client.get("/find?q=anxiety").status_code == 200
    assert_too_many(client.post("/api/v1/search", json={"q": "anxiety"}))


def test_each_client_address_has_its_own_budget(limited):
    app = limited()
    surgery, other = app.test_client(), app.test_client()
    surgery.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    other.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for _ in range(2):
        surgery.post("/api/v1/search", json={"q": "grief"})
    assert_too_many(surgery.post("/api/v1/search", json={"q": "grief"}))
    assert other.post("/api/v1/search", json={"q": "grief"}).status_code == 200


def test_a_forged_forwarded_for_does_not_dodge_the_limit(limited):
    client = limited().test_client()  # SIGNPOST_PROXY_COUNT=0: no proxy is believed
    for n in range(2):
        client.post("/api/v1/search", json={"q": "x"}, headers={"X-Forwarded-For": f"10.0.0.{n}"})
    assert_too_many(
        client.post("/api/v1/search", json={"q": "x"}, headers={"X-Forwarded-For": "10.0.0.9"})
    )


def test_behind_a_trusted_proxy_each_forwarded_client_is_counted(limited):
    client = limited(PROXY_COUNT=1).test_client()

    def search_from(address: str) -> Any:
        return client.post("/api/v1/search", json={}, headers={"X-Forwarded-For": address})

    for _ in range(2):
        search_from("10.0.0.1")
    assert_too_many(search_from("10.0.0.1"))
    assert search_from("10.0.0.2").status_code == 200


@pytest.mark.parametrize("url", ["/health", "/ready", "/api/v1/services", "/api/v1/safety"])
def test_health_readiness_and_reads_are_never_limited(limited, url):
    client = limited(RATE_LIMITS={**TINY, "search": "1 per minute"}).test_client()
    for _ in range(5):
        assert client.get(url).status_code == 200


class FakeClock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_the_window_resets_when_its_minute_is_over(limited, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(time, "time", clock)
    client = limited().test_client()
    for _ in range(2):
        assert client.post("/api/v1/triage", json=NO_RISK).status_code == 200
    blocked = client.post("/api/v1/triage", json=NO_RISK)
    assert_too_many(blocked)
    clock.now += int(blocked.headers["Retry-After"]) + 1
    assert client.post("/api/v1/triage", json=NO_RISK).status_code == 200


def test_resetting_the_limiter_clears_every_count(limited):
    app = limited()
    client = app.test_client()
    for _ in range(2):
        client.get("/api/v1/places/LS6")
    assert_too_many(client.get("/api/v1/places/LS6"))
    with app.app_context():
        rate_limiter().reset()
    assert client.get("/api/v1/places/LS6").status_code == 200


def test_numbers_are_configurable(limited):
    client = limited(RATE_LIMITS={**TINY, "search": "5 per minute"}).test_client()
    statuses = [client.post("/api/v1/search", json={}).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_a_limit_that_is_not_a_limit_stops_the_app_starting():
    with pytest.raises(ValueError, match="search"):
        _limited_app(RATE_LIMITS={**TINY, "search": "lots"})


def test_switched_off_nothing_is_limited(limited):
    client = limited(RATELIMIT_ENABLED=False).test_client()
    assert all(client.post("/api/v1/search", json={}).status_code == 200 for _ in range(5))


def test_an_unreachable_redis_falls_back_to_counting_in_memory(limited, caplog):
    # Nothing listens on port 1: every Redis call fails at once.
    app = limited(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    client = app.test_client()
    caplog.set_level(logging.WARNING)
    first = client.post("/api/v1/search", json={"q": "anxiety"})
    assert first.status_code == 200  # neither a 500 nor a 503 for someone looking for help
    assert "falling back to in-memory storage" in caplog.text
    assert client.post("/api/v1/search", json={"q": "anxiety"}).status_code == 200
    assert_too_many(client.post("/api/v1/search", json={"q": "anxiety"}))


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    if not TEST_REDIS_URL:
        pytest.skip("SIGNPOST_TEST_REDIS_URL not set")
    import redis

    connection = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
    connection.ping()  # set but unreachable is a failure, not a skip
    prefix = f"signpost-test-{uuid.uuid4().hex}"
    yield prefix
    keys = list(connection.scan_iter(match=f"*{prefix}*"))
    if keys:
        connection.delete(*keys)
    assert not list(connection.scan_iter(match=f"*{prefix}*"))
    connection.close()


def _redis_host(limited: Callable[..., Flask], prefix: str) -> Flask:
    return limited(
        RATELIMIT_STORAGE_URI=TEST_REDIS_URL,
        RATELIMIT_KEY_PREFIX=prefix,
        RATELIMIT_STORAGE_OPTIONS={"key_prefix": prefix},
    )


def test_two_hosts_share_their_counts_through_redis(limited, redis_prefix, caplog):
    import redis

    caplog.set_level(logging.WARNING)
    first_host = _redis_host(limited, redis_prefix).test_client()
    second_host = _redis_host(limited, redis_prefix).test_client()
    assert first_host.post("/api/v1/search", json={"q": "grief"}).status_code == 200
    assert second_host.post("/api/v1/search", json={"q": "grief"}).status_code == 200
    assert_too_many(first_host.post("/api/v1/search", json={"q": "grief"}))
    assert_too_many(second_host.post("/api/v1/search", json={"q": "grief"}))
    assert "falling back" not in caplog.text  # the counts really were in Redis
    connection = redis.Redis.from_url(TEST_REDIS_URL)
    keys = [key.decode() for key in connection.scan_iter(match=f"*{redis_prefix}*")]
    connection.close()
    assert keys
    assert all("grief" not in key for key in keys)  # counts by address, never by what was asked


def test_resetting_clears_the_counts_in_redis(limited, redis_prefix):
    app = _redis_host(limited, redis_prefix)
    client = app.test_client()
    for _ in range(2):
        client.post("/api/v1/triage", json=NO_RISK)
    assert_too_many(client.post("/api/v1/triage", json=NO_RISK))
    with app.app_context():
        rate_limiter().reset()
    assert client.post("/api/v1/triage", json=NO_RISK).status_code == 200
