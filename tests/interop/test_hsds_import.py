"""Importing and exporting Open Referral data: round trip, the ORUK examples, bad imports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from directory.extensions import db, gazetteer
from directory.interop.exporter import export_services, render_export
from directory.interop.importer import ImportReport, import_records
from directory.interop.records import Findings, TermMapping, read_records
from directory.models import SearchDocument, Service, stable_id
from tests.interop.oruk import EXAMPLES, errors, needs_oruk

EXAMPLE_SERVICE = "ac148810-d857-441c-9679-408f346de14b"
EXAMPLE_TERM = "3f7b145d-84af-42d7-8fae-eaca714b02b2"
EXAMPLE_MAPPING = TermMapping(
    terms={EXAMPLE_TERM: "general-mental-health"}, default_kind="counselling"
)


def run_import(
    app: Flask, path: Path, mapping: TermMapping | None = None, *, dry_run: bool = False
) -> ImportReport:
    with app.app_context():
        findings = Findings()
        records = read_records(path, findings)
        return import_records(
            db.session,
            records,
            mapping or TermMapping(),
            seed_dir=app.config["SEED_DIR"],
            nation_of=gazetteer().nation_of,
            dry_run=dry_run,
            findings=findings,
        )


def export_text(app: Flask, fmt: str = "json") -> str:
    with app.app_context():
        return render_export(export_services(db.session, include_demo=True), fmt)


def service_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Service.id))) or 0


@pytest.mark.parametrize(("fmt", "suffix"), [("json", ".json"), ("ndjson", ".ndjson")])
def test_round_trip_export_import_export_is_identical(seeded_app, app, tmp_path, fmt, suffix):
    exported = export_text(seeded_app, fmt)
    path = tmp_path / f"directory{suffix}"
    path.write_text(exported, encoding="utf-8")

    report = run_import(app, path)

    assert report.ok, report.summary()
    assert report.created["services"] == service_count(seeded_app)
    assert export_text(app, fmt) == exported
    again = run_import(app, path)
    assert again.created.get("services", 0) == again.updated.get("services", 0) == 0
    assert again.unchanged["services"] == service_count(seeded_app)


def test_imported_services_are_indexed_for_search(seeded_app, app, tmp_path):
    path = tmp_path / "directory.json"
    path.write_text(export_text(seeded_app), encoding="utf-8")
    run_import(app, path)
    with app.app_context():
        indexed = db.session.scalar(select(func.count(SearchDocument.id)))
    assert indexed == service_count(app)
    body = app.test_client().post("/api/v1/search", json={"q": "kirkstall peer support"})
    names = [hit["name"] for hit in body.get_json()["contents"]]
    assert "Kirkstall Riverside Peer Support Group" in names


def test_a_dry_run_reports_and_changes_nothing(seeded_app, app, tmp_path):
    path = tmp_path / "directory.json"
    path.write_text(export_text(seeded_app), encoding="utf-8")

    report = run_import(app, path, dry_run=True)

    assert report.ok
    assert report.created["services"] == service_count(seeded_app)
    assert "Dry run: nothing was changed" in report.summary()
    assert service_count(app) == 0


EXAMPLE_FILES = [
    "service_full.json",
    "service_list.json",
    "service_at_location_full.json",
    "service_at_location_list.json",
    "organization_full.json",
]


@needs_oruk
@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_the_oruk_examples_import(app, name):
    report = run_import(app, EXAMPLES / name, EXAMPLE_MAPPING)

    assert report.ok, report.summary()
    assert report.created["services"] == 1
    assert report.findings.unmapped_terms == {}
    service = app.test_client().get(f"/hsds/services/{EXAMPLE_SERVICE}").get_json()
    assert errors(service, "service") == []
    assert service["name"] == "Community Counselling"
    assert service["organization"]["name"] == "Example Organization Inc."
    assert service["x_signpost"]["kind"] == "counselling"
    if "full" in name:
        assert stable_id("taxonomy_term", "general-mental-health") in {
            attribute["taxonomy_term_id"] for attribute in service["attributes"]
        }
        assert (service["minimum_age"], service["maximum_age"]) == (12, 100)
    if "location" in name or name == "service_full.json":
        # The examples put their civic centre at latitude 100: said, and left out.
        assert any("not in the UK" in problem.reason for problem in report.findings.warnings)


@needs_oruk
def test_an_unknown_term_is_reported_never_dropped_silently(app):
    report = run_import(
        app, EXAMPLES / "service_full.json", TermMapping(default_kind="counselling")
    )

    assert report.ok
    (term,) = report.findings.unmapped_terms
    assert EXAMPLE_TERM in term
    assert "Unmapped taxonomy terms" in report.summary()


@needs_oruk
def test_without_a_kind_the_example_is_rejected_with_the_reason(app):
    report = run_import(app, EXAMPLES / "service_full.json")

    assert not report.ok
    assert [(p.field, "service kind" in p.reason) for p in report.findings.errors] == [
        ("attributes", True)
    ]
    assert service_count(app) == 0


def _bad_page(seeded_app: Flask) -> list[dict[str, Any]]:
    with seeded_app.app_context():
        services = export_services(db.session)[:4]
    good = {**services[0], "name": "Renamed by a good record"}
    bad_id = {**services[1], "id": "123"}
    bad_phone = json.loads(json.dumps(services[2]))
    bad_phone.pop("x_signpost")
    bad_phone["phones"] = [{"id": stable_id("t", "phone"), "number": "not a number"}]
    bad_status = {**services[3], "status": "open"}
    del bad_status["name"]
    return [good, bad_id, bad_phone, bad_status]


def test_a_malformed_import_changes_nothing_and_names_every_bad_record(
    seeded_app, app, seed, tmp_path
):
    seed(demo=False)
    before = export_text(app)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"contents": _bad_page(seeded_app)}), encoding="utf-8")

    report = run_import(app, path)

    assert not report.ok
    named = {(p.where.split(" (")[0], p.field) for p in report.findings.errors}
    assert named == {
        ("bad.json: contents[1]", "id"),
        ("bad.json: contents[2]", "channels[0].value"),
        ("bad.json: contents[3]", "name"),
        ("bad.json: contents[3]", "status"),
    }
    assert "contents[0]" not in " ".join(str(p) for p in report.findings.errors)
    assert "nothing was changed" in report.summary()
    assert export_text(app) == before


def test_broken_ndjson_lines_are_named(app, tmp_path):
    path = tmp_path / "feed.ndjson"
    path.write_text('{"id": "x"\n\n[1, 2\n', encoding="utf-8")

    report = run_import(app, path)

    assert [p.where for p in report.findings.errors] == [
        "feed.ndjson: line 1",
        "feed.ndjson: line 3",
    ]
    assert service_count(app) == 0


def test_a_service_whose_organisation_exists_nowhere_is_rejected(seeded_app, app, tmp_path):
    with seeded_app.app_context():
        service = export_services(db.session)[0]
    del service["organization"]
    path = tmp_path / "orphan.json"
    path.write_text(json.dumps(service), encoding="utf-8")

    report = run_import(app, path)

    assert [p.field for p in report.findings.errors] == ["organization_id"]


def test_a_folder_of_service_files_imports(seeded_app, app, tmp_path):
    with seeded_app.app_context():
        services = export_services(db.session, include_demo=True)
    for service in services:
        (tmp_path / f"{service['id']}.json").write_text(json.dumps(service), encoding="utf-8")

    report = run_import(app, tmp_path)

    assert report.ok, report.summary()
    assert report.created["services"] == len(services)
    assert export_text(app) == export_text(seeded_app)
