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


@pytest.mark.parametrize("body", [b"\x00", b"\x80", b"[1"])
@pytest.mark.parametrize("url", ["/api/v1/search", "/api/v1/triage"])
def test_a_body_that_is_not_json_is_400_in_the_shape(client, url, body):
    # Found by contract fuzzing: webargs reports it as {"json": [...]}, a list where the
    # handler expected field errors, and the handler itself crashed (500).
    response = client.post(url, data=body, content_type="application/json")
    assert assert_error_shape(response, 400)["errors"] == {"json": ["Invalid JSON body."]}


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


@pytest.mark.parametrize(
    "at", ["0001-02-01T01:01:01Z", "1969-12-31T23:59:59Z", "9999-12-31T23:59Z"]
)
def test_an_instant_outside_1970_to_2099_is_422(client, at):
    # Found by contract fuzzing: in year 1 UK time is local mean time, and next_open came back
    # as "0001-02-01T08:00:00-00:01:15", which is not an RFC 3339 date-time.
    triage = {"answers": {"immediate_danger": "no", "suicidal_thoughts": "no"}, "at": at}
    for response in (
        client.post("/api/v1/triage", json=triage),
        client.get("/api/v1/search", query_string={"q": "anxiety", "at": at}),
    ):
        assert assert_error_shape(response, 422)["errors"] == {
            "at": ["Give a time from 1970 to 2099."]
        }
