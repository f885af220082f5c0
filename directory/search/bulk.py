"""Every service, read for a full index rebuild with one plain query per table.

Loading 50,000 services through the ORM builds about 800,000 objects and took most of a
rebuild; these light records carry just the attributes that index.document_for,
effective_hours and points_for read, with the same names, so both paths share that code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, select
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
from directory.models.service import HOURS_FIELDS, hours_dict


@dataclass(frozen=True)
class ScheduleRecord:
    verification: str
    hours: dict[str, Any]

    @property
    def published(self) -> bool:
        return self.verification != "unverified"

    def as_hours_dict(self) -> dict[str, Any]:
        return self.hours


@dataclass(frozen=True)
class ChannelRecord:
    type: str
    verification: str
    schedule: ScheduleRecord | None

    @property
    def published(self) -> bool:
        return self.verification != "unverified"


@dataclass(frozen=True)
class NamedRecord:
    name: str


@dataclass(frozen=True)
class TermRecord:
    code: str
    name: str
    synonyms: list[str]
    position: int
    parent: NamedRecord | None


@dataclass(frozen=True)
class LocationRecord:
    town: str | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class LinkRecord:
    location: LocationRecord


@dataclass(frozen=True)
class AgesRecord:
    min_age: int | None
    max_age: int | None


@dataclass(frozen=True)
class CoverageRecord:
    scope: str
    radius_km: float | None
    areas: list[str]


@dataclass
class ServiceRecord:
    id: str
    name: str
    description: str
    kind: str
    status: str
    demo: bool
    cost: str
    self_referral: bool
    languages: list[str]
    last_verified_at: date | None
    organization: NamedRecord
    schedule: ScheduleRecord | None = None
    eligibility: AgesRecord | None = None
    coverage: CoverageRecord | None = None
    channels: list[ChannelRecord] = field(default_factory=list)
    issues: list[TermRecord] = field(default_factory=list)
    location_links: list[LinkRecord] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)

    @property
    def nations(self) -> list[str]:
        return [nation for nation in NATIONS if nation in self.covered]


def all_services(session: Session, chunk: int) -> Iterator[list[ServiceRecord]]:
    """Every service as a light record, `chunk` services at a time."""
    ids = list(session.scalars(select(Service.id).order_by(Service.id)))
    for start in range(0, len(ids), chunk):
        yield _records(session, ids[start], ids[min(start + chunk, len(ids)) - 1])


def _records(session: Session, first: str, last: str) -> list[ServiceRecord]:
    """The services with ids from `first` to `last`, with everything the index reads."""

    def within(column: Any) -> Any:
        return column.between(first, last)

    # Core rows straight from the connection: the ORM's result processing doubled the time.
    connection = session.connection()

    services = {
        row.id: ServiceRecord(
            id=row.id,
            name=row.name,
            description=row.description,
            kind=row.kind,
            status=row.status,
            demo=row.demo,
            cost=row.cost,
            self_referral=row.self_referral,
            languages=row.languages or [],
            last_verified_at=row.last_verified_at,
            organization=NamedRecord(row.organization_name),
        )
        for row in connection.execute(
            select(
                Service.id,
                Service.name,
                Service.description,
                Service.kind,
                Service.status,
                Service.demo,
                Service.cost,
                Service.self_referral,
                Service.languages,
                Service.last_verified_at,
                Organization.name.label("organization_name"),
            )
            .join(Organization, Organization.id == Service.organization_id)
            .where(within(Service.id))
        )
    }
    channel_schedules: dict[str, ScheduleRecord] = {}
    columns = [getattr(Schedule, name) for name in ("verification", *HOURS_FIELDS)]
    for row in connection.execute(
        select(Schedule.service_id, *columns).where(within(Schedule.service_id))
    ):
        services[row.service_id].schedule = ScheduleRecord(row.verification, hours_dict(row))
    for row in connection.execute(
        select(Schedule.channel_id, *columns)
        .join(Channel, Channel.id == Schedule.channel_id)
        .where(within(Channel.service_id))
    ):
        channel_schedules[row.channel_id] = ScheduleRecord(row.verification, hours_dict(row))
    for row in connection.execute(
        select(Channel.id, Channel.service_id, Channel.type, Channel.verification)
        .where(within(Channel.service_id))
        .order_by(Channel.service_id, Channel.position)
    ):
        services[row.service_id].channels.append(
            ChannelRecord(row.type, row.verification, channel_schedules.get(row.id))
        )
    for row in connection.execute(
        select(Eligibility.service_id, Eligibility.min_age, Eligibility.max_age).where(
            within(Eligibility.service_id)
        )
    ):
        services[row.service_id].eligibility = AgesRecord(row.min_age, row.max_age)
    for row in connection.execute(
        select(Coverage.service_id, Coverage.scope, Coverage.radius_km, Coverage.areas).where(
            within(Coverage.service_id)
        )
    ):
        services[row.service_id].coverage = CoverageRecord(
            row.scope, row.radius_km, row.areas or []
        )
    for service_id, nation in connection.execute(
        select(CoverageNation.service_id, CoverageNation.nation).where(
            within(CoverageNation.service_id)
        )
    ):
        services[service_id].covered.add(nation)
    for service_id, term in _terms(connection, within):
        services[service_id].issues.append(term)
    for row in connection.execute(
        select(ServiceAtLocation.service_id, Location.town, Location.latitude, Location.longitude)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(within(ServiceAtLocation.service_id))
    ):
        location = LocationRecord(row.town, row.latitude, row.longitude)
        services[row.service_id].location_links.append(LinkRecord(location))
    return list(services.values())


def _terms(connection: Connection, within: Any) -> Iterator[tuple[str, TermRecord]]:
    terms = {
        row.id: row
        for row in connection.execute(
            select(
                TaxonomyTerm.id,
                TaxonomyTerm.code,
                TaxonomyTerm.name,
                TaxonomyTerm.synonyms,
                TaxonomyTerm.position,
                TaxonomyTerm.parent_id,
            )
        )
    }
    records = {
        term_id: TermRecord(
            code=row.code,
            name=row.name,
            synonyms=row.synonyms or [],
            position=row.position,
            parent=NamedRecord(terms[row.parent_id].name) if row.parent_id in terms else None,
        )
        for term_id, row in terms.items()
    }
    links = service_taxonomy_term.c
    for service_id, term_id in connection.execute(
        select(links.service_id, links.taxonomy_term_id).where(within(links.service_id))
    ):
        yield service_id, records[term_id]
