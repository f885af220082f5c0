"""The spreadsheet template a small charity can fill in: one row per service (and its place).

Each row becomes an Open Referral service record and goes through the same checks and upsert
as an HSDS import. Rows without a service_id get a stable one from the organisation and service
names, so importing the same sheet again updates rather than duplicates. The columns are listed
in COLUMNS and described in seed_data/templates/README.md.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from directory.interop.mapping import EXTENSION, OUR_DAYS
from directory.interop.records import Findings, Record, slugify
from directory.models import stable_id

COLUMNS = (
    "service_id", "service_name", "description", "kind", "issues",
    "organization_id", "organization_name", "organization_description", "organization_website",
    "organization_email", "charity_number",
    "website", "email", "phone", "phone_instructions", "text_number", "text_instructions",
    "min_age", "max_age", "eligibility_notes", "cost", "cost_text", "referral", "languages",
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "bank_holidays", "hours_notes",
    "location_name", "address", "town", "postcode", "latitude", "longitude", "address_visibility",
    "nations", "coverage_areas", "source_url", "last_verified_at", "demo",
)  # fmt: skip
REQUIRED = ("service_name", "kind", "organization_name")


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _number(value: str) -> Any:
    """A number when it reads as one; otherwise the text, for the checks to name."""
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


def read_csv_records(path: Path, findings: Findings) -> list[Record]:
    """Read the template; a missing or unknown column is an error for the whole file."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
            header = rows[0].keys() if rows else []
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        findings.error(path.name, "(file)", f"cannot be read as CSV ({error})")
        return []
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in header]
    if unknown or missing:
        for name in unknown:
            findings.error(path.name, name, "unknown column")
        for name in missing:
            findings.error(path.name, name, "missing column")
        return []
    records = []
    for number, row in enumerate(rows, start=2):  # the header is line 1
        where = f"{path.name}: row {number}"
        values = {name: (row.get(name) or "").strip() for name in COLUMNS}
        for name in REQUIRED:
            if not values[name]:
                findings.error(where, name, "required")
        records.append(Record(where, row_to_hsds(values)))
    return records


def row_to_hsds(row: dict[str, str]) -> dict[str, Any]:
    """One template row as an HSDS service record with the x_signpost extension."""
    org_id = row["organization_id"] or stable_id(
        "csv_organization", slugify(row["organization_name"])
    )
    service_id = row["service_id"] or stable_id(
        "csv_service", f"{slugify(row['organization_name'])}/{slugify(row['service_name'])}"
    )
    extension: dict[str, Any] = {
        "kind": row["kind"],
        "cost": row["cost"] or "unknown",
        "cost_text": row["cost_text"] or None,
        "referral": _list(row["referral"]) or ["self"],
        "channels": _channels(row),
        "hours": _hours(row),
        "source_url": row["source_url"] or row["website"] or None,
        "verification": "secondary",
        "demo": row["demo"].lower() in ("yes", "true", "1"),
    }
    if row["nations"]:
        # Without listed areas a local service covers its own postcode district.
        district = row["postcode"].split(" ")[0].upper()
        areas = _list(row["coverage_areas"]) or ([district] if district else [])
        extension["coverage"] = {
            "scope": "areas" if areas else "national",
            "nations": _list(row["nations"]),
            "areas": areas,
        }
    record: dict[str, Any] = {
        "id": service_id,
        "name": row["service_name"],
        "description": row["description"],
        "url": row["website"] or None,
        "status": "active",
        "minimum_age": _number(row["min_age"]),
        "maximum_age": _number(row["max_age"]),
        "eligibility_description": row["eligibility_notes"] or None,
        "assured_date": row["last_verified_at"] or None,
        "organization": {
            "id": org_id,
            "name": row["organization_name"],
            "description": row["organization_description"],
            "website": row["organization_website"] or None,
            "email": row["organization_email"] or None,
            "organization_identifiers": (
                [{"identifier_type": "Charity number", "identifier": row["charity_number"]}]
                if row["charity_number"]
                else []
            ),
        },
        "attributes": [{"taxonomy_term": {"term": code}} for code in _list(row["issues"])],
        "languages": [{"code": code} for code in _list(row["languages"])],
        "service_areas": [{"name": area} for area in _list(row["coverage_areas"])],
        "service_at_locations": _locations(row, service_id),
        EXTENSION: extension,
    }
    return record


def _channels(row: dict[str, str]) -> list[dict[str, Any]]:
    channels: list[dict[str, Any]] = []
    if row["phone"]:
        channels.append(
            {"type": "phone", "value": row["phone"], "instructions": row["phone_instructions"]}
        )
    if row["text_number"]:
        channels.append(
            {"type": "text", "value": row["text_number"], "instructions": row["text_instructions"]}
        )
    if row["email"]:
        channels.append({"type": "email", "value": row["email"]})
    if row["website"].startswith("https://"):
        channels.append({"type": "website", "value": row["website"]})
    for channel in channels:
        channel["instructions"] = channel.get("instructions") or None
        channel["verification"] = "secondary"
    return channels


def _hours(row: dict[str, str]) -> dict[str, Any] | None:
    """Day columns hold "09:00-17:00", several spans separated by ";"."""
    rules = []
    for day in OUR_DAYS:
        for span in _list(row[day]):
            opens, _, closes = span.partition("-")
            rules.append({"days": [day], "opens": opens.strip(), "closes": closes.strip()})
    if not rules:
        return None
    return {
        "open_24_7": False,
        "bank_holidays": row["bank_holidays"] or "normal",
        "rules": rules,
        "notes": row["hours_notes"] or None,
        "verification": "secondary",
    }


def _locations(row: dict[str, str], service_id: str) -> list[dict[str, Any]]:
    if not (row["address"] or row["town"] or row["postcode"]):
        return []
    return [
        {
            "id": stable_id("csv_service_at_location", service_id),
            "location": {
                "id": stable_id("csv_location", service_id),
                "location_type": "physical",
                "name": row["location_name"] or None,
                "latitude": _number(row["latitude"]),
                "longitude": _number(row["longitude"]),
                "addresses": [
                    {
                        "address_1": row["address"],
                        "city": row["town"],
                        "postal_code": row["postcode"],
                        "country": "GB",
                    }
                ],
                EXTENSION: {"address_visibility": row["address_visibility"] or "public"},
            },
        }
    ]
