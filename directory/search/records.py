"""Services as plain read-only records, read with one Core query per table.

Loading a service through the ORM builds about 15 objects, each with its bookkeeping, and was
the largest cost of an index rebuild and of a page of search results. These records carry the
same attribute names as the models (and their few properties: `published`, `nations`,
`as_hours_dict()`), so the index, the presenters and triage read either without knowing which.
They are never written back: anything that changes a service loads it through the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Connection, select
from sqlalchemy.orm import Session

from directory.models import (
    NATIONS,
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
    service_taxonomy_term,
)
from directory.models.service import hours_dict


@dataclass(frozen=True)
class ScheduleRecord:
    open_24_7: bool
    bank_holidays: str
    rules: list[dict[str, Any]]
    valid_from: date | None
    valid_to: date | None
    notes: str | None
    verification: str

    @property
    def published(self) -> bool:
        return self.verification != "unverified"

    def as_hours_dict(self) -> dict[str, Any]:
        return hours_dict(self)


@dataclass(frozen=True)
class ChannelRecord:
    id: str
    position: int
    type: str
    value: str
    instructions: str | None
    free_to_contact: bool | None
    textphone: bool
    bsl: bool
    nations: list[str]
    verification: str
    note: str | None
    schedule: ScheduleRecord | None = None

    @property
    def published(self) -> bool:
        return self.verification != "unverified"


@dataclass(frozen=True)
class ParentRecord:
    code: str
    name: str


@dataclass(frozen=True)
class TermRecord:
    code: str
    name: str
    synonyms: list[str]
    position: int
    parent: ParentRecord | None = None


@dataclass(frozen=True)
class OrganizationRecord:
    id: str
    name: str
    website: str | None


@dataclass(frozen=True)
class LocationRecord:
    id: str
    name: str | None
    address: str | None
    town: str | None
    postcode: str | None
    latitude: float | None
    longitude: float | None
    address_visibility: str


@dataclass(frozen=True)
class LinkRecord:
    location: LocationRecord


@dataclass(frozen=True)
class EligibilityRecord:
    min_age: int | None
    max_age: int | None
    genders: list[str]
    groups: list[str]
    requires_gp_registration: bool
    notes: str | None


@dataclass(frozen=True)
class CoverageRecord:
    scope: str
    radius_km: float | None
    areas: list[str]
    notes: str | None


@dataclass(eq=False)
class ServiceRecord:
    id: str
    slug: str
    name: str
    description: str
    url: str | None
    kind: str
    status: str
    is_crisis_service: bool
    referral: list[str]
    self_referral: bool
    cost: str
    cost_text: str | None
    wait_time: str | None
    languages: list[str]
    accessibility: list[str]
    source_url: str | None
    last_verified_at: date | None
    verified_by: str | None
    verification: str
    verification_note: str | None
    internal_notes: str | None
    demo: bool
    version: int  # the ETag's
    organization: OrganizationRecord
    schedule: ScheduleRecord | None = None
    eligibility: EligibilityRecord | None = None
    coverage: CoverageRecord | None = None
    channels: list[ChannelRecord] = field(default_factory=list)
    issues: list[TermRecord] = field(default_factory=list)
    location_links: list[LinkRecord] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)

    @property
    def nations(self) -> list[str]:
        return [nation for nation in NATIONS if nation in self.covered]


# --- as JSON, the service's search card ----------------------------------------------------


def record_json(service: ServiceRecord) -> str:
    """The record as the JSON its search card keeps (see record_from_json)."""
    # orjson writes dataclasses and dates itself, with no Python call per object.
    return orjson.dumps(service, default=_sorted_set).decode()


def _sorted_set(value: Any) -> Any:
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def record_from_json(stored: str | bytes) -> ServiceRecord:
    """The record that record_json wrote."""
    data = orjson.loads(stored)
    organization = OrganizationRecord(**data.pop("organization"))
    schedule = _schedule(data.pop("schedule"))
    eligibility, coverage = data.pop("eligibility"), data.pop("coverage")
    channels = [
        ChannelRecord(**{**channel, "schedule": _schedule(channel["schedule"])})
        for channel in data.pop("channels")
    ]
    issues = [
        TermRecord(**{**term, "parent": term["parent"] and ParentRecord(**term["parent"])})
        for term in data.pop("issues")
    ]
    links = [LinkRecord(LocationRecord(**link["location"])) for link in data.pop("location_links")]
    verified, covered = data.pop("last_verified_at"), data.pop("covered")
    return ServiceRecord(
        **data,
        last_verified_at=verified and date.fromisoformat(verified),
        organization=organization,
        schedule=schedule,
        eligibility=eligibility and EligibilityRecord(**eligibility),
        coverage=coverage and CoverageRecord(**coverage),
        channels=channels,
        issues=issues,
        location_links=links,
        covered=set(covered),
    )


def _schedule(data: dict[str, Any] | None) -> ScheduleRecord | None:
    if data is None:
        return None
    days = {key: data[key] and date.fromisoformat(data[key]) for key in ("valid_from", "valid_to")}
    return ScheduleRecord(**{**data, **days})


# --- from the database -------------------------------------------------------------------------


def services_between(session: Session, first: str, last: str) -> list[ServiceRecord]:
    """The services with ids from `first` to `last` (a chunk of a full rebuild)."""
    return _records(session.connection(), lambda column: column.between(first, last))


def services_by_id(connection: Connection, ids: Sequence[str]) -> dict[str, ServiceRecord]:
    """These services (those that exist): id -> record."""
    if not ids:
        return {}
    found = _records(connection, lambda column: column.in_(list(ids)))
    return {record.id: record for record in found}


def all_services(session: Session, chunk: int) -> Iterator[list[ServiceRecord]]:
    """Every service as a record, `chunk` services at a time."""
    ids = list(session.scalars(select(Service.id).order_by(Service.id)))
    for start in range(0, len(ids), chunk):
        yield services_between(session, ids[start], ids[min(start + chunk, len(ids)) - 1])


def _columns(table: Any, record: type) -> list[Any]:
    """The table's columns for the record's fields, in the fields' order (those that are
    not columns, the related records, come last in every record)."""
    columns = table.__table__.columns
    return [columns[f.name] for f in fields(record) if f.name in columns]


def _records(
    connection: Connection, within: Callable[[Any], ColumnElement[bool]]
) -> list[ServiceRecord]:
    """The services whose id satisfies `within`, with everything a response or the index
    reads: one query per table, Core rows (the ORM's row processing doubled the time). Each
    query lists a record's columns first, so `Record(*row[1:])` builds it."""
    services: dict[str, ServiceRecord] = {}
    organization = [Organization.id, Organization.name, Organization.website]
    service_columns = _columns(Service, ServiceRecord)
    for row in connection.execute(
        select(*service_columns, *organization)
        .join(Organization, Organization.id == Service.organization_id)
        .where(within(Service.id))
    ).all():
        split = len(service_columns)
        services[row[0]] = ServiceRecord(
            *row[:split], organization=OrganizationRecord(*row[split:])
        )
    schedule_columns = _columns(Schedule, ScheduleRecord)
    for row in connection.execute(
        select(Schedule.service_id, *schedule_columns).where(within(Schedule.service_id))
    ).all():
        services[row[0]].schedule = ScheduleRecord(*row[1:])
    channel_schedules = {
        row[0]: ScheduleRecord(*row[1:])
        for row in connection.execute(
            select(Schedule.channel_id, *schedule_columns)
            .join(Channel, Channel.id == Schedule.channel_id)
            .where(within(Channel.service_id))
        ).all()
    }
    for row in connection.execute(
        select(Channel.service_id, *_columns(Channel, ChannelRecord))
        .where(within(Channel.service_id))
        .order_by(Channel.service_id, Channel.position, Channel.id)
    ).all():
        channel = ChannelRecord(*row[1:], schedule=channel_schedules.get(row.id))
        services[row[0]].channels.append(channel)
    for row in connection.execute(
        select(Eligibility.service_id, *_columns(Eligibility, EligibilityRecord)).where(
            within(Eligibility.service_id)
        )
    ).all():
        services[row[0]].eligibility = EligibilityRecord(*row[1:])
    for row in connection.execute(
        select(Coverage.service_id, *_columns(Coverage, CoverageRecord)).where(
            within(Coverage.service_id)
        )
    ).all():
        services[row[0]].coverage = CoverageRecord(*row[1:])
    for service_id, nation in connection.execute(
        select(CoverageNation.service_id, CoverageNation.nation).where(
            within(CoverageNation.service_id)
        )
    ).all():
        services[service_id].covered.add(nation)
    for service_id, term in _terms(connection, within):
        services[service_id].issues.append(term)
    for row in connection.execute(
        select(ServiceAtLocation.service_id, *_columns(Location, LocationRecord))
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(within(ServiceAtLocation.service_id))
        .order_by(ServiceAtLocation.service_id, ServiceAtLocation.id)
    ).all():
        services[row[0]].location_links.append(LinkRecord(LocationRecord(*row[1:])))
    return list(services.values())


def _terms(
    connection: Connection, within: Callable[[Any], ColumnElement[bool]]
) -> Iterator[tuple[str, TermRecord]]:
    """Each service's issue terms, in the taxonomy's order (as Service.issues)."""
    # The taxonomy is small: read once, shared by every service that has a term.
    rows = connection.execute(
        select(
            TaxonomyTerm.id,
            TaxonomyTerm.code,
            TaxonomyTerm.name,
            TaxonomyTerm.synonyms,
            TaxonomyTerm.position,
            TaxonomyTerm.parent_id,
        )
    ).all()
    parents = {row.id: ParentRecord(row.code, row.name) for row in rows}
    terms = {
        row.id: TermRecord(
            row.code, row.name, row.synonyms, row.position, parents.get(row.parent_id)
        )
        for row in rows
    }
    links = service_taxonomy_term.c
    found = [
        (service_id, terms[term_id])
        for service_id, term_id in connection.execute(
            select(links.service_id, links.taxonomy_term_id).where(within(links.service_id))
        ).all()
    ]
    found.sort(key=lambda pair: (pair[0], pair[1].position, pair[1].code))
    yield from found
