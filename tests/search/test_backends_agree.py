"""SQLite and PostgreSQL find the same services for the same searches."""

from __future__ import annotations

import pytest

from directory.config import TEST_DATABASE_URL
from tests.conftest import _dispose, _make_app, _seed
from tests.helpers import WEDNESDAY_AFTERNOON

QUERIES = [
    {"q": "grief"},
    {"q": "panic attacks"},
    {"q": "anxeity"},
    {"q": "samar"},
    {"q": "peer support", "near": "LS6"},
    {"near": "EH1", "open_now": True},
    {"q": "helpline", "nation": "WLS"},
    {"issue": "eating-disorders", "nation": "SCT"},
]


@pytest.mark.postgres
@pytest.mark.skipif(not TEST_DATABASE_URL, reason="SIGNPOST_TEST_DATABASE_URL not set")
def test_same_services_found_on_both_databases():
    apps = {"sqlite": _make_app("sqlite", ""), "postgres": _make_app("postgres", "signpost_agree")}
    try:
        found = {}
        for backend, app in apps.items():
            _seed(app)
            client = app.test_client()
            found[backend] = [
                client.post(
                    "/api/v1/search", json={**q, "per_page": 100, "at": WEDNESDAY_AFTERNOON}
                ).get_json()
                for q in QUERIES
            ]
        for query, lite, pg in zip(QUERIES, found["sqlite"], found["postgres"], strict=True):
            assert lite["total_items"] == pg["total_items"] > 0, query
            assert {h["id"] for h in lite["contents"]} == {h["id"] for h in pg["contents"]}, query
            assert lite["facets"] == pg["facets"], query
    finally:
        for app in apps.values():
            _dispose(app)
