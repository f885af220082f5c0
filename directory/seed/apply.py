"""Upsert a validated SeedBundle: stable ids, unchanged entries untouched, one transaction."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from directory.models import (
    ISSUES_TAXONOMY,
    KINDS_TAXONOMY,
    Channel,
    Coverage,
    CoverageNation,
    Eligibility,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    stable_id,
)
from directory.models.base import utcnow
from directory.seed.loader import SeedBundle

# Seed fields stored on the service as they are.
COPIED_FIELDS = (
    "name", "description", "url", "kind", "is_crisis_service", "referral", "cost", "cost_text",
    "wait_time", "languages", "accessibility", "source_url", "last_verified_at", "verification",
    "verification_note", "demo",
)  # fmt: skip

# Part of every digest: bump it when the mapping below changes, so re-seeding applies it.
SEED_FORMAT = 1


@dataclass
class SeedReport:
    """What one seeding run did, per kind of record."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str, kind: str) -> None:
        tally = getattr(self, outcome)
        tally[kind] = tally.get(kind, 0) + 1

    def summary(self) -> str:
        kinds = sorted({*self.created, *self.updated, *self.unchanged})
        return "\n".join(
            f"{kind}: {self.created.get(kind, 0)} created, {self.updated.get(kind, 0)} updated, "
            f"{self.unchanged.get(kind, 0)} unchanged"
            for kind in kinds
        )


def seed_database(session: Session, bundle: SeedBundle) -> SeedReport:
    """Write the bundle in one transaction: all of it, or (on any error) none of it."""
    report = SeedReport()
    try:
        terms = upsert_taxonomies(session, bundle, report)
        organizations = {
            org["id"]: _upsert_organization(session, org, report) for org in bundle.organizations
        }
        for entry in bundle.services:
            _upsert_service(session, entry, organizations, terms, report)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report


def _set_fields(row: Any, values: dict[str, Any]) -> bool:
    """Assign changed values only, so an unchanged row is never written."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _upsert(
    session: Session,
    model: type,
    row_id: str,
    values: dict[str, Any],
    kind: str,
    report: SeedReport,
) -> Any:
    row = session.get(model, row_id)
    if row is None:
        row = model(id=row_id, **values)
        session.add(row)
        report.count("created", kind)
    elif _set_fields(row, values):
        report.count("updated", kind)
    else:
        report.count("unchanged", kind)
    return row


def upsert_taxonomies(
    session: Session, bundle: SeedBundle, report: SeedReport
) -> dict[str, TaxonomyTerm]:
    """Upsert the taxonomies and their terms (no commit); return the terms by code."""
    taxonomies = {
        entry["id"]: _upsert(
            session,
            Taxonomy,
            stable_id("taxonomy", entry["id"]),
            {
                "slug": entry["id"],
                "name": entry["name"],
                "description": entry["description"],
                "version": entry["version"],
            },
            "taxonomies",
            report,
        )
        for entry in bundle.taxonomies
    }
    terms: dict[str, TaxonomyTerm] = {}
    groups = ((ISSUES_TAXONOMY, bundle.issues), (KINDS_TAXONOMY, bundle.kinds))
    for taxonomy_slug, entries in groups:
        taxonomy = taxonomies[taxonomy_slug]
        for position, entry in enumerate(entries):
            broader = entry.get("broader")
            terms[entry["code"]] = _upsert(
                session,
                TaxonomyTerm,
                stable_id("taxonomy_term", entry["code"]),
                {
                    "taxonomy_id": taxonomy.id,
                    "code": entry["code"],
                    "name": entry["label"],
                    "description": entry["description"],
                    "synonyms": entry.get("synonyms", []),
                    "parent_id": stable_id("taxonomy_term", broader) if broader else None,
                    "position": position,
                },
                "taxonomy_terms",
                report,
            )
    session.flush()
    return terms


def _upsert_organization(
    session: Session, entry: dict[str, Any], report: SeedReport
) -> Organization:
    organization: Organization = _upsert(
        session,
        Organization,
        stable_id("organization", entry["id"]),
        {
            "slug": entry["id"],
            "name": entry["name"],
            "description": entry["description"],
            "website": entry["website"],
            "email": entry["email"],
            "charity_number": entry["charity_number"],
            "demo": entry["demo"],
        },
        "organizations",
        report,
    )
    return organization


def _digest(entry: dict[str, Any]) -> str:
    payload = {k: v for k, v in entry.items() if not k.startswith("_")}
    text = json.dumps([SEED_FORMAT, payload], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _upsert_service(
    session: Session,
    entry: dict[str, Any],
    organizations: dict[str, Organization],
    terms: dict[str, TaxonomyTerm],
    report: SeedReport,
) -> None:
    service_id = stable_id("service", entry["id"])
    digest = _digest(entry)
    service = session.get(Service, service_id)
    if service is not None and service.seed_digest == digest:
        report.count("unchanged", "services")
        return
    if service is None:
        service = Service(id=service_id)
        session.add(service)
        report.count("created", "services")
    else:
        # Children keep their stable ids: remove the old rows before adding the new ones.
        service.channels.clear()
        service.location_links.clear()
        service.nation_rows.clear()
        service.schedule = None
        service.eligibility = None
        service.coverage = None
        session.flush()
        service.updated_at = utcnow()
        report.count("updated", "services")

    slug = entry["id"]
    service.slug = slug
    service.organization_id = organizations[entry["organization"]].id
    for name in COPIED_FIELDS:
        setattr(service, name, entry[name])
    service.self_referral = "self" in entry["referral"]
    service.seed_digest = digest
    service.issues = [terms[code] for code in entry["issues"]]
    service.eligibility = Eligibility(**entry["eligibility"])
    coverage = dict(entry["coverage"])
    nations = coverage.pop("nations")
    service.coverage = Coverage(**coverage)
    service.nation_rows = [CoverageNation(nation=nation) for nation in nations]
    service.schedule = _schedule(entry["hours"], stable_id("schedule", slug))
    service.channels = [
        Channel(
            id=stable_id("channel", f"{slug}#{position}"),
            position=position,
            schedule=_schedule(channel.pop("hours"), stable_id("schedule", f"{slug}#{position}")),
            **channel,
        )
        for position, channel in enumerate(dict(c) for c in entry["channels"])
    ]
    service.location_links = [
        ServiceAtLocation(
            id=stable_id("service_at_location", f"{slug}#{position}"),
            location=_location(session, stable_id("location", f"{slug}#{position}"), location),
        )
        for position, location in enumerate(entry["locations"])
    ]


def _schedule(hours: dict[str, Any] | None, schedule_id: str) -> Schedule | None:
    return None if hours is None else Schedule(id=schedule_id, **hours)


def _location(session: Session, location_id: str, values: dict[str, Any]) -> Location:
    location = session.get(Location, location_id)
    if location is None:
        return Location(id=location_id, **values)
    _set_fields(location, values)
    return location
