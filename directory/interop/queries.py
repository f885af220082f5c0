"""Which services and service_at_locations the /hsds feed lists for a set of ORUK filters.

Filters combine with AND. Most are SQL; `day`/`start_time`/`end_time` are checked against the
schedule rows the feed itself publishes, and `postcode`/`proximity` against the positions it
publishes (so a hidden address can never be found by narrowing a radius around it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from directory.geo import Place, distance_km
from directory.interop.mapping import HSDS_DAYS, service_schedules, visible_address
from directory.models import (
    KINDS_TAXONOMY,
    Eligibility,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    service_taxonomy_term,
)
from directory.search.filters import ServiceFilters, filtered_statement, issue_clause, with_details


@dataclass(frozen=True)
class FeedFilters:
    search: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    modified_after: datetime | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    day: int | None = None  # 0 = Monday
    start_time: time | None = None
    end_time: time | None = None
    place: Place | None = None  # the resolved `postcode`
    proximity_m: float | None = None
    include_demo: bool = False

    @property
    def needs_rows(self) -> bool:
        """Whether some filter is decided on the published rows rather than in SQL."""
        return (
            self.day is not None
            or self.start_time is not None
            or self.end_time is not None
            or self.place is not None
        )


def service_statement(session: Session, filters: FeedFilters) -> Select[tuple[Service]]:
    """The SQL part of the filters, over active services, in a stable order."""
    # `at` only matters to open_now, which the feed does not offer.
    base = ServiceFilters(at=datetime.now(UTC), include_demo=filters.include_demo)
    statement = filtered_statement(session, base)  # active ones, by name then id
    for word in (filters.search or "").split():
        statement = statement.where(
            or_(
                Service.name.icontains(word, autoescape=True),
                Service.description.icontains(word, autoescape=True),
                Service.organization_id.in_(
                    select(Organization.id).where(
                        Organization.name.icontains(word, autoescape=True)
                    )
                ),
            )
        )
    if filters.taxonomy_term_id:
        statement = statement.where(_term_clause(session, filters.taxonomy_term_id))
    if filters.taxonomy_id:
        statement = statement.where(_taxonomy_clause(session, filters.taxonomy_id))
    if filters.organization_id:
        statement = statement.where(Service.organization_id == filters.organization_id)
    if filters.modified_after is not None:
        # Stored in UTC (SQLite drops the offset), so compare in UTC.
        moment = filters.modified_after.astimezone(UTC)
        if session.get_bind().dialect.name == "sqlite":
            moment = moment.replace(tzinfo=None)
        statement = statement.where(Service.updated_at >= moment)
    # ORUK: minimum_age "of at least", maximum_age "equal to or below" the value given.
    if filters.minimum_age is not None:
        statement = statement.where(
            exists().where(
                Eligibility.service_id == Service.id, Eligibility.min_age >= filters.minimum_age
            )
        )
    if filters.maximum_age is not None:
        statement = statement.where(
            exists().where(
                Eligibility.service_id == Service.id, Eligibility.max_age <= filters.maximum_age
            )
        )
    return statement


def _term_clause(session: Session, term_id: str) -> Any:
    term = session.get(TaxonomyTerm, term_id)
    if term is None:
        return Service.id.is_(None)  # an unknown term matches nothing
    if term.taxonomy.slug == KINDS_TAXONOMY:
        return Service.kind == term.code
    return issue_clause([term.code])  # a broader term finds its narrower ones too


def _taxonomy_clause(session: Session, taxonomy_id: str) -> Any:
    taxonomy = session.get(Taxonomy, taxonomy_id)
    if taxonomy is None:
        return Service.id.is_(None)
    if taxonomy.slug == KINDS_TAXONOMY:
        return Service.kind.in_(
            select(TaxonomyTerm.code).where(TaxonomyTerm.taxonomy_id == taxonomy.id)
        )
    links = service_taxonomy_term.c
    return exists().where(
        links.service_id == Service.id,
        links.taxonomy_term_id.in_(
            select(TaxonomyTerm.id).where(TaxonomyTerm.taxonomy_id == taxonomy.id)
        ),
    )


def find_services(
    session: Session, filters: FeedFilters, page: int, per_page: int | None
) -> tuple[list[Service], int]:
    """One page of matching services (every one when per_page is None) and the total."""
    statement = service_statement(session, filters)
    if not filters.needs_rows:
        total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
        if per_page is not None:
            statement = statement.limit(per_page).offset((page - 1) * per_page)
        return list(session.scalars(with_details(statement))), total
    matching = [
        service
        for service in session.scalars(with_details(statement))
        if _hours_match(service, filters)
        and (filters.place is None or _service_near(service, filters))
    ]
    return _page(matching, page, per_page), len(matching)


def find_service_at_locations(
    session: Session, filters: FeedFilters, page: int, per_page: int | None
) -> tuple[list[ServiceAtLocation], int]:
    """One page of matching service_at_locations (every one when per_page is None)."""
    statement = service_statement(session, filters).where(
        exists().where(ServiceAtLocation.service_id == Service.id)
    )
    matching = [
        link
        for service in session.scalars(with_details(statement))
        if _hours_match(service, filters)
        for link in sorted(service.location_links, key=lambda link: link.id)
        if filters.place is None or _link_near(link, service, filters)
    ]
    return _page(matching, page, per_page), len(matching)


def _page(items: list[Any], page: int, per_page: int | None) -> list[Any]:
    if per_page is None:
        return items
    return items[(page - 1) * per_page : page * per_page]


def _hours_match(service: Service, filters: FeedFilters) -> bool:
    """ORUK: some published schedule row is on `day`, opens at or after `start_time` and
    closes at or before `end_time`."""
    if filters.day is None and filters.start_time is None and filters.end_time is None:
        return True
    day = HSDS_DAYS[filters.day] if filters.day is not None else None
    start = filters.start_time.strftime("%H:%M:%S") if filters.start_time else None
    end = filters.end_time.strftime("%H:%M:%S") if filters.end_time else None
    return any(
        (day is None or day in row["byday"].split(","))
        and (start is None or row["opens_at"] >= start)
        and (end is None or row["closes_at"] <= end)
        for row in service_schedules(service)
    )


def _published_point(location: Location) -> tuple[float, float] | None:
    shown = visible_address(location)
    if shown["latitude"] is None or shown["longitude"] is None:
        return None
    return shown["latitude"], shown["longitude"]


def _within(points: Iterable[tuple[float, float] | None], place: Place, km: float) -> bool:
    return any(
        point is not None and distance_km(place.latitude, place.longitude, *point) <= km
        for point in points
    )


def _service_near(service: Service, filters: FeedFilters) -> bool:
    assert filters.place is not None
    if filters.proximity_m is not None:
        points = (_published_point(link.location) for link in service.location_links)
        return _within(points, filters.place, filters.proximity_m / 1000)
    return _covers(service, filters.place)


def _link_near(link: ServiceAtLocation, service: Service, filters: FeedFilters) -> bool:
    assert filters.place is not None
    if filters.proximity_m is not None:
        point = _published_point(link.location)
        return _within([point], filters.place, filters.proximity_m / 1000)
    return _covers(service, filters.place)


def _covers(service: Service, place: Place) -> bool:
    """ORUK `postcode` without `proximity`: the service's area includes the postcode."""
    if place.nation is not None and service.nations and place.nation not in service.nations:
        return False
    coverage = service.coverage
    if coverage is None or coverage.scope == "national":
        return True
    if coverage.scope == "radius":
        points = (_published_point(link.location) for link in service.location_links)
        return _within(points, place, coverage.radius_km or 0)
    # Listed areas are postcode districts (LS6) or areas (LS); other names cannot be checked.
    district = (place.district or "").upper()
    area = re.match(r"[A-Z]*", district)
    listed = {name.upper() for name in coverage.areas}
    return bool(district) and (district in listed or (area is not None and area[0] in listed))


def kind_terms(session: Session) -> dict[str, TaxonomyTerm]:
    """The service-kind terms by code: each service is linked to its kind's term."""
    statement = select(TaxonomyTerm).join(Taxonomy).where(Taxonomy.slug == KINDS_TAXONOMY)
    return {term.code: term for term in session.scalars(statement)}
