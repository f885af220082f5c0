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
