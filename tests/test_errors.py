"""One error shape across endpoints: 404, 405 (with Allow) and 422 (naming the field)."""

from __future__ import annotations

import pytest

ENDPOINTS = [
    "/api/v1/services",
    "/api/v1/organizations",
    "/api/v1/taxonomies",
    "/api/v1/taxonomy_terms",
    "/api/v1/safety",
]


def assert_error_shape(response, code: int) -> dict:
    assert response.status_code == code
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == code
    assert isinstance(body["status"], str)
    assert isinstance(body["message"], str)
    return body


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/services/no-such-id",
        "/api/v1/organizations/no-such-id",
        "/api/v1/nothing-here",
        "/no-such-page",
    ],
)
def test_404(client, url):
    assert_error_shape(client.get(url), 404)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_405_keeps_allow(client, url):
    response = client.delete(url)
    assert_error_shape(response, 405)
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_unknown_query_parameter_is_422_naming_it(client, url):
    body = assert_error_shape(client.get(f"{url}?surprise=1"), 422)
    assert body["errors"] == {"surprise": ["Unknown field."]}


@pytest.mark.parametrize("url", [e for e in ENDPOINTS if e != "/api/v1/safety"])
def test_bad_paging_is_422(client, url):
    body = assert_error_shape(client.get(f"{url}?page=nope"), 422)
    assert "page" in body["errors"]


def test_unexpected_errors_are_500_in_the_shape_without_the_request(seeded_app, monkeypatch):
    from directory.api import safety

    def explode(nation):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(safety, "safety_block_dict", explode)
    seeded_app.testing = False  # let the app's own handler answer, as in production
    try:
        response = seeded_app.test_client().get("/api/v1/safety?nation=ENG")
    finally:
        seeded_app.testing = True
    body = assert_error_shape(response, 500)
    assert "secret detail" not in response.get_data(as_text=True)
    assert body["status"] == "Internal Server Error"
