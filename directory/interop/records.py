"""Open Referral (HSDS 3.0 / ORUK) records -> plain entries ready to upsert, with every problem.

An entry is built from the HSDS fields (id, name, description, url, status, organisation,
ages, assured_date, last_modified, attributes, phones, email, schedules, service areas,
service_at_locations, languages), then the `x_signpost` extension, when present, supplies what
HSDS cannot say. Values are checked with the same rules as the seed files. A record with any
error is rejected; a value that can be left out safely (coordinates outside the UK, a monthly
schedule) is left out with a warning; unknown taxonomy terms are collected for the report.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError

from directory.interop.mapping import EXTENSION, HSDS_DAYS, OUR_DAYS, PHONE_TYPES
from directory.models import (
    ADDRESS_VISIBILITIES,
    COSTS,
    KINDS_TAXONOMY,
    NATIONS,
    REFERRAL_ROUTES,
    SERVICE_STATUSES,
    VERIFICATION_STATUSES,
    TaxonomyTerm,
    stable_id,
)
from directory.seed.schemas import (
    ChannelSeedSchema,
    CoverageSeedSchema,
    EligibilitySeedSchema,
    HoursSeedSchema,
)

IMPORTED_NOTE = "Imported from Open Referral data; not yet checked by a Signpost editor."
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
UK_LATITUDE = (49.8, 60.9)
UK_LONGITUDE = (-8.7, 1.8)


@dataclass
class Problem:
    """One thing wrong with one record: where it is, which field, and why."""

    where: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.reason}"


@dataclass
class Findings:
    """Errors reject a record; warnings say what was left out; unmapped terms are reported."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unmapped_terms: dict[str, list[str]] = field(default_factory=dict)  # term -> where

    def error(self, where: str, name: str, reason: str) -> None:
        self.errors.append(Problem(where, name, reason))

    def warn(self, where: str, name: str, reason: str) -> None:
        self.warnings.append(Problem(where, name, reason))


@dataclass(frozen=True)
class Record:
    """One raw service record and where it came from (file, line or index, and id)."""

    where: str
    data: Any


# --- reading files -----------------------------------------------------------------------------


def read_records(path: Path, findings: Findings) -> list[Record]:
    """Read an HSDS list page, a single service, a JSON list, ndjson, or a directory of them."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".json", ".ndjson", ".jsonl"))
        return [record for file in files for record in read_records(file, findings)]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        findings.error(path.name, "(file)", f"cannot be read ({error})")
        return []
    if path.suffix in (".ndjson", ".jsonl"):
        return _read_ndjson(path.name, text, findings)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        findings.error(path.name, "(file)", f"is not JSON ({error})")
        return []
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        items = data["contents"]
    elif isinstance(data, list):
        items = data
    else:
        return [Record(path.name, data)]
    return [Record(f"{path.name}: contents[{i}]", item) for i, item in enumerate(items)]


def _read_ndjson(name: str, text: str, findings: Findings) -> list[Record]:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(Record(f"{name}: line {number}", json.loads(line)))
        except json.JSONDecodeError as error:
            findings.error(f"{name}: line {number}", "(line)", f"is not JSON ({error})")
    return records


def service_records(records: list[Record], findings: Findings) -> list[Record]:
    """Services from each record: a service as it is, a service_at_location's service with
    its location, an organisation's nested services; anything else is skipped with a warning."""
    found = []
    for record in records:
        data = record.data
        if not isinstance(data, dict):
            found.append(record)  # build_entry reports it
        elif isinstance(data.get("service"), dict) and isinstance(data.get("location"), dict):
            service = dict(data["service"])
            link = {"id": data.get("id"), "location": data["location"]}
            service["service_at_locations"] = [*(service.get("service_at_locations") or []), link]
            found.append(Record(record.where, service))
        elif isinstance(data.get("services"), list):
            organization = {k: v for k, v in data.items() if k != "services"}
            found += [
                Record(f"{record.where}: services[{index}]", {**item, "organization": organization})
                for index, item in enumerate(data["services"])
                if isinstance(item, dict)
            ]
        elif {"status", "organization", "organization_id", "service_at_locations"} & set(data):
            found.append(record)
        else:
            findings.warn(
                f"{record.where} ({data.get('id') or 'no id'})",
                "(record)",
                "not a service, service_at_location or organization with services; skipped",
            )
    return found


# --- taxonomy terms ----------------------------------------------------------------------------


@dataclass
class TermMapping:
    """A mapping file: foreign terms (by id, `term` or name) -> our issue or kind code."""

    terms: dict[str, str | None] = field(default_factory=dict)
    default_kind: str | None = None


class TermResolver:
    """Finds our term for a foreign one: same id, the mapping file, then the same code."""

    def __init__(self, terms: list[TaxonomyTerm], mapping: TermMapping) -> None:
        self.by_id = {term.id: term for term in terms}
        self.by_code = {term.code: term for term in terms}
        self.mapping = mapping

    def resolve(self, raw: dict[str, Any]) -> TaxonomyTerm | None | str:
        """Our term; None when the mapping file says to leave it out; "unknown" otherwise."""
        term_id = raw.get("id") or raw.get("taxonomy_term_id")
        if term_id in self.by_id:
            return self.by_id[term_id]
        for key in (term_id, raw.get("term"), raw.get("name")):
            if key is not None and key in self.mapping.terms:
                code = self.mapping.terms[key]
                return None if code is None else self.by_code.get(code, "unknown")
        code = raw.get("term")
        if isinstance(code, str) and code in self.by_code:
            return self.by_code[code]
        return "unknown"

    def is_kind(self, term: TaxonomyTerm) -> bool:
        return term.taxonomy.slug == KINDS_TAXONOMY


def term_label(raw: dict[str, Any]) -> str:
    """How the report names a foreign term: its name, `term` and id."""
    parts = [raw.get("name") or raw.get("term") or "(no name)"]
    if raw.get("taxonomy"):
        parts.append(f"taxonomy {raw['taxonomy']}")
    if raw.get("id"):
        parts.append(f"id {raw['id']}")
    return ", ".join(str(part) for part in parts)


# --- building entries --------------------------------------------------------------------------


def slugify(text: str) -> str:
    """A slug for a foreign record's name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "service"


def _is_uuid(value: Any) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _extension(data: dict[str, Any]) -> dict[str, Any]:
    """The record's x_signpost object, or an empty one."""
    extension = data.get(EXTENSION)
    return extension if isinstance(extension, dict) else {}


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _load(
    schema: Schema, data: dict[str, Any], where: str, prefix: str, findings: Findings
) -> dict[str, Any] | None:
    """Validate with a seed schema; report each bad field with the path to it."""
    try:
        loaded: dict[str, Any] = schema.load(data)
    except ValidationError as error:
        for name, messages in _flatten(error.messages_dict):
            findings.error(where, f"{prefix}.{name}" if name else prefix, "; ".join(messages))
        return None
    return loaded


def _flatten(messages: Any, prefix: str = "") -> list[tuple[str, list[str]]]:
    if isinstance(messages, dict):
        pairs = []
        for key, value in messages.items():
            name = f"{prefix}[{key}]" if isinstance(key, int) else f"{prefix}.{key}".lstrip(".")
            pairs += _flatten(value, name)
        return pairs
    return [(prefix, [str(m) for m in messages] if isinstance(messages, list) else [str(messages)])]


def build_entry(
    record: Record,
    resolver: TermResolver,
    findings: Findings,
    nation_of: Callable[[float, float], str | None],
) -> dict[str, Any] | None:
    """Turn one HSDS service record into an entry; None (and errors) when it must be rejected."""
    data = record.data
    before = len(findings.errors)
    if not isinstance(data, dict):
        findings.error(record.where, "(record)", "is not a JSON object")
        return None
    where = f"{record.where} ({data.get('id') or data.get('name') or 'no id'})"
    service_id = data.get("id")
    if not _is_uuid(service_id):
        findings.error(where, "id", "must be a UUID")
    name = _text(data.get("name"))
    if name is None:
        findings.error(where, "name", "required")
    status = data.get("status", "active")
    if status == "temporarily closed":
        findings.warn(where, "status", "'temporarily closed' imported as 'inactive'")
        status = "inactive"
    if status not in SERVICE_STATUSES:
        findings.error(where, "status", f"must be one of {', '.join(SERVICE_STATUSES)}")
    extension = _extension(data)

    organization = _organization(data, where, findings)
    issues, kind = _terms(data, where, resolver, findings)
    locations = _locations(data, where, findings)
    channels = _channels(data, where, findings)
    hours = _hours(data, where, findings)
    eligibility = {
        "min_age": _age(data.get("minimum_age"), where, "minimum_age", findings),
        "max_age": _age(data.get("maximum_age"), where, "maximum_age", findings),
        "notes": _text(data.get("eligibility_description")),
    }
    cost, cost_text = _cost(data)
    entry: dict[str, Any] = {
        "id": service_id,
        "slug": f"{slugify(name or '')}-{str(service_id)[:8]}",
        "organization": organization,
        "name": name,
        "description": data.get("description") or "",
        "url": _text(data.get("url")),
        "status": status,
        "kind": kind or resolver.mapping.default_kind,
        "is_crisis_service": False,
        "referral": ["self"],
        "cost": cost,
        "cost_text": cost_text,
        "wait_time": _text(data.get("wait_time")),
        "languages": _languages(data),
        "accessibility": [],
        "eligibility": eligibility,
        "coverage": _coverage(data, locations, nation_of),
        "hours": hours,
        "channels": channels,
        "locations": locations,
        "issue_ids": issues,
        "source_url": _text(data.get("url")),
        "last_verified_at": _date(data.get("assured_date"), where, "assured_date", findings),
        "verification": "secondary",
        "verification_note": IMPORTED_NOTE,
        "demo": False,
        "last_modified": _datetime(data.get("last_modified"), where, findings),
    }
    _apply_extension(entry, extension, where, findings)
    if entry["kind"] is None:
        findings.error(
            where,
            "attributes",
            "no service kind: link a term of the service-kinds taxonomy, or set default_kind "
            "in the mapping file",
        )
    _check_values(entry, resolver, where, findings)
    _check_parts(entry, where, findings)
    if len(findings.errors) != before:
        return None
    _give_ids(entry)
    return entry


def _give_ids(entry: dict[str, Any]) -> None:
    """Stable ids for parts that came without one, so a re-import finds them unchanged."""
    if entry["hours"] is not None and not entry["hours"].get("id"):
        entry["hours"]["id"] = stable_id("schedule", entry["id"])
    for position, channel in enumerate(entry["channels"]):
        if not channel.get("id"):
            channel["id"] = stable_id("channel", f"{entry['id']}#{position}")
        if channel["hours"] is not None and not channel["hours"].get("id"):
            channel["hours"]["id"] = stable_id("schedule", channel["id"])


def _organization(data: dict[str, Any], where: str, findings: Findings) -> dict[str, Any] | None:
    raw = data.get("organization")
    if raw is None:
        if not _is_uuid(data.get("organization_id")):
            findings.error(where, "organization_id", "give an organization or its UUID")
        return {"id": data.get("organization_id")}  # must already exist, checked on writing
    if not isinstance(raw, dict):
        findings.error(where, "organization", "must be an object")
        return None
    if not _is_uuid(raw.get("id")):
        findings.error(where, "organization.id", "must be a UUID")
    name = _text(raw.get("name"))
    if name is None:
        findings.error(where, "organization.name", "required")
    charity = next(
        (
            ident.get("identifier")
            for ident in raw.get("organization_identifiers") or []
            if isinstance(ident, dict) and "charity" in str(ident.get("identifier_type")).lower()
        ),
        None,
    )
    extension = _extension(raw)
    return {
        "id": raw.get("id"),
        "slug": extension.get("slug") or f"{slugify(name or '')}-{str(raw.get('id'))[:8]}",
        "name": name,
        "description": raw.get("description") or "",
        "website": _text(raw.get("website")),
        "email": _text(raw.get("email")),
        "charity_number": charity,
        "demo": bool(extension.get("demo", False)),
    }


def _terms(
    data: dict[str, Any], where: str, resolver: TermResolver, findings: Findings
) -> tuple[list[str], str | None]:
    issues: list[str] = []
    kind = None
    for index, attribute in enumerate(data.get("attributes") or []):
        raw = attribute.get("taxonomy_term") if isinstance(attribute, dict) else None
        if not isinstance(raw, dict):
            raw = {"id": attribute.get("taxonomy_term_id")} if isinstance(attribute, dict) else {}
        found = resolver.resolve(raw)
        if found == "unknown":
            findings.unmapped_terms.setdefault(term_label(raw), []).append(
                f"{where}: attributes[{index}]"
            )
        elif isinstance(found, TaxonomyTerm):
            if resolver.is_kind(found):
                kind = found.code
            elif found.id not in issues:
                issues.append(found.id)
    return issues, kind


def _age(value: Any, where: str, name: str, findings: Findings) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        findings.error(where, name, "must be a whole number")
        return None
    return int(value)


def _date(value: Any, where: str, name: str, findings: Findings) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        findings.error(where, name, "not a date (YYYY-MM-DD)")
        return None


def _datetime(value: Any, where: str, findings: Findings) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        findings.error(where, "last_modified", "not a date-time (ISO 8601)")
        return None
    if moment.tzinfo is None:
        findings.error(where, "last_modified", "needs a time zone offset, e.g. Z")
        return None
    return moment


def _cost(data: dict[str, Any]) -> tuple[str, str | None]:
    options = [o for o in data.get("cost_options") or [] if isinstance(o, dict)]
    text = _text(data.get("fees_description")) or _text(data.get("fees"))
    if options and all(o.get("amount") == 0 for o in options):
        return "free", text or _text(options[0].get("amount_description"))
    if options:
        return "paid", text or _text(options[0].get("option"))
    return "unknown", text


def _languages(data: dict[str, Any]) -> list[str]:
    codes = []
    for language in data.get("languages") or []:
        code = language.get("code") if isinstance(language, dict) else None
        if isinstance(code, str) and len(code) == 2 and code.lower() not in codes:
            codes.append(code.lower())
    return codes


def _locations(data: dict[str, Any], where: str, findings: Findings) -> list[dict[str, Any]]:
    locations = []
    for index, link in enumerate(data.get("service_at_locations") or []):
        at = f"service_at_locations[{index}]"
        location = link.get("location") if isinstance(link, dict) else None
        if not isinstance(location, dict):
            findings.error(where, f"{at}.location", "required")
            continue
        for name, value in (
            (f"{at}.id", link.get("id")),
            (f"{at}.location.id", location.get("id")),
        ):
            if not _is_uuid(value):
                findings.error(where, name, "must be a UUID")
        addresses = [a for a in location.get("addresses") or [] if isinstance(a, dict)]
        address = addresses[0] if addresses else {}
        street = ", ".join(
            part
            for part in (_text(address.get("address_1")), _text(address.get("address_2")))
            if part
        )
        extension = _extension(location)
        latitude, longitude = location.get("latitude"), location.get("longitude")
        if latitude is not None or longitude is not None:
            in_uk = (
                isinstance(latitude, int | float)
                and isinstance(longitude, int | float)
                and UK_LATITUDE[0] <= latitude <= UK_LATITUDE[1]
                and UK_LONGITUDE[0] <= longitude <= UK_LONGITUDE[1]
            )
            if not in_uk:
                findings.warn(
                    where,
                    f"{at}.location.latitude",
                    f"({latitude}, {longitude}) is not in the UK; position left out",
                )
                latitude = longitude = None
        town, postcode = _text(address.get("city")), _text(address.get("postal_code"))
        if not (town or postcode or latitude is not None):
            findings.warn(where, f"{at}.location", "has no town, postcode or position; left out")
            continue
        locations.append(
            {
                "link_id": link.get("id"),
                "id": location.get("id"),
                "name": _text(location.get("name")),
                "address": street or None,
                "town": town,
                "postcode": postcode,
                "latitude": latitude,
                "longitude": longitude,
                "address_visibility": extension.get("address_visibility", "public"),
            }
        )
    return locations


def _channels(data: dict[str, Any], where: str, findings: Findings) -> list[dict[str, Any]]:
    channels = []
    phone_types = {value: key for key, value in PHONE_TYPES.items()}
    for index, phone in enumerate(data.get("phones") or []):
        if not isinstance(phone, dict):
            findings.error(where, f"phones[{index}]", "must be an object")
            continue
        channels.append(
            {
                "id": phone.get("id"),
                "type": phone_types.get(str(phone.get("type")), "phone"),
                "value": phone.get("number"),
                "instructions": _text(phone.get("description")),
                "textphone": phone.get("type") == "textphone",
                "verification": "secondary",
            }
        )
    email = _text(data.get("email"))
    if email:
        channels.append({"type": "email", "value": email, "verification": "secondary"})
    return channels


def _hours(data: dict[str, Any], where: str, findings: Findings) -> dict[str, Any] | None:
    rules = []
    rows = [row for row in data.get("schedules") or [] if isinstance(row, dict)]
    for index, row in enumerate(rows):
        weekly = (
            row.get("freq") in (None, "WEEKLY")
            and row.get("interval") in (None, 1)
            and not row.get("bymonthday")
        )
        if not (weekly and row.get("byday") and row.get("opens_at") and row.get("closes_at")):
            findings.warn(where, f"schedules[{index}]", "not a weekly opening time; left out")
            continue
        days = []
        for code in str(row["byday"]).split(","):
            code = code.strip().upper()[-2:]  # "1MO" (first Monday) reads as Monday
            if code not in HSDS_DAYS:
                findings.error(where, f"schedules[{index}].byday", f"unknown day {code!r}")
                return None
            days.append(OUR_DAYS[HSDS_DAYS.index(code)])
        opens, closes = str(row["opens_at"])[:5], str(row["closes_at"])[:5]
        rules.append(
            {"days": days, "opens": opens, "closes": "24:00" if closes == "23:59" else closes}
        )
    if not rules:
        return None
    first = rows[0]
    every_day_all_day = {
        day for r in rules if (r["opens"], r["closes"]) == ("00:00", "24:00") for day in r["days"]
    }
    return {
        "open_24_7": every_day_all_day == set(OUR_DAYS),
        "bank_holidays": "normal",
        "rules": [] if every_day_all_day == set(OUR_DAYS) else rules,
        "valid_from": first.get("valid_from"),
        "valid_to": first.get("valid_to"),
        "notes": _text(first.get("description")),
        "verification": "secondary",
    }


def _coverage(
    data: dict[str, Any],
    locations: list[dict[str, Any]],
    nation_of: Callable[[float, float], str | None],
) -> dict[str, Any]:
    """Where a foreign service is available: its service areas, else its postcode districts."""
    found = {
        nation_of(loc["latitude"], loc["longitude"])
        for loc in locations
        if loc["latitude"] is not None
    } - {None}
    nations = [nation for nation in NATIONS if nation in found] or list(NATIONS)
    areas = [
        name
        for area in data.get("service_areas") or []
        if isinstance(area, dict) and (name := _text(area.get("name")))
    ]
    if not areas:
        areas = sorted({loc["postcode"].split(" ")[0] for loc in locations if loc["postcode"]})
    if areas:
        return {"scope": "areas", "nations": nations, "areas": areas}
    return {"scope": "national", "nations": nations}


def _apply_extension(
    entry: dict[str, Any], extension: dict[str, Any], where: str, findings: Findings
) -> None:
    """Take what HSDS cannot say from x_signpost (our own exports carry it)."""
    for name in (
        "slug", "kind", "is_crisis_service", "referral", "cost", "cost_text", "wait_time",
        "accessibility", "source_url", "verification", "verification_note", "demo",
    ):  # fmt: skip
        if name in extension:
            entry[name] = extension[name]
    for name in ("eligibility", "coverage", "hours", "channels"):
        if name in extension:
            entry[name] = extension[name]


def _check_values(
    entry: dict[str, Any], resolver: TermResolver, where: str, findings: Findings
) -> None:
    """The single values x_signpost (or a spreadsheet) may set, against our vocabularies."""
    kind = entry["kind"]
    if kind is not None and not (
        kind in resolver.by_code and resolver.is_kind(resolver.by_code[kind])
    ):
        findings.error(where, "kind", f"unknown service kind {kind!r}")
    checks = (
        ("cost", entry["cost"] in COSTS, f"one of {', '.join(COSTS)}"),
        (
            "referral",
            isinstance(entry["referral"], list)
            and all(route in REFERRAL_ROUTES for route in entry["referral"]),
            f"a list of {', '.join(REFERRAL_ROUTES)}",
        ),
        (
            "verification",
            entry["verification"] in VERIFICATION_STATUSES,
            f"one of {', '.join(VERIFICATION_STATUSES)}",
        ),
        ("slug", isinstance(entry["slug"], str) and SLUG_RE.match(entry["slug"]), "a-z, 0-9, -"),
        ("is_crisis_service", isinstance(entry["is_crisis_service"], bool), "true or false"),
        ("demo", isinstance(entry["demo"], bool), "true or false"),
    )
    for name, good, expected in checks:
        if not good:
            findings.error(where, f"{EXTENSION}.{name}", f"must be {expected}")


def _without_ids(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k != "id"}


def _check_parts(entry: dict[str, Any], where: str, findings: Findings) -> None:
    """Check the parts with the seed files' own rules; keep the ids beside them."""
    eligibility = _load(
        EligibilitySeedSchema(), entry["eligibility"], where, "eligibility", findings
    )
    if eligibility is not None:
        entry["eligibility"] = eligibility
    coverage = _load(CoverageSeedSchema(), entry["coverage"], where, "coverage", findings)
    if coverage is not None:
        entry["coverage"] = coverage
    if entry["hours"] is not None:
        entry["hours"] = _checked_hours(entry["hours"], where, "hours", findings)
    channels = []
    for index, raw in enumerate(entry["channels"]):
        prefix = f"channels[{index}]"
        if not isinstance(raw, dict):
            findings.error(where, prefix, "must be an object")
            continue
        hours = raw.get("hours")
        loaded = _load(
            ChannelSeedSchema(), _without_ids({**raw, "hours": None}), where, prefix, findings
        )
        if loaded is not None:
            loaded["id"] = raw.get("id")
            loaded["hours"] = (
                _checked_hours(hours, where, f"{prefix}.hours", findings) if hours else None
            )
            channels.append(loaded)
    entry["channels"] = channels
    for index, location in enumerate(entry["locations"]):
        prefix = f"service_at_locations[{index}].location"
        if location["address_visibility"] not in ADDRESS_VISIBILITIES:
            findings.error(
                where, f"{prefix}.{EXTENSION}.address_visibility", "public, area_only or hidden"
            )


def _checked_hours(
    hours: dict[str, Any], where: str, prefix: str, findings: Findings
) -> dict[str, Any] | None:
    loaded = _load(HoursSeedSchema(), _without_ids(hours), where, prefix, findings)
    if loaded is None:
        return None
    loaded["id"] = hours.get("id")
    return loaded
