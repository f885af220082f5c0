"""Security headers on every response, a strict policy on the pages, HSTS only over HTTPS
(or behind a trusted proxy that says so), and a cap on request bodies."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from directory import create_app
from directory.config import TestConfig
from directory.security import PAGE_POLICY

PAGES = ["/", "/find", "/find?near=LS6&issue=anxiety", "/handout?service=x", "/embed", "/about"]
NOT_PAGES = [
    "/api/v1/services",
    "/api/v1/search?q=anxiety",
    "/api/v1/places/LS6",
    "/hsds/services",
    "/openapi.json",
    "/health",
    "/static/widget.js",
    "/api/v1/no-such-thing",
]


def make_app(**overrides):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    return create_app({**config, **overrides})


def get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    response.close()
    return response


@pytest.mark.parametrize("url", PAGES + NOT_PAGES + ["/docs"])
def test_every_response_is_nosniff_and_sends_no_referrer(client, url):
    response = get(client, url)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_a_strict_policy_and_cannot_be_framed(client, url):
    response = get(client, url)
    assert response.mimetype == "text/html"
    policy = response.headers["Content-Security-Policy"]
    assert policy == PAGE_POLICY
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("url", PAGES)
def test_pages_have_no_inline_script_or_style_for_the_policy_to_block(client, url):
    html = client.get(url).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


@pytest.mark.parametrize("url", NOT_PAGES)
def test_everything_else_may_run_nothing(client, url):
    policy = get(client, url).headers["Content-Security-Policy"]
    assert policy == "default-src 'none'; frame-ancestors 'none'"


def test_the_api_docs_page_allows_only_its_own_inline_script(client):
    response = client.get("/docs")
    html = response.get_data(as_text=True)
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    policy = response.headers["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert script_src.split() == ["script-src", "'self'", f"'sha256-{digest}'"]
    assert "'unsafe-inline'" not in script_src
    assert "frame-ancestors 'none'" in policy


def test_hsts_over_https_only():
    client = make_app().test_client()
    assert (
        "Strict-Transport-Security" in get(client, "/health", base_url="https://localhost").headers
    )
    assert "Strict-Transport-Security" not in get(client, "/health").headers


def test_a_forwarded_proto_counts_only_behind_a_configured_proxy():
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
    direct = make_app().test_client()
    assert "Strict-Transport-Security" not in get(direct, "/health", headers=forwarded).headers
    proxied = make_app(PROXY_COUNT=1).test_client()
    hsts = get(proxied, "/health", headers=forwarded).headers["Strict-Transport-Security"]
    assert hsts.startswith("max-age=")
    assert int(hsts.split("=")[1]) >= 31536000


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/search", {"q": "x" * 70_000}),
        ("/api/v1/triage", {"answers": {"free_text": "x" * 70_000}}),
        ("/api/v1/services/abc/reports", {"kind": "other", "message": "x" * 70_000}),
    ],
)
def test_a_body_over_the_cap_is_413_in_the_one_shape(client, url, body):
    response = client.post(url, json=body)
    assert response.status_code == 413
    payload = response.get_json()
    assert payload["code"] == 413
    assert (
        payload["status"] == "Content Too Large" or payload["status"] == "Request Entity Too Large"
    )
    assert "x" * 100 not in response.get_data(as_text=True)


def test_the_cap_is_configurable():
    client = make_app(MAX_CONTENT_LENGTH=1024).test_client()
    assert (
        client.post(
            "/api/v1/search", data="{" + " " * 2000 + "}", content_type="application/json"
        ).status_code
        == 413
    )
