"""Contract fuzzing: schemathesis over every operation of the OpenAPI document the app serves.

The schema is loaded in-process (`from_wsgi`) from a seeded SQLite app; every request carries
an API key with all scopes, and writes that need If-Match get the current ETag, so fuzzing
reaches the views rather than stopping at 401/428. Each response must not be a server error
and must match the document (status code, content type, headers, body); any 405 must carry
Allow. Bounded and derandomized so that CI runs the same cases each time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from sqlalchemy import select

from directory import create_app
from directory.api.auth import create_key
from directory.extensions import db
from directory.migrate import upgrade_database
from directory.models import Location, Organization, ProblemReport, Service, TaxonomyTerm
from tests.api.conftest import service_body
from tests.conftest import _config, _dispose, _make_app, _seed

pytestmark = pytest.mark.contract

# Writes that need If-Match, and the readable resource whose ETag they must send.
IF_MATCH_TARGET = re.compile(r"^(/api/v1/[a-z_]+/[^/]+)(?:/verify)?$")


def allow_on_405(ctx, response, case):  # type: ignore[no-untyped-def]
    """A 405 must say which methods the resource does allow (RFC 9110)."""
    if response.status_code == 405:
        assert response.headers.get("allow"), f"405 without Allow for {case.method} {case.path}"
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    unsupported_method,
    allow_on_405,
]


# Real ids by path parameter, filled in by the fixture: generated ids almost never exist, so
# half the cases use one of these to reach the views behind the 404.
REAL_IDS: dict[str, list[str]] = {}
ID_COLUMNS = {
    "service_id": Service.id,
    "organization_id": Organization.id,
    "location_id": Location.id,
    "term_id": TaxonomyTerm.id,
    "report_id": ProblemReport.id,
}


@pytest.fixture(scope="module")
def contract_app() -> Iterator[Flask]:
    app = _make_app("sqlite", "")
    _seed(app)
    with app.app_context():
        _key, secret = create_key(db.session, "contract", ["write", "restricted", "admin"])
        db.session.commit()
        service_id = db.session.scalars(select(Service.id).order_by(Service.id)).first()
    app.config["CONTRACT_SECRET"] = secret
    reported = app.test_client().post(
        f"/api/v1/services/{service_id}/reports", json={"kind": "other"}
    )
    assert reported.status_code == 201, reported.get_json()
    with app.app_context():
        for name, column in ID_COLUMNS.items():
            ids = db.session.scalars(select(column).order_by(column).limit(5)).all()
            REAL_IDS[name] = [str(i) for i in ids]
    yield app
    REAL_IDS.clear()
    _dispose(app)


# The document comes from an app of its own, built at collection (cheap: serving
# /openapi.json touches no database); cases run against the seeded app (`app=` on each call).
# Not `schemathesis.pytest.from_fixture`: its lazy loader breaks on pytest 9.2 (it sets the
# private `Function._nodeid`).
schema = schemathesis.openapi.from_wsgi("/openapi.json", create_app(_config()))


@schema.hook
def flatmap_path_parameters(context, path_parameters):  # type: ignore[no-untyped-def]
    real = {name: REAL_IDS[name] for name in path_parameters or () if REAL_IDS.get(name)}
    if not real:
        return st.just(path_parameters)
    existing = st.fixed_dictionaries({name: st.sampled_from(ids) for name, ids in real.items()})
    return st.one_of(st.just(path_parameters), existing.map(lambda ids: {**path_parameters, **ids}))


@schema.hook
def flatmap_body(context, body):  # type: ignore[no-untyped-def]
    """A valid service body now and then: random ones never get past validation."""
    operation = (context.operation.method.upper(), context.operation.path)
    if operation == ("POST", "/api/v1/services") and REAL_IDS.get("organization_id"):
        organization_id = REAL_IDS["organization_id"][0]
        valid = st.integers(0, 10**6).map(
            lambda n: service_body(organization_id, slug=f"contract-{n}", name=f"Contract {n}")
        )
        return st.one_of(st.just(body), valid)
    if operation == ("PATCH", "/api/v1/services/{service_id}"):
        return st.one_of(st.just(body), st.sampled_from(SERVICE_PATCHES))
    return st.just(body)


SERVICE_PATCHES = [
    {"wait_time": "A day"},
    {"description": "Changed by the contract test."},
    {"coverage": {"scope": "national", "nations": ["ENG", "WLS"]}},
    {"channels": service_body("-")["channels"]},
]

# (method, path template) -> the statuses seen, to show that fuzzing got past auth and 404s.
SEEN: dict[tuple[str, str], set[int]] = {}


def _if_match(app: Flask, case, headers: dict[str, str]) -> str | None:  # type: ignore[no-untyped-def]
    """The current ETag of the record a PATCH, DELETE or verify is about, if it exists."""
    path = case.formatted_path
    if not (case.method in {"PATCH", "DELETE"} or path.endswith("/verify")):
        return None
    target = IF_MATCH_TARGET.match(path)
    if target is None:
        return None
    response = app.test_client().get(target.group(1), headers=headers)
    return response.headers.get("ETag") if response.status_code == 200 else None


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_operation_honours_the_contract(case, contract_app):  # type: ignore[no-untyped-def]
    auth = {"Authorization": f"Bearer {contract_app.config['CONTRACT_SECRET']}"}
    etag = _if_match(contract_app, case, auth)
    if etag is not None:
        case.headers = {**(case.headers or {}), "If-Match": etag}
    response = case.call_and_validate(headers=auth, checks=CHECKS, app=contract_app)
    SEEN.setdefault((case.method, case.path), set()).add(response.status_code)


# Every write succeeds at least once, so the key, the ids and If-Match all did their job.
WRITES = [
    ("POST", "/api/v1/services"),
    ("PATCH", "/api/v1/services/{service_id}"),
    ("DELETE", "/api/v1/services/{service_id}"),
    ("POST", "/api/v1/services/{service_id}/verify"),
    ("POST", "/api/v1/organizations"),
    ("PATCH", "/api/v1/organizations/{organization_id}"),
    ("POST", "/api/v1/locations"),
    ("PATCH", "/api/v1/locations/{location_id}"),
    ("DELETE", "/api/v1/locations/{location_id}"),
    ("POST", "/api/v1/taxonomy_terms"),
    ("PATCH", "/api/v1/taxonomy_terms/{term_id}"),
    ("PATCH", "/api/v1/reports/{report_id}"),
]


def test_fuzzing_got_through_to_every_write():
    if not SEEN:
        pytest.skip("runs after the contract test, in the same session")
    missed = [op for op in WRITES if not any(200 <= s < 300 for s in SEEN.get(op, ()))]
    assert not missed, f"no 2xx for {missed}: {[SEEN.get(op) for op in missed]}"


NO_RISK = {"answers": {"immediate_danger": "no", "suicidal_thoughts": "no"}}
# Each rate-limited operation with a request that counts against its limit.
LIMITED = [
    ("POST", "/api/v1/search", {"body": {"q": "anxiety"}}),
    ("GET", "/api/v1/search", {"query": {"q": "anxiety"}}),
    ("POST", "/api/v1/triage", {"body": NO_RISK}),
    ("GET", "/api/v1/places/{query}", {"path_parameters": {"query": "LS6"}}),
    ("POST", "/api/v1/services/{service_id}/reports", {"path_parameters": {"service_id": "x"}}),
]


@pytest.fixture(scope="module")
def limited_app() -> Iterator[Flask]:
    app = create_app(
        {
            **_config(),
            "RATELIMIT_ENABLED": True,
            "RATE_LIMITS": dict.fromkeys(("search", "triage", "places", "reports"), "1 per hour"),
        }
    )
    with app.app_context():
        upgrade_database(db.engine)
    yield app
    _dispose(app)


@pytest.mark.parametrize(("method", "path", "request_parts"), LIMITED)
def test_429_honours_the_contract(limited_app, method, path, request_parts):
    # Rate limits are off for the fuzzing; the refusal (with its safety block) is checked here.
    case = schema[path][method].Case(media_type="application/json", **request_parts)
    case.call(app=limited_app)
    response = case.call(app=limited_app)
    assert response.status_code == 429
    case.validate_response(response, checks=CHECKS)


@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/triage"])
def test_413_honours_the_contract(contract_app, path):
    case = schema[path]["POST"].Case(media_type="application/json", body={"q": "x" * 70_000})
    response = case.call(app=contract_app)
    assert response.status_code == 413
    case.validate_response(response, checks=CHECKS)
