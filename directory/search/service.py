"""search_services: text, filters, place and availability in, one ranked page out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from math import cos, radians
from typing import Any

from sqlalchemy import Select, and_, exists, func, literal_column, not_, or_, select, text
from sqlalchemy.orm import Session

from directory.geo import Gazetteer, Place, UnknownPlace, distance_km, parse_postcode
from directory.geo.geocoder import Geocode
from directory.hours import NATIONS, is_bank_holiday, to_london, week_minute
from directory.models import (
    Channel,
    Coverage,
    Location,
    OpeningInterval,
    PostcodePoint,
    SearchDocument,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
    service_taxonomy_term,
)
from directory.search.availability import service_status
from directory.search.filters import ServiceFilters, apply_filters, with_details
from directory.search.ranking import Candidate, rank
from directory.search.text import (
    ParsedQuery,
    fts5_match,
    normalise,
    parse_query,
    query_terms,
    tsquery,
)
from directory.search.vocabulary import load_vocabulary

DEFAULT_RADIUS_KM = 25.0
MAX_RADIUS_KM = 200.0


@dataclass(frozen=True)
class SearchRequest:
    at: datetime
    q: str | None = None
    near: str | None = None
    radius_km: float | None = None
    page: int = 1
    per_page: int = 20
    filters: dict[str, Any] = field(default_factory=dict)  # ServiceFilters fields but `at`


@dataclass(frozen=True)
class SearchHit:
    service: Service
    score: float
    distance_km: float | None
    matched: dict[str, Any]


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    total: int
    query: ParsedQuery | None
    place: Place | None
    nation: str | None
    facets: dict[str, dict[str, int]]


def search_services(
    session: Session,
    request: SearchRequest,
    gazetteer: Gazetteer,
    geocode: Geocode | None = None,
) -> SearchResult:
    """Find, filter, rank and page services for one search."""
    vocabulary = load_vocabulary(session)
    typed = request.q or ""
    place = None
    if request.near:
        place = resolve_place(session, gazetteer, request.near, geocode)
    elif typed:
        place, typed = place_in_text(session, gazetteer, typed)
    parsed = parse_query(typed, vocabulary.synonyms, vocabulary.words) if typed.strip() else None
    terms = query_terms(parsed, vocabulary.issue_words) if parsed else []
    nation = request.filters.get("nation") or (place.nation if place else None)
    filters = ServiceFilters(at=request.at, **{**request.filters, "nation": nation})

    radius = min(request.radius_km or DEFAULT_RADIUS_KM, MAX_RADIUS_KM)
    distances = nearby_services(session, place, radius) if place else {}
    statement = _candidates_statement(session, filters, terms, parsed, place, distances)
    rows = session.execute(statement).all()

    exact = _exact_open_now(session, rows, filters)
    dropped: set[str] = set()
    candidates = []
    for row in rows:
        open_now = exact.get(row.id, row.is_open if row.hours_known else None)
        if filters.open_now is not None and bool(open_now) is not filters.open_now:
            dropped.add(row.id)
            continue
        candidates.append(
            Candidate(
                service_id=row.id,
                name=row.name,
                relevance=float(row.relevance or 0.0),
                distance_km=distances.get(row.id),
                open_now=open_now,
                last_verified_at=row.last_verified_at,
            )
        )
    ranked = rank(candidates, has_place=place is not None, today=to_london(request.at).date())
    start = (request.page - 1) * request.per_page
    page = ranked[start : start + request.per_page]
    services = _load(session, [c.service_id for c, _ in page])
    documents = _documents(session, [c.service_id for c, _ in page])
    hits = [
        SearchHit(
            service=services[candidate.service_id],
            score=score,
            distance_km=None if candidate.distance_km is None else round(candidate.distance_km, 1),
            matched=_matched(
                services[candidate.service_id],
                documents.get(candidate.service_id),
                parsed,
                filters,
                place,
                candidate.distance_km,
            ),
        )
        for candidate, score in page
    ]
    ids = statement.with_only_columns(Service.id).order_by(None)
    if dropped:
        ids = ids.where(Service.id.not_in(dropped))
    return SearchResult(
        hits=hits,
        total=len(ranked),
        query=parsed,
        place=place,
        nation=nation,
        facets=facets(session, ids.scalar_subquery()) if ranked else _empty_facets(),
    )


def resolve_place(
    session: Session, gazetteer: Gazetteer, query: str, geocode: Geocode | None = None
) -> Place:
    """Resolve a place offline (with imported full postcodes when there are any), falling
    back to the online geocoder only when one is configured."""

    def lookup(postcode: str) -> tuple[float, float, str | None] | None:
        point = session.get(PostcodePoint, postcode)
        return None if point is None else (point.latitude, point.longitude, point.nation)

    try:
        return gazetteer.resolve(query, postcode_lookup=lookup)
    except UnknownPlace:
        point = geocode(query) if geocode is not None else None
        if point is None:
            raise
    latitude, longitude = point
    return Place(
        query=query.strip(),
        name=query.strip(),
        kind="geocoded",
        latitude=latitude,
        longitude=longitude,
        precision="point",
        nation=gazetteer.nation_of(latitude, longitude),
        district=None,
    )


def place_in_text(session: Session, gazetteer: Gazetteer, typed: str) -> tuple[Place | None, str]:
    """Take a postcode or district out of free text ("grief LS6"): the place and the rest."""
    words = normalise(typed).split()
    for size in (2, 1):
        for index in range(len(words) - size + 1):
            candidate = " ".join(words[index : index + size])
            postcode = parse_postcode(candidate)
            if postcode is None or (size == 1 and gazetteer.outcode(postcode.outcode) is None):
                continue
            if size == 2 and postcode.incode is None:
                continue
            place = resolve_place(session, gazetteer, candidate)
            rest = words[:index] + words[index + size :]
            return place, " ".join(rest)
    return None, typed


def nearby_services(session: Session, place: Place, radius_km: float) -> dict[str, float]:
    """Services a person at `place` can reach in person: id -> km to the nearest location.

    A service counts when the place is inside its coverage: within its own radius, or in one
    of its listed areas; and, for radius coverage, within the searcher's radius too.
    """
    reach = max(radius_km, 50.0)  # listed areas can stretch past the searcher's radius
    lat_pad = reach / 111.0
    lon_pad = reach / max(1.0, 111.0 * abs(_cos_deg(place.latitude)))
    rows = session.execute(
        select(
            ServiceAtLocation.service_id,
            Location.latitude,
            Location.longitude,
            Coverage.scope,
            Coverage.radius_km,
            Coverage.areas,
        )
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .join(Coverage, Coverage.service_id == ServiceAtLocation.service_id)
        .where(
            Location.latitude.between(place.latitude - lat_pad, place.latitude + lat_pad),
            Location.longitude.between(place.longitude - lon_pad, place.longitude + lon_pad),
        )
    ).all()
    found: dict[str, float] = {}
    for service_id, lat, lon, scope, own_radius, areas in rows:
        km = distance_km(place.latitude, place.longitude, lat, lon)
        if scope == "radius":
            inside = km <= (own_radius or radius_km) and km <= radius_km
        elif scope in ("areas", "commissioned"):
            inside = in_areas(place, areas or [])
        else:
            inside = km <= radius_km
        if inside:
            found[service_id] = min(km, found.get(service_id, km))
    return found


def in_areas(place: Place, areas: list[str]) -> bool:
    """Whether a place lies in any listed area: a district (LS6), a postcode area (LS), a town."""
    wanted = {a.replace(" ", "").upper() for a in areas}
    district = (place.district or "").upper()
    area = "".join(ch for ch in district if ch.isalpha())
    return bool(wanted & {district, area, place.name.replace(" ", "").upper()})


def _cos_deg(degrees: float) -> float:
    return cos(radians(degrees))


def _candidates_statement(
    session: Session,
    filters: ServiceFilters,
    terms: list[str],
    parsed: ParsedQuery | None,
    place: Place | None,
    distances: dict[str, float],
) -> Select[Any]:
    minute = week_minute(filters.at)
    is_open = exists().where(
        OpeningInterval.service_id == Service.id,
        OpeningInterval.start_minute <= minute,
        OpeningInterval.end_minute > minute,
    )
    holiday = _bank_holiday_near(filters.at)
    needs_exact = or_(
        SearchDocument.has_validity_dates,
        and_(SearchDocument.closes_on_bank_holidays, holiday),
    )
    relevance, match = _text_match(session, terms, parsed)
    statement = (
        select(
            Service.id,
            Service.name,
            Service.last_verified_at,
            relevance.label("relevance"),
            is_open.label("is_open"),
            SearchDocument.hours_known,
            needs_exact.label("needs_exact"),
        )
        .join(SearchDocument, SearchDocument.service_id == Service.id)
        .outerjoin(Coverage, Coverage.service_id == Service.id)
    )
    if match is not None:
        statement = statement.where(match)
    statement = apply_filters(statement, replace(filters, open_now=None))
    if filters.open_now is True:
        statement = statement.where(or_(and_(SearchDocument.hours_known, is_open), needs_exact))
    elif filters.open_now is False:
        statement = statement.where(or_(not_(is_open), needs_exact))
    if place is not None:
        # National services count wherever they cover (nation already filtered); the rest only
        # where the place is inside their coverage.
        near_ids = list(distances) or ["-"]
        unlocated = _unlocated_area_services(session, place)
        statement = statement.where(
            or_(Coverage.scope == "national", Service.id.in_(near_ids + unlocated))
        )
    return statement


def _bank_holiday_near(at: datetime) -> bool:
    day = to_london(at).date()
    # A span started yesterday may still be running: yesterday's holiday matters too.
    return any(is_bank_holiday(d, n) for d in (day, day - timedelta(days=1)) for n in NATIONS)


def _unlocated_area_services(session: Session, place: Place) -> list[str]:
    """Commissioned or area-listed services without a location, whose areas hold the place."""
    rows = session.execute(
        select(Coverage.service_id, Coverage.areas)
        .where(Coverage.scope.in_(("areas", "commissioned")))
        .where(~exists().where(ServiceAtLocation.service_id == Coverage.service_id))
    ).all()
    return [service_id for service_id, areas in rows if in_areas(place, areas or [])]


def _text_match(session: Session, terms: list[str], parsed: ParsedQuery | None) -> tuple[Any, Any]:
    """The relevance column and the match condition for the terms (none: no text query)."""
    if not terms:
        return literal_column("0.0"), None
    prefix = parsed.prefix if parsed else None
    if session.get_bind().dialect.name == "sqlite":
        fts = (
            select(
                literal_column("service_fts.rowid").label("document_id"),
                # bm25 is lower for better matches; name, issues, body weigh 10 : 5 : 1.
                (-func.bm25(literal_column("service_fts"), 10.0, 5.0, 1.0)).label("relevance"),
            )
            .select_from(text("service_fts"))
            .where(text("service_fts MATCH :match").bindparams(match=fts5_match(terms, prefix)))
            .subquery()
        )
        return fts.c.relevance, SearchDocument.id == fts.c.document_id
    document = literal_column("search_document.document")
    query = func.to_tsquery("english", tsquery(terms, prefix))
    return func.ts_rank_cd(document, query), document.op("@@")(query)


def _exact_open_now(
    session: Session, rows: list[Any], filters: ServiceFilters
) -> dict[str, bool | None]:
    """Open-now from the full rules, for the few services the weekly intervals cannot answer."""
    ids = [row.id for row in rows if row.needs_exact]
    if not ids:
        return {}
    services = _load(session, ids)
    answers: dict[str, bool | None] = {}
    for service_id, service in services.items():
        status = service_status(service, filters.at, filters.nation)
        answers[service_id] = None if status is None else status.open_now
    return answers


def _load(session: Session, ids: list[str]) -> dict[str, Service]:
    if not ids:
        return {}
    rows = session.scalars(with_details(select(Service).where(Service.id.in_(ids)))).all()
    return {service.id: service for service in rows}


def _documents(session: Session, ids: list[str]) -> dict[str, SearchDocument]:
    if not ids:
        return {}
    rows = session.scalars(select(SearchDocument).where(SearchDocument.service_id.in_(ids)))
    return {document.service_id: document for document in rows}


def _matched(
    service: Service,
    document: SearchDocument | None,
    parsed: ParsedQuery | None,
    filters: ServiceFilters,
    place: Place | None,
    km: float | None,
) -> dict[str, Any]:
    """Why this service is in the results, in terms a person can check."""
    codes = {term.code for term in service.issues}
    parents = {term.parent.code for term in service.issues if term.parent is not None}
    words: list[str] = []
    if parsed and document is not None:
        found = set(normalise(f"{document.name} {document.issues} {document.body}").split())
        looked_for = [*parsed.words, *(meant for _, meant in parsed.corrections)]
        words = [
            w
            for w in dict.fromkeys(looked_for)
            if w in found
            or (w == parsed.prefix and any(f.startswith(w) for f in found))
            or any(f.startswith(w[:5]) for f in found if len(w) >= 5)  # stems: "attacks"
        ]
    synonyms = [
        {"typed": s.typed, "issue": s.issue}
        for s in (parsed.synonyms if parsed else ())
        if s.issue in codes or s.issue in parents
    ]
    issues = sorted(({filters.issue} if filters.issue else set()) | {s["issue"] for s in synonyms})
    place_reason = None
    if place is not None:
        scope = service.coverage.scope if service.coverage else "national"
        place_reason = (
            {"coverage": "nearby", "distance_km": round(km, 1)}
            if km is not None
            else {"coverage": scope, "nations": service.nations}
        )
    return {
        "terms": words,
        "synonyms": synonyms,
        "issues": issues,
        "place": place_reason,
    }


def facets(session: Session, ids: Any) -> dict[str, dict[str, int]]:
    """Counts of the matching services by issue, kind and channel."""
    kinds = session.execute(
        select(Service.kind, func.count()).where(Service.id.in_(ids)).group_by(Service.kind)
    ).all()
    issues = session.execute(
        select(TaxonomyTerm.code, func.count(func.distinct(service_taxonomy_term.c.service_id)))
        .join(service_taxonomy_term, service_taxonomy_term.c.taxonomy_term_id == TaxonomyTerm.id)
        .where(service_taxonomy_term.c.service_id.in_(ids))
        .group_by(TaxonomyTerm.code)
    ).all()
    channels = session.execute(
        select(Channel.type, func.count(func.distinct(Channel.service_id)))
        .where(Channel.service_id.in_(ids), Channel.verification != "unverified")
        .group_by(Channel.type)
    ).all()
    return {
        "issue": _sorted_counts(issues),
        "kind": _sorted_counts(kinds),
        "channel": _sorted_counts(channels),
    }


def _sorted_counts(rows: Any) -> dict[str, int]:
    return dict(
        sorted(Counter({key: count for key, count in rows}).items(), key=lambda kv: (-kv[1], kv[0]))
    )


def _empty_facets() -> dict[str, dict[str, int]]:
    return {"issue": {}, "kind": {}, "channel": {}}
