"""API keys on every write and admin endpoint: none or unknown -> 401, wrong scope -> 403,
revoked -> 401, right scope -> the write happens; all in the one error shape."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from directory.api.auth import find_key, hash_secret
from directory.extensions import db
from directory.models import ApiKey, AuditEvent
from tests.api.conftest import World, service_body
from tests.test_errors import assert_error_shape


@dataclass(frozen=True)
class Endpoint:
    method: str
    url: str  # {service}, {organization}, {location}, {term}, {report} filled from the world
    scope: str
    success: int
    body: Any = None
    etag_from: str | None = None  # GET this URL for If-Match

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


SERVICE, ORGANIZATION, LOCATION, TERM = (
    "/api/v1/services/{service}",
    "/api/v1/organizations/{organization}",
    "/api/v1/locations/{location}",
    "/api/v1/taxonomy_terms/{term}",
)
ENDPOINTS = [
    Endpoint("POST", "/api/v1/services", "write", 201, body="service"),
    Endpoint("PATCH", SERVICE, "write", 200, {"wait_time": "A day"}, etag_from=SERVICE),
    Endpoint("DELETE", SERVICE, "write", 204, etag_from=SERVICE),
    Endpoint("POST", SERVICE + "/verify", "write", 200, {}, etag_from=SERVICE),
    Endpoint("POST", "/api/v1/organizations", "write", 201, {"slug": "t-org", "name": "T"}),
    Endpoint(
        "PATCH", ORGANIZATION, "write", 200, {"description": "Changed"}, etag_from=ORGANIZATION
    ),
    Endpoint(
        "POST",
        "/api/v1/locations",
        "write",
        201,
        {"town": "Leeds", "latitude": 53.8, "longitude": -1.55},
    ),
    Endpoint("PATCH", LOCATION, "write", 200, {"town": "Headingley"}, etag_from=LOCATION),
    Endpoint("DELETE", LOCATION, "write", 204, etag_from=LOCATION),
    Endpoint("POST", "/api/v1/taxonomy_terms", "write", 201, {"code": "t-term", "name": "T"}),
    Endpoint("PATCH", TERM, "write", 200, {"description": "Changed"}, etag_from=TERM),
    Endpoint("GET", "/api/v1/reports", "admin", 200),
    Endpoint("PATCH", "/api/v1/reports/{report}", "admin", 200, {"status": "resolved"}),
    Endpoint("GET", "/api/v1/audit", "admin", 200),
]
WRONG_KEY = {"write": "no-write", "admin": "no-admin"}


def call(world: World, endpoint: Endpoint, who: str | None, *, etag: str | None = '"v1"'):
    ids = {
        "service": world.service_id,
        "organization": world.organization_id,
        "location": world.location_id,
        "term": world.term_id,
        "report": world.report_id,
    }
    url = endpoint.url.format(**ids)
    if endpoint.etag_from is not None and who is not None and etag is None:
        etag = world.etag(endpoint.etag_from.format(**ids))
    body = service_body(world.organization_id) if endpoint.body == "service" else endpoint.body
    return world.client.open(
        url, method=endpoint.method, json=body, headers=world.auth(who, etag=etag)
    )


def audit_count(world: World) -> int:
    with world.app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id))) or 0


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 401), ("wrong", 403), ("revoked", 401), ("unknown", 401)],
)
def test_refused(denied_world, endpoint, who, status):
    if who == "wrong":
        who = WRONG_KEY[endpoint.scope]
    if who == "unknown":
        denied_world.secrets["unknown"] = "sp_not-a-key"
    response = call(denied_world, endpoint, who)
    body = assert_error_shape(response, status)
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    else:
        assert endpoint.scope in body["message"]
    assert audit_count(denied_world) == 0  # nothing was written


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_right_scope(world, endpoint):
    response = call(world, endpoint, "writer" if endpoint.scope == "write" else "admin", etag=None)
    assert response.status_code == endpoint.success, response.get_json()
    if endpoint.method != "GET":
        assert audit_count(world) == 1


def test_a_malformed_authorization_header_is_401(denied_world):
    response = denied_world.client.get(
        "/api/v1/audit", headers={"Authorization": "Basic dXNlcjpwYXNz"}
    )
    assert_error_shape(response, 401)


def test_the_secret_is_stored_only_as_a_hash(world):
    with world.app.app_context():
        key = db.session.scalars(select(ApiKey).where(ApiKey.name == "writer")).one()
        assert key.secret_hash == hash_secret(world.secrets["writer"])
        assert world.secrets["writer"] not in repr(key.__dict__)
        assert find_key(db.session, world.secrets["writer"]) is key
        assert find_key(db.session, world.secrets["revoked"]) is None


def test_a_key_records_when_it_was_last_used(world):
    world.client.get("/api/v1/audit", headers=world.auth("admin"))
    with world.app.app_context():
        key = db.session.scalars(select(ApiKey).where(ApiKey.name == "admin")).one()
        assert key.last_used_at is not None
