"""Editors' writes as plain functions: a record's current values in the form a client sends,
applying a validated form to the models, and the audit event that records the difference.

Everything happens in the caller's session and transaction; the caller commits once, so the
change, its audit event and the search index (rebuilt on commit) land together or not at all.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from marshmallow import Schema, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from directory.errors import InvalidInput
from directory.models import (
    AuditEvent,
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
)
from directory.models.base import utcnow

# Service fields stored as they are sent.
SERVICE_SCALARS = (
    "slug", "organization_id", "name", "description", "url", "kind", "status",
    "is_crisis_service", "referral", "cost", "cost_text", "wait_time", "languages",
    "accessibility", "source_url", "last_verified_at", "verification", "verification_note",
    "internal_notes", "demo",
)  # fmt: skip
ORGANIZATION_FIELDS = ("slug", "name", "description", "website", "email", "charity_number", "demo")
LOCATION_FIELDS = (
    "name", "address", "town", "postcode", "latitude", "longitude", "address_visibility",
)  # fmt: skip
HOURS_FIELDS = (
    "open_24_7", "bank_holidays", "rules", "valid_from", "valid_to", "notes", "verification",
)  # fmt: skip
CHANNEL_FIELDS = (
    "type", "value", "instructions", "free_to_contact", "textphone", "bsl", "nations",
    "verification", "note",
)  # fmt: skip
ELIGIBILITY_FIELDS = (
    "min_age", "max_age", "genders", "groups", "requires_gp_registration", "notes",
)  # fmt: skip


def jsonable(value: Any) -> Any:
    """Dates as ISO strings, recursively: the form a client sends and the audit log stores."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def load_form(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    """Validate a request body; a 422 names every bad field."""
    try:
        form: dict[str, Any] = schema.load(data)
    except ValidationError as error:
        raise InvalidInput(errors=error.normalized_messages()) from None  # type: ignore[arg-type]
    return form


def merged_form(schema: Schema, current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """PATCH: the fields sent replace the current ones (a nested object as a whole), and the
    result must pass every rule a new record would."""
    return load_form(schema, {**current, **patch})


# Current values, in the form a client sends ---------------------------------------------------


def hours_input(schedule: Schedule | None) -> dict[str, Any] | None:
    if schedule is None:
        return None
    return jsonable({name: getattr(schedule, name) for name in HOURS_FIELDS})


def service_input(service: Service) -> dict[str, Any]:
    """Every writable field of a service as it stands."""
    eligibility = service.eligibility
    coverage = service.coverage
    values = {name: getattr(service, name) for name in SERVICE_SCALARS}
    values.update(
        issues=[term.code for term in service.issues],
        eligibility={
            name: getattr(eligibility, name) if eligibility else default
            for name, default in zip(
                ELIGIBILITY_FIELDS, (None, None, [], [], False, None), strict=True
            )
        },
        coverage={
            "scope": coverage.scope if coverage else "national",
            "nations": service.nations,
            "areas": coverage.areas if coverage else [],
            "radius_km": coverage.radius_km if coverage else None,
            "notes": coverage.notes if coverage else None,
        },
        hours=hours_input(service.schedule),
        channels=[
            {
                **{name: getattr(channel, name) for name in CHANNEL_FIELDS},
                "hours": hours_input(channel.schedule),
            }
            for channel in service.channels
        ],
        location_ids=[link.location_id for link in service.location_links],
    )
    result: dict[str, Any] = jsonable(values)
    return result


def organization_input(organization: Organization) -> dict[str, Any]:
    return {name: getattr(organization, name) for name in ORGANIZATION_FIELDS}


def location_input(location: Location) -> dict[str, Any]:
    return {name: getattr(location, name) for name in LOCATION_FIELDS}


def term_input(term: TaxonomyTerm) -> dict[str, Any]:
    return {
        "code": term.code,
        "name": term.name,
        "description": term.description,
        "synonyms": list(term.synonyms),
        "parent": term.parent.code if term.parent else None,
        "taxonomy": term.taxonomy.slug,
    }


# Applying a validated form -----------------------------------------------------------------


def apply_service(session: Session, service: Service, form: dict[str, Any]) -> None:
    """Make the service what the form says; 422 for references that do not exist."""
    with session.no_autoflush:  # a new service is not ready to be written yet
        terms, locations = _service_references(session, service, form)
    for name in SERVICE_SCALARS:
        setattr(service, name, form[name])
    service.self_referral = "self" in form["referral"]
    service.issues = terms
    if service.eligibility is None:
        service.eligibility = Eligibility(**form["eligibility"])
    else:
        _set(service.eligibility, form["eligibility"])
    coverage = {k: v for k, v in form["coverage"].items() if k != "nations"}
    if service.coverage is None:
        service.coverage = Coverage(**coverage)
    else:
        _set(service.coverage, coverage)
    wanted = form["coverage"]["nations"]
    kept = [row for row in service.nation_rows if row.nation in wanted]
    service.nation_rows = kept + [
        CoverageNation(nation=nation)
        for nation in dict.fromkeys(wanted)
        if nation not in {row.nation for row in kept}
    ]
    service.schedule = _schedule(service.schedule, form["hours"])
    current_channels = service_input(service)["channels"] if service.id else []
    if jsonable(form["channels"]) != current_channels:
        if service.channels:
            service.channels.clear()
            session.flush()
        service.channels = [
            Channel(
                position=position,
                schedule=_schedule(None, channel["hours"]),
                **{name: channel[name] for name in CHANNEL_FIELDS},
            )
            for position, channel in enumerate(form["channels"])
        ]
    kept_links = [link for link in service.location_links if link.location_id in locations]
    linked = {link.location_id for link in kept_links}
    service.location_links = kept_links + [
        ServiceAtLocation(location=location)
        for location_id, location in locations.items()
        if location_id not in linked
    ]
    # The service row itself always changes, so its version (the ETag) moves on even when
    # only a channel or an opening time did.
    service.updated_at = utcnow()


def _service_references(
    session: Session, service: Service, form: dict[str, Any]
) -> tuple[list[TaxonomyTerm], dict[str, Location]]:
    errors: dict[str, list[str]] = {}
    if session.get(Organization, form["organization_id"]) is None:
        errors["organization_id"] = [f"No organization with id {form['organization_id']!r}."]
    taken = session.scalar(select(Service.id).where(Service.slug == form["slug"]))
    if taken is not None and taken != service.id:
        errors["slug"] = [f"Another service already has the slug {form['slug']!r}."]
    codes = list(dict.fromkeys(form["issues"]))
    found = {
        term.code: term
        for term in session.scalars(
            select(TaxonomyTerm)
            .join(Taxonomy)
            .where(TaxonomyTerm.code.in_(codes), Taxonomy.slug == "issues")
        )
    }
    unknown = [code for code in codes if code not in found]
    if unknown:
        errors["issues"] = [f"Unknown issue codes: {', '.join(unknown)}."]
    wanted = list(dict.fromkeys(form["location_ids"]))
    locations = {
        location.id: location
        for location in session.scalars(select(Location).where(Location.id.in_(wanted)))
    }
    missing = [location_id for location_id in wanted if location_id not in locations]
    if missing:
        errors["location_ids"] = [f"No location with id {', '.join(map(repr, missing))}."]
    if errors:
        raise InvalidInput(errors=errors)
    return [found[code] for code in codes], {i: locations[i] for i in wanted}


def _schedule(current: Schedule | None, hours: dict[str, Any] | None) -> Schedule | None:
    if hours is None:
        return None
    if current is None:
        return Schedule(**hours)
    _set(current, hours)
    return current


def _set(row: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def apply_organization(session: Session, organization: Organization, form: dict[str, Any]) -> None:
    """Make the organisation what the form says; 422 when the slug is taken."""
    with session.no_autoflush:
        taken = session.scalar(select(Organization.id).where(Organization.slug == form["slug"]))
    if taken is not None and taken != organization.id:
        raise InvalidInput(
            errors={"slug": [f"Another organization already has the slug {form['slug']!r}."]}
        )
    _set(organization, {name: form[name] for name in ORGANIZATION_FIELDS})


def apply_location(location: Location, form: dict[str, Any]) -> None:
    """Make the location what the form says."""
    _set(location, {name: form[name] for name in LOCATION_FIELDS})


def apply_term(session: Session, term: TaxonomyTerm, form: dict[str, Any]) -> None:
    """Make the term what the form says; codes are permanent, parents must exist."""
    with session.no_autoflush:
        _apply_term(session, term, form)


def _apply_term(session: Session, term: TaxonomyTerm, form: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if term.code is not None and term.code != form["code"]:
        errors["code"] = ["A term's code cannot change: clients and saved links use it."]
    elif term.code is None:
        taken = session.scalar(select(TaxonomyTerm.id).where(TaxonomyTerm.code == form["code"]))
        if taken is not None:
            errors["code"] = [f"A term with the code {form['code']!r} already exists."]
    taxonomy = session.scalar(select(Taxonomy).where(Taxonomy.slug == form["taxonomy"]))
    if taxonomy is None:
        errors["taxonomy"] = [f"No taxonomy {form['taxonomy']!r}."]
    parent = None
    if form["parent"] is not None:
        parent = session.scalar(select(TaxonomyTerm).where(TaxonomyTerm.code == form["parent"]))
        if (
            parent is None
            or parent.id == term.id
            or parent.taxonomy_id != (taxonomy.id if taxonomy else None)
        ):
            errors["parent"] = [f"No other term {form['parent']!r} in the same taxonomy."]
    if errors:
        raise InvalidInput(errors=errors)
    assert taxonomy is not None
    if term.taxonomy_id != taxonomy.id:
        term.taxonomy_id = taxonomy.id
        term.position = _next_position(session, taxonomy.id)
    _set(
        term,
        {
            "code": form["code"],
            "name": form["name"],
            "description": form["description"],
            "synonyms": form["synonyms"],
            "parent_id": parent.id if parent else None,
        },
    )


def _next_position(session: Session, taxonomy_id: str) -> int:
    last = session.scalar(
        select(func.max(TaxonomyTerm.position)).where(TaxonomyTerm.taxonomy_id == taxonomy_id)
    )
    return 0 if last is None else last + 1


# The audit log --------------------------------------------------------------------------------


def changes_between(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """{field: {"before": old, "after": new}} for every field whose value differs."""
    old, new = jsonable(before or {}), jsonable(after or {})
    return {
        name: {"before": old.get(name), "after": new.get(name)}
        for name in dict.fromkeys([*old, *new])
        if old.get(name) != new.get(name)
    }


def record_audit(
    session: Session,
    *,
    key_name: str,
    action: str,
    entity_type: str,
    entity_id: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEvent:
    """Add the audit event for one write (no commit: it lands with the write)."""
    event = AuditEvent(
        key_name=key_name,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        changes=changes_between(before, after),
        at=utcnow(),
    )
    session.add(event)
    return event
