"""The spreadsheet template, and the import/export commands."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from flask import Flask

from directory.config import PROJECT_ROOT
from directory.extensions import db, gazetteer
from directory.interop.csv_template import COLUMNS, read_csv_records
from directory.interop.importer import ImportReport, import_records
from directory.interop.records import Findings, TermMapping

TEMPLATES = PROJECT_ROOT / "seed_data" / "templates"
EXAMPLE = TEMPLATES / "services_example.csv"


def import_csv(app: Flask, path: Path) -> ImportReport:
    with app.app_context():
        findings = Findings()
        records = read_csv_records(path, findings)
        return import_records(
            db.session,
            records,
            TermMapping(),
            seed_dir=app.config["SEED_DIR"],
            nation_of=gazetteer().nation_of,
            findings=findings,
        )


def example_row() -> dict[str, str]:
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        return next(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_the_template_has_every_column_in_order():
    with (TEMPLATES / "services_template.csv").open(encoding="utf-8") as handle:
        assert tuple(next(csv.reader(handle))) == COLUMNS


def test_the_example_imports_and_is_published_as_a_demo_listing(app):
    report = import_csv(app, EXAMPLE)

    assert report.ok, report.summary()
    assert report.created["services"] == 1
    client = app.test_client()
    assert client.get("/hsds/services").get_json()["total_items"] == 0  # demo: yes
    (service,) = client.get("/hsds/services?include_demo=true&full=true").get_json()["contents"]
    assert service["name"] == "Kirkstall Riverside Peer Support Group"
    assert [phone["number"] for phone in service["phones"]] == ["0113 496 0458"]
    assert {a["taxonomy_term"]["term"] for a in service["attributes"]} == {
        "depression",
        "anxiety",
        "loneliness",
        "general-mental-health",
        "peer_support_group",
    }
    (tuesday,) = service["schedules"]
    assert (tuesday["byday"], tuesday["opens_at"], tuesday["closes_at"]) == (
        "TU",
        "18:30:00",
        "20:30:00",
    )
    (link,) = service["service_at_locations"]
    assert link["location"]["addresses"][0]["postal_code"] == "LS5 3HP"
    assert service["x_signpost"]["coverage"]["areas"] == ["LS5"]
    assert import_csv(app, EXAMPLE).unchanged["services"] == 1


def test_bad_rows_are_named_and_nothing_is_imported(app, tmp_path):
    good = example_row()
    rows = [
        good,
        {**good, "service_name": "Second", "kind": "drop_in"},
        {**good, "service_name": "", "phone": "12345"},
        {**good, "service_name": "Fourth", "min_age": "eighteen", "tue": "6pm-8pm"},
    ]
    report = import_csv(app, write_rows(tmp_path / "sheet.csv", rows))

    assert not report.ok
    named = {(p.where.split(" (")[0], p.field) for p in report.findings.errors}
    assert named == {
        ("sheet.csv: row 3", "kind"),
        ("sheet.csv: row 4", "service_name"),
        ("sheet.csv: row 4", "name"),
        ("sheet.csv: row 4", "channels[0].value"),
        ("sheet.csv: row 5", "minimum_age"),
        ("sheet.csv: row 5", "hours.rules"),
    }
    assert app.test_client().get("/hsds/services?include_demo=true").get_json()["total_items"] == 0


def test_an_unknown_column_rejects_the_file(app, tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text("service_name,kind,organization_name,colour\nA,helpline,B,red\n")

    report = import_csv(app, path)

    assert [(p.field, p.reason) for p in report.findings.errors] == [("colour", "unknown column")]


def test_the_commands_import_report_and_export(app, tmp_path):
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["import", "csv", str(EXAMPLE), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run: nothing was changed" in dry.output

    done = runner.invoke(args=["import", "csv", str(EXAMPLE)])
    assert "services: 1 created, 0 updated, 0 unchanged" in done.output

    out = tmp_path / "export.ndjson"
    exported = runner.invoke(
        args=["export", "hsds", "--format", "ndjson", "--include-demo", str(out)]
    )
    assert "Exported 1 service(s)" in exported.output
    (line,) = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["name"] == "Kirkstall Riverside Peer Support Group"

    again = runner.invoke(args=["import", "hsds", str(out)])
    assert "services: 0 created, 0 updated, 1 unchanged" in again.output

    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "nope", "status": "active"}')
    rejected = runner.invoke(args=["import", "hsds", str(bad)])
    assert rejected.exit_code == 1
    assert "REJECTED bad.json (nope): id: must be a UUID" in rejected.output


def test_a_mapping_file_with_an_unknown_code_is_rejected(app, tmp_path):
    terms = tmp_path / "terms.yaml"
    terms.write_text("terms:\n  Grief: grieving\n")
    result = app.test_cli_runner().invoke(
        args=["import", "csv", str(EXAMPLE), "--terms", str(terms)]
    )
    assert result.exit_code == 1
    assert "mapping file: terms.Grief: unknown Signpost code 'grieving'" in result.output
