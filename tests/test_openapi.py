"""The committed openapi.yaml is what the app serves; docs work without a CDN."""

from __future__ import annotations

from directory.cli import OPENAPI_FILE, openapi_document


def test_committed_openapi_matches_the_app(seeded_app):
    with seeded_app.app_context():
        current = openapi_document()
    assert OPENAPI_FILE.read_text(encoding="utf-8") == current, (
        "openapi.yaml is out of date: run `make openapi` (signpost openapi write) and commit it"
    )


def test_every_operation_has_a_summary(client):
    spec = client.get("/openapi.json").get_json()
    methods = {"get", "post", "put", "patch", "delete"}
    operations = [
        op for path in spec["paths"].values() for method, op in path.items() if method in methods
    ]
    assert operations
    assert all(op.get("summary") for op in operations)


def test_docs_are_served_with_local_assets(client):
    page = client.get("/docs").get_data(as_text=True)
    assert "/docs/assets/swagger-ui-bundle.js" in page
    assert "//cdn" not in page
    assert "unpkg" not in page
    with client.get("/docs/assets/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200
        assert len(asset.data) > 100_000
