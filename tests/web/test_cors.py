"""Pages on other origins (where the widget is embedded) may read, search and triage."""

from __future__ import annotations

import pytest

ORIGIN = {"Origin": "https://a-charity.example.org"}


@pytest.mark.parametrize(
    "url", ["/api/v1/services", "/api/v1/safety", "/api/v1/taxonomy_terms", "/static/widget.js"]
)
def test_reads_are_open_to_every_origin(client, url):
    response = client.get(url, headers=ORIGIN)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    response.close()


@pytest.mark.parametrize("url", ["/api/v1/search", "/api/v1/triage"])
def test_the_public_posts_answer_a_preflight(client, url):
    response = client.options(
        url,
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "POST"
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


def test_a_search_post_is_readable_cross_origin(client):
    response = client.post("/api/v1/search", json={"q": "anxiety"}, headers=ORIGIN)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_other_writes_get_no_cors_header(client):
    preflight = client.options(
        "/api/v1/services", headers={**ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
    for method in ("PATCH", "DELETE"):
        preflight = client.options(
            "/api/v1/search", headers={**ORIGIN, "Access-Control-Request-Method": method}
        )
        assert "Access-Control-Allow-Origin" not in preflight.headers


EDITOR = "https://editor.example.org"


@pytest.fixture
def editors_app():
    from directory import create_app
    from directory.config import TestConfig

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    return create_app({**config, "CORS_ORIGINS": (EDITOR, "https://admin.example.org")})


def preflight(client, url, origin, method, headers="authorization, content-type, if-match"):
    return client.options(
        url,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )


@pytest.mark.parametrize(
    ("url", "method"),
    [
        ("/api/v1/services", "POST"),
        ("/api/v1/services/abc", "PATCH"),
        ("/api/v1/services/abc", "DELETE"),
        ("/api/v1/reports/abc", "PATCH"),
    ],
)
def test_an_allowed_origin_may_write_with_a_key_and_if_match(editors_app, url, method):
    response = preflight(editors_app.test_client(), url, EDITOR, method)
    assert response.headers["Access-Control-Allow-Origin"] == EDITOR
    assert "Origin" in response.headers["Vary"]
    assert method in response.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"Authorization", "If-Match", "Content-Type"} <= allowed
    assert response.headers["Access-Control-Max-Age"]


@pytest.mark.parametrize("origin", ["https://evil.example.com", "null", EDITOR + ".evil.com"])
@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_any_other_origin_is_refused_writes(editors_app, origin, method):
    response = preflight(editors_app.test_client(), "/api/v1/services/abc", origin, method)
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Headers" not in response.headers
    assert "Origin" in response.headers["Vary"]


def test_the_write_itself_names_the_allowed_origin_and_exposes_etag(editors_app):
    client = editors_app.test_client()
    allowed = client.delete("/api/v1/services/abc", headers={"Origin": EDITOR})
    assert allowed.headers["Access-Control-Allow-Origin"] == EDITOR
    assert "ETag" in allowed.headers["Access-Control-Expose-Headers"]
    assert "Origin" in allowed.headers["Vary"]
    refused = client.delete("/api/v1/services/abc", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_without_an_allow_list_no_origin_may_write(client):
    response = preflight(client, "/api/v1/services/abc", EDITOR, "PATCH")
    assert "Access-Control-Allow-Origin" not in response.headers


def test_sending_a_key_on_a_read_needs_an_allowed_origin(editors_app):
    client = editors_app.test_client()
    listed = preflight(client, "/api/v1/services", EDITOR, "GET", headers="authorization")
    assert listed.headers["Access-Control-Allow-Origin"] == EDITOR
    assert "Authorization" in listed.headers["Access-Control-Allow-Headers"]
    other = preflight(client, "/api/v1/services", "https://evil.example", "GET", "authorization")
    assert "Access-Control-Allow-Origin" not in other.headers


def test_reads_expose_etag_to_every_origin(client):
    response = client.get("/api/v1/services", headers=ORIGIN)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]


def test_the_public_problem_report_stays_open_to_every_origin(editors_app):
    response = preflight(
        editors_app.test_client(),
        "/api/v1/services/abc/reports",
        "https://a-charity.example.org",
        "POST",
        headers="content-type",
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
