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
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from directory import create_app
from directory.api.auth import create_key
from directory.extensions import db
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


@pytest.fixture(scope="module")
def contract_app() -> Iterator[Flask]:
    app = _make_app("sqlite", "")
    _seed(app)
    with app.app_context():
        _key, secret = create_key(db.session, "contract", ["write", "restricted", "admin"])
        db.session.commit()
    app.config["CONTRACT_SECRET"] = secret
    yield app
    _dispose(app)


# The document comes from an app of its own, built at collection (cheap: serving
# /openapi.json touches no database); cases run against the seeded app (`app=` on each call).
# Not `schemathesis.pytest.from_fixture`: its lazy loader breaks on pytest 9.2 (it sets the
# private `Function._nodeid`).
schema = schemathesis.openapi.from_wsgi("/openapi.json", create_app(_config()))


def _current_etag(app: Flask, path: str, headers: dict[str, str]) -> str | None:
    response = app.test_client().get(path, headers=headers)
    return response.headers.get("ETag") if response.status_code == 200 else None


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_operation_honours_the_contract(case, contract_app):  # type: ignore[no-untyped-def]
    auth = {"Authorization": f"Bearer {contract_app.config['CONTRACT_SECRET']}"}
    if case.method in {"PATCH", "DELETE", "POST"} and case.formatted_path:
        target = IF_MATCH_TARGET.match(case.formatted_path)
        if target and case.method != "POST" or case.formatted_path.endswith("/verify"):
            etag = _current_etag(contract_app, target.group(1), auth) if target else None
            if etag is not None:
                case.headers = {**(case.headers or {}), "If-Match": etag}
    case.call_and_validate(headers=auth, checks=CHECKS, app=contract_app)
