"""Upsert Open Referral records by id: all of them in one transaction, or (on any error) none.

Every record is checked before anything is written; a single bad record rejects the whole
import and the report names every bad record, its field and the reason. Writing goes through
the ORM session, so the search index is rebuilt on commit like any other write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.errors import SeedError
from directory.interop.mapping import service_to_hsds
from directory.interop.queries import kind_terms
from directory.interop.records import (
    Findings,
    Record,
    TermMapping,
    TermResolver,
    build_entry,
    service_records,
)
from directory.models import (
    Channel,
    Coverage,
    CoverageNation,
    Eligibility,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from directory.models.base import utcnow
from directory.search.filters import find_service
from directory.seed import SeedBundle, load_seed_bundle
from directory.seed.apply import SeedReport, upsert_taxonomies

COPIED_FIELDS = (
    "slug", "name", "description", "url", "status", "kind", "is_crisis_service", "referral",
    "cost", "cost_text", "wait_time", "languages", "accessibility", "source_url",
    "last_verified_at", "verification", "verification_note", "demo",
)  # fmt: skip
ORGANIZATION_FIELDS = ("slug", "name", "description", "website", "email", "charity_number", "demo")
LOCATION_FIELDS = ("name", "address", "town", "postcode", "latitude", "longitude")


@dataclass
class ImportReport:
    """What an import did (or, with dry_run or errors, would have done)."""

    dry_run: bool = False
    findings: Findings = field(default_factory=Findings)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.findings.errors

    def count(self, outcome: str, kind: str) -> None:
        tally = getattr(self, outcome)
        tally[kind] = tally.get(kind, 0) + 1

    def summary(self) -> str:
        """The printed report: counts, every rejected record, warnings and unmapped terms."""
        lines = []
        if not self.ok:
            lines.append(
                f"Import rejected: {len(self.findings.errors)} problem(s); nothing was changed."
            )
            lines += [f"  REJECTED {problem}" for problem in self.findings.errors]
        else:
            dry = "Dry run: nothing was changed. An import would do this:"
            lines.append(dry if self.dry_run else "Imported:")
            for kind in sorted({*self.created, *self.updated, *self.unchanged}):
                lines.append(
                    f"  {kind}: {self.created.get(kind, 0)} created, "
                    f"{self.updated.get(kind, 0)} updated, {self.unchanged.get(kind, 0)} unchanged"
                )
        if self.findings.warnings:
            lines.append("Warnings (imported without these values):")
            lines += [f"  {problem}" for problem in self.findings.warnings]
        if self.findings.unmapped_terms:
            lines.append(
                "Unmapped taxonomy terms (not linked; add them to a mapping file, --terms):"
            )
            for term, places in sorted(self.findings.unmapped_terms.items()):
                lines.append(f"  {term}: {len(places)} record(s), first {places[0]}")
        return "\n".join(lines)


def read_term_mapping(path: Path | None) -> TermMapping:
    """Read a mapping file (YAML): `terms: {foreign id, term or name: our code or null}` and
    an optional `default_kind`."""
    if path is None:
        return TermMapping()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise SeedError(f"{path}: cannot be read as YAML ({error})") from error
    if not isinstance(data, dict) or set(data) - {"terms", "default_kind"}:
        raise SeedError(f"{path}: expected only `terms` and `default_kind`")
    terms = data.get("terms") or {}
    if not isinstance(terms, dict):
        raise SeedError(f"{path}: terms: must be a mapping")
    return TermMapping(
        terms={str(key): (None if value is None else str(value)) for key, value in terms.items()},
        default_kind=data.get("default_kind"),
    )


def import_records(
    session: Session,
    records: list[Record],
    mapping: TermMapping,
    *,
    seed_dir: Path,
    nation_of: Callable[[float, float], str | None],
    dry_run: bool = False,
    findings: Findings | None = None,
) -> ImportReport:
    """Check every record, then upsert them all in one transaction (none on any error)."""
    report = ImportReport(dry_run=dry_run, findings=findings or Findings())
    try:
        _ensure_taxonomy(session, seed_dir, report)
        terms = list(session.scalars(select(TaxonomyTerm)))
        resolver = TermResolver(terms, mapping)
        _check_mapping(mapping, resolver, report.findings)
        entries = [
            entry
            for record in service_records(records, report.findings)
            if (entry := build_entry(record, resolver, report.findings, nation_of)) is not None
        ]
        _check_references(session, entries, report.findings)
        if report.ok:
            _write(session, entries, resolver, nation_of, report)
        if report.ok and not dry_run:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    return report


def _ensure_taxonomy(session: Session, seed_dir: Path, report: ImportReport) -> None:
    """An empty database gets the built-in taxonomy first: imported terms map onto it."""
    if session.scalar(select(TaxonomyTerm.id).limit(1)) is not None:
        return
    seed = load_seed_bundle(seed_dir, demo=False)
    tally = SeedReport()
    upsert_taxonomies(
        session, SeedBundle(taxonomies=seed.taxonomies, issues=seed.issues, kinds=seed.kinds), tally
    )
    for kind, count in tally.created.items():
        report.created[kind] = count


def _check_mapping(mapping: TermMapping, resolver: TermResolver, findings: Findings) -> None:
    for key, code in mapping.terms.items():
        if code is not None and code not in resolver.by_code:
            findings.error("mapping file", f"terms.{key}", f"unknown Signpost code {code!r}")
    kind = mapping.default_kind
    if kind is not None and (
        kind not in resolver.by_code or not resolver.is_kind(resolver.by_code[kind])
    ):
        findings.error("mapping file", "default_kind", f"{kind!r} is not a service kind code")


def _check_references(session: Session, entries: list[dict[str, Any]], findings: Findings) -> None:
    """Ids used twice, organisations that exist nowhere, slugs taken by other records."""
    seen: set[str] = set()
    organizations = {e["organization"]["id"] for e in entries if e["organization"].get("name")}
    for entry in entries:
        where = f"service {entry['id']} ({entry['name']})"
        if entry["id"] in seen:
            findings.error(where, "id", "appears twice in this import")
        seen.add(entry["id"])
        org_id = entry["organization"]["id"]
        if org_id not in organizations and session.get(Organization, org_id) is None:
            findings.error(where, "organization_id", f"unknown organization {org_id!r}")
        taken = session.scalar(select(Service.id).where(Service.slug == entry["slug"]))
        if taken is not None and taken != entry["id"]:
            findings.error(where, "x_signpost.slug", f"{entry['slug']!r} belongs to {taken}")


def _write(
    session: Session,
    entries: list[dict[str, Any]],
    resolver: TermResolver,
    nation_of: Callable[[float, float], str | None],
    report: ImportReport,
) -> None:
    written: set[str] = set()
    for entry in entries:
        organization = entry["organization"]
        if organization.get("name") and organization["id"] not in written:
            _upsert_organization(session, organization, report)
            written.add(organization["id"])
    session.flush()
    kinds = kind_terms(session)
    for entry in entries:
        existing = find_service(session, entry["id"])
        if existing is not None and _same(existing, entry, kinds, resolver, nation_of):
            report.count("unchanged", "services")
            continue
        _upsert_service(session, entry, existing)
        report.count("created" if existing is None else "updated", "services")
        session.flush()


def _same(
    service: Service,
    entry: dict[str, Any],
    kinds: dict[str, TaxonomyTerm],
    resolver: TermResolver,
    nation_of: Callable[[float, float], str | None],
) -> bool:
    """Whether the service, as the feed publishes it, already says what the entry says."""
    published = service_to_hsds(service, kinds.get(service.kind))
    current = build_entry(Record("(database)", published), resolver, Findings(), nation_of)
    ignore = {"last_modified"}
    return current is not None and all(
        current[key] == value for key, value in entry.items() if key not in ignore
    )


def _upsert_organization(session: Session, values: dict[str, Any], report: ImportReport) -> None:
    organization = session.get(Organization, values["id"])
    fields = {name: values[name] for name in ORGANIZATION_FIELDS}
    if organization is None:
        session.add(Organization(id=values["id"], **fields))
        report.count("created", "organizations")
        return
    changed = False
    for name, value in fields.items():
        if getattr(organization, name) != value:
            setattr(organization, name, value)
            changed = True
    report.count("updated" if changed else "unchanged", "organizations")


def _upsert_service(session: Session, entry: dict[str, Any], service: Service | None) -> None:
    if service is None:
        service = Service(id=entry["id"])
        session.add(service)
    else:
        # Children keep their ids: remove the old rows before adding the new ones.
        service.channels.clear()
        service.location_links.clear()
        service.nation_rows.clear()
        service.schedule = None
        service.eligibility = None
        service.coverage = None
        session.flush()
    for name in COPIED_FIELDS:
        setattr(service, name, entry[name])
    service.organization_id = entry["organization"]["id"]
    service.self_referral = "self" in entry["referral"]
    service.seed_digest = None  # no longer what a seed file said
    service.updated_at = entry["last_modified"] or utcnow()
    service.issues = [session.get_one(TaxonomyTerm, term_id) for term_id in entry["issue_ids"]]
    service.eligibility = Eligibility(**entry["eligibility"])
    coverage = dict(entry["coverage"])
    nations = coverage.pop("nations")
    service.coverage = Coverage(**coverage)
    service.nation_rows = [CoverageNation(nation=nation) for nation in nations]
    service.schedule = _schedule(entry["hours"])
    service.channels = [
        Channel(
            position=position,
            schedule=_schedule(channel["hours"]),
            **{k: v for k, v in channel.items() if k != "hours"},
        )
        for position, channel in enumerate(entry["channels"])
    ]
    service.location_links = [
        ServiceAtLocation(id=location["link_id"], location=_location(session, location))
        for location in entry["locations"]
    ]


def _schedule(hours: dict[str, Any] | None) -> Schedule | None:
    return None if hours is None else Schedule(**hours)


def _location(session: Session, values: dict[str, Any]) -> Location:
    location = session.get(Location, values["id"])
    fields = {name: values[name] for name in (*LOCATION_FIELDS, "address_visibility")}
    if location is None:
        return Location(id=values["id"], **fields)
    for name, value in fields.items():
        setattr(location, name, value)
    return location
