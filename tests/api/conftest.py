"""Editors' fixtures: a fresh directory (national services, no demo) with a key per scope, a
revoked key, a hidden location and an open problem report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from directory.api.auth import create_key
from directory.extensions import db
from directory.models import Location, Organization, ProblemReport, ServiceAtLocation, stable_id
from directory.models.base import utcnow
from tests.conftest import _dispose, _make_app, _seed

SECRET_STREET = "14 Hidden Refuge Road"
SCOPE_SETS = {
    "writer": ["write"],
    "reader": ["restricted"],
    "admin": ["admin"],
    "all": ["write", "restricted", "admin"],
    "revoked": ["write", "restricted", "admin"],
    # Everything but one scope: the wrong key for endpoints that need that one.
    "no-write": ["restricted", "admin"],
    "no-admin": ["write", "restricted"],
}


@dataclass
class World:
    app: Flask
    client: FlaskClient
    secrets: dict[str, str]
    service_id: str
    organization_id: str
    location_id: str
    term_id: str
    report_id: str

    def auth(self, who: str | None, etag: str | None = None) -> dict[str, str]:
        """Headers for a request by this key (None: no key), with If-Match when given."""
        headers = {} if who is None else {"Authorization": f"Bearer {self.secrets[who]}"}
        if etag is not None:
            headers["If-Match"] = etag
        return headers

    def etag(self, url: str) -> str:
        response = self.client.get(url, headers=self.auth("all"))
        assert response.status_code == 200, response.get_json()
        return response.headers["ETag"]


def service_body(organization_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid new service. The number is an Ofcom drama number, which reaches nobody."""
    body = {
        "slug": "leeds-test-listening-line",
        "organization_id": organization_id,
        "name": "Leeds Test Listening Line",
        "kind": "helpline",
        "description": "A fictional line for tests.",
        "issues": ["anxiety"],
        "coverage": {"scope": "national", "nations": ["ENG"]},
        "source_url": "https://example.org/listening-line",
        "last_verified_at": "2026-11-20",
        "verification": "verified",
        "channels": [
            {
                "type": "phone",
                "value": "0113 496 0123",
                "hours": {"rules": [{"days": ["mon"], "opens": "09:00", "closes": "17:00"}]},
            }
        ],
    }
    return {**body, **overrides}


@pytest.fixture
def world(app: Flask, seed: Any) -> World:
    """A fresh world per test, for tests that write."""
    seed(demo=False)
    return build_world(app)


@pytest.fixture(scope="module")
def denied_world(backend: str) -> Iterator[World]:
    """One world for a module's requests that must be refused (so they write nothing)."""
    app = _make_app(backend, "signpost_editors")
    _seed(app, demo=False)
    yield build_world(app)
    _dispose(app)


def build_world(app: Flask) -> World:
    """Keys for every scope set, a hidden location on Samaritans and an open report."""
    with app.app_context():
        session = db.session
        secrets = {}
        for name, scopes in SCOPE_SETS.items():
            key, secrets[name] = create_key(session, name, scopes)
            if name == "revoked":
                key.revoked_at = utcnow()
        service_id = stable_id("service", "samaritans")
        location = Location(
            name="Safe house",
            address=SECRET_STREET,
            town="Leeds",
            postcode="LS6 1AA",
            latitude=53.8195,
            longitude=-1.5767,
            address_visibility="hidden",
        )
        session.add(location)
        session.flush()
        session.add(ServiceAtLocation(service_id=service_id, location_id=location.id))
        report = ProblemReport(service_id=service_id, kind="phone", message="Number rings out")
        session.add(report)
        session.commit()
        organization = session.get(Organization, stable_id("organization", "samaritans"))
        assert organization is not None
        world = World(
            app=app,
            client=app.test_client(),
            secrets=secrets,
            service_id=service_id,
            organization_id=organization.id,
            location_id=location.id,
            term_id=stable_id("taxonomy_term", "anxiety"),
            report_id=report.id,
        )
    return world
