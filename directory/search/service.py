"""search_services: text, filters, place and availability in, one ranked page out."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from threading import Lock
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session

from directory.geo import (
    EARTH_RADIUS_KM,
    Gazetteer,
    Place,
    UnknownPlace,
    bounding_box,
    distance_from,
    haversine_term,
    parse_postcode,
    place_keys,
)
from directory.geo.geocoder import Geocode
from directory.hours import to_london
from directory.models import PostcodePoint, SearchDocument, SearchPoint, Service
from directory.search.availability import service_status
from directory.search.filters import (
    ServiceFilters,
    among,
    among_value,
    document_conditions,
    filter_shape,
    filter_values,
    narrower,
    open_now_key,
    open_now_sql,
    padded,
)
from directory.search.fulltext import (
    MAX_CANDIDATES,
    MIN_EVERY_MATCHES,
    matching_any,
    matching_ids,
    text_pool,
)
from directory.search.index import document_text
from directory.search.ranking import Candidate, rank, stale_days
from directory.search.records import ServiceRecord
from directory.search.snapshots import load_services
from directory.search.text import (
    ParsedQuery,
    normalise,
    parse_query,
    query_concepts,
    words_in,
)
from directory.search.vocabulary import load_vocabulary

# A place search without text ranks a larger pool than MAX_CANDIDATES: SQL orders it nearby
# services first (_build_candidates), and ranking by distance chooses among them.
MAX_CANDIDATES_WITH_PLACE = 500
DEFAULT_RADIUS_KM = 25.0
MAX_RADIUS_KM = 200.0
# How far past the reach SQL lets a point through (the box, and _within_reach): Python
# measures it again exactly, so rounding in SQL's arithmetic never drops a point within reach.
REACH_SLACK_KM = 0.001


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
    service: ServiceRecord
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
    concepts = query_concepts(parsed, vocabulary.issue_phrases) if parsed else []
    nation = request.filters.get("nation") or (place.nation if place else None)
    filters = ServiceFilters(at=request.at, **{**request.filters, "nation": nation})

    radius = min(request.radius_km or DEFAULT_RADIUS_KM, MAX_RADIUS_KM)
    # With text, only the nearby services the text can find: a fifth as many for a common
    # concept, far fewer for most.
    distances: dict[int, float] = {}
    if place:
        findable = matching_any(session, concepts, parsed.prefix) if parsed and concepts else None
        distances = nearby_documents(session, place, radius, findable)
    relevance = None
    if parsed and concepts:
        # With a place, every match nearby is ranked, and the best of those found without
        # being nearby (fulltext.WIDE): the best ones in the country would crowd them out.
        nearby = set(distances) if place else None
        relevance = text_pool(
            session,
            concepts,
            parsed.prefix,
            size=MAX_CANDIDATES,
            nearby=nearby,
            nearby_match_any=True,
        )
    statement, params = _candidates_statement(session, filters, relevance, place, distances)
    # Core execution (no ORM result processing): these are plain rows, hundreds of them.
    rows = session.connection().execute(statement, params).all()
    if (
        parsed is not None
        and relevance is not None
        and len(concepts) > 1
        and len(rows) < MIN_EVERY_MATCHES <= len(relevance)
    ):
        # Enough services in the country match every concept, and too few of them here or
        # within the filters: any concept will do, those matching all first. (With fewer in
        # the country, text_pool has already widened the search.)
        relevance = text_pool(
            session,
            concepts,
            parsed.prefix,
            size=MAX_CANDIDATES,
            nearby=nearby,
            any_concept=True,
            every_pool=relevance,
            nearby_match_any=True,
        )
        statement, params = _candidates_statement(session, filters, relevance, place, distances)
        rows = session.connection().execute(statement, params).all()

    revisions = {row.service_id: row.revision for row in rows}  # cached services need no read
    exact = _exact_open_now(session, rows, filters, revisions)
    candidates = []
    kept = []
    for row in rows:
        open_now = exact.get(row.service_id, row.is_open if row.hours_known else None)
        if filters.open_now is not None and bool(open_now) is not filters.open_now:
            continue
        kept.append(row)
        candidates.append(
            Candidate(
                service_id=row.service_id,
                name=row.name,
                relevance=relevance.get(row.id, 0.0) if relevance else 0.0,
                distance_km=distances.get(row.id),
                open_now=open_now,
                last_verified_at=row.last_verified_at,
            )
        )
    # Facets in three passes in C, not three counter updates per row.
    counts = {
        "issue": Counter("".join(row.issue_codes for row in kept).split()),
        "kind": Counter(row.kind for row in kept),
        "channel": Counter("".join(row.channel_types for row in kept).split()),
    }
    ranked = rank(candidates, has_place=place is not None, today=to_london(request.at).date())
    start = (request.page - 1) * request.per_page
    page = ranked[start : start + request.per_page]
    services = load_services(session, [c.service_id for c, _ in page], revisions)
    hits = [
        SearchHit(
            service=services[candidate.service_id],
            score=score,
            distance_km=candidate.distance_km,
            matched=_matched(
                services[candidate.service_id],
                parsed,
                filters,
                place,
                candidate.distance_km,
            ),
        )
        for candidate, score in page
    ]
    return SearchResult(
        hits=hits,
        total=len(ranked),
        query=parsed,
        place=place,
        nation=nation,
        facets={name: _sorted_counts(counter) for name, counter in counts.items()},
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


def nearby_documents(
    session: Session, place: Place, radius_km: float, matching: str | None = None
) -> dict[int, float]:
    """Services a person at `place` can reach in person: search document id -> km to the
    nearest location; only those whose documents match the full-text query `matching`
    (fulltext.matching_any), if given."""
    found = _nearby(session, place, radius_km, matching)
    return {document: km for document, (_, km) in found.items()}


def nearby_services(session: Session, place: Place, radius_km: float) -> dict[str, float]:
    """Like nearby_documents, by service id."""
    return dict(_nearby(session, place, radius_km).values())


def _nearby(
    session: Session, place: Place, radius_km: float, matching: str | None = None
) -> dict[int, tuple[str, float]]:
    """Only locations within the searcher's radius count; of those, a service counts when the
    place is inside its coverage: within its own radius, or in one of its listed areas.

    SQL keeps the points in the box and, for services that list areas, those whose areas
    hold the place (through an index that holds all of it on SQLite); on PostgreSQL, also
    only those within reach (_within_reach); Python measures the distances. (Distances in
    SQL, as arithmetic, made SQLite slower: it evaluates such an expression again wherever
    it appears.)
    """
    dialect = session.get_bind().dialect.name
    statement, params = _nearby_query(dialect, place, radius_km, matching)
    km_from_place = distance_from(place.latitude, place.longitude)
    found: dict[int, tuple[str, float]] = {}
    # All at once: row by row, fetching cost as much as measuring (a few hundred rows).
    rows = session.connection().execute(statement, params).all()
    for document, service, lat, lon, own_radius in rows:
        km = km_from_place(lat, lon)
        if km > radius_km or (own_radius and km > own_radius):
            continue
        if document not in found or km < found[document][1]:
            found[document] = (service, km)
    return found


def _nearby_query(
    dialect: str, place: Place, radius_km: float, matching: str | None = None
) -> tuple[Select[Any], dict[str, Any]]:
    """The nearby query for a place, and its parameters."""
    keys = sorted(place_keys(place))
    # Slack here too: a box rounded down would leave out a point at the very edge.
    box = bounding_box(place.latitude, place.longitude, radius_km + REACH_SLACK_KM)
    min_lat, max_lat, min_lon, max_lon = box
    params: dict[str, Any] = {
        "min_lat": min_lat,
        "max_lat": max_lat,
        "min_lon": min_lon,
        "max_lon": max_lon,
        **_area_values(keys),
    }
    if matching is not None:
        params["any_match"] = matching
    if dialect == "postgresql":
        params.update(_reach_values(place, radius_km))
    return _nearby_statement(dialect, len(keys), matching is not None), params


@lru_cache(maxsize=64)
def _nearby_statement(dialect: str, area_keys: int, matching: bool) -> Select[Any]:
    """The nearby query, built once per shape: the box, the place's area keys (area_0, ...)
    and the full-text query (any_match) are parameters. Building it took a tenth of the
    nearby search."""
    point = SearchPoint
    listed = _in_listed_areas(point.coverage_areas, area_keys)
    statement = select(
        point.document_id,
        point.service_id,
        point.latitude,
        point.longitude,
        # A service's own radius, where its coverage is one (unset: the searcher's).
        case((point.coverage_scope == "radius", point.coverage_radius_km), else_=None),
    ).where(
        point.latitude.between(bindparam("min_lat"), bindparam("max_lat")),
        point.longitude.between(bindparam("min_lon"), bindparam("max_lon")),
        or_(point.coverage_scope.not_in(("areas", "commissioned")), false(), *listed),
    )
    if dialect == "postgresql":
        statement = statement.where(_within_reach(point))
    if matching:
        statement = statement.where(point.document_id.in_(matching_ids(dialect)))
    return statement


def _within_reach(point: type[SearchPoint]) -> ColumnElement[bool]:
    """PostgreSQL: whether a point is within the searcher's radius and its service's own
    (give or take REACH_SLACK_KM), from distance_from's haversine term `a`, so that the full-
    text check (a lookup of the point's document) runs only for those: 57% of the points in
    the box, on average, for the load benchmark's places. Parameters: _reach_values. (On
    SQLite the same arithmetic made the query slower: see _nearby.)"""
    latitude = func.radians(point.latitude)
    a = func.power(func.sin((latitude - bindparam("reach_phi")) / 2), 2) + bindparam(
        "reach_cos_phi"
    ) * func.cos(latitude) * func.power(
        func.sin(func.radians(point.longitude - bindparam("reach_lon")) / 2), 2
    )
    # A radius past half the globe's circumference reaches everywhere (sin would turn back).
    half_angle = func.least(
        (point.coverage_radius_km + REACH_SLACK_KM) / (2 * EARTH_RADIUS_KM), math.pi / 2
    )
    own_reach = func.power(func.sin(half_angle), 2)
    has_own = and_(point.coverage_scope == "radius", point.coverage_radius_km > 0)
    reach = bindparam("reach_a")
    return a <= case((has_own, func.least(reach, own_reach)), else_=reach)


def _reach_values(place: Place, radius_km: float) -> dict[str, float]:
    """The parameters of _within_reach."""
    return {
        "reach_phi": math.radians(place.latitude),
        "reach_cos_phi": math.cos(math.radians(place.latitude)),
        "reach_lon": place.longitude,
        "reach_a": haversine_term(radius_km + REACH_SLACK_KM),
    }


def _area_values(keys: list[str]) -> dict[str, str]:
    """The parameters area_0, ... of _in_listed_areas: a place's area keys, as patterns."""
    return {f"area_{i}": padded(key) for i, key in enumerate(keys)}


def _in_listed_areas(column: ColumnElement[str], count: int) -> list[ColumnElement[bool]]:
    """contains(column, key) for each of a place's `count` area keys, each key a parameter
    (_area_values), so that one query serves every place with as many keys."""
    return [column.like(bindparam(f"area_{i}")) for i in range(count)]


def shown_distance_km(service: Service | ServiceRecord, km: float | None) -> float | None:
    """Distance as a client may see it: to 0.1 km, or whole km when any of the service's
    addresses is hidden or area-only, so that distances from several places cannot be
    combined to find it."""
    if km is None:
        return None
    if all(link.location.address_visibility == "public" for link in service.location_links):
        return round(km, 1)
    return float(round(km))


def _candidates_statement(
    session: Session,
    filters: ServiceFilters,
    relevance: dict[int, float] | None,
    place: Place | None,
    distances: dict[int, float],
) -> tuple[Select[Any], dict[str, Any]]:
    """The candidates' query and its parameters. Building the query took half a millisecond
    of every search, so queries of the same shape (the filters set, the count of the place's
    area keys, the minute of the week and the day) are built once and kept; the filters'
    values, the ids and the area keys are parameters."""
    dialect = session.get_bind().dialect.name
    params = {"near_ids": among_value(list(distances), dialect)}
    if relevance is not None:
        params["text_ids"] = among_value(list(relevance), dialect)
    areas = None
    if place is not None:
        # The place's area keys are parameters too: a query is kept per count of keys, not
        # per place (a kept query per place was thrown away before its next use).
        keys = sorted(place_keys(place))
        params.update(_area_values(keys))
        areas = len(keys)
    with_text = relevance is not None
    shape = (with_text, bool(distances), areas)
    # With text, the issue filter names the issue's narrower terms too (issue_copy_clause).
    issues = tuple(narrower(session, [filters.issue])) if filters.issue and with_text else ()
    params.update(filter_values(filters))
    key = (
        dialect,
        filter_shape(filters),
        filters.open_now,
        issues,
        open_now_key(filters.at),
        to_london(filters.at).date(),
        stale_days(),
        shape,
        MAX_CANDIDATES,
        MAX_CANDIDATES_WITH_PLACE,
    )
    with _statements_lock:
        statement = _statements.get(key)
    if statement is None:
        statement = _build_candidates(session, dialect, filters, *shape)
        with _statements_lock:
            if len(_statements) >= MAX_KEPT_STATEMENTS:
                _statements.clear()
            _statements[key] = statement
    return statement, params


MAX_KEPT_STATEMENTS = 512
_statements: dict[tuple[Any, ...], Select[Any]] = {}
_statements_lock = Lock()


def _build_candidates(
    session: Session,
    dialect: str,
    filters: ServiceFilters,
    with_text: bool,
    nearby: bool,
    place_areas: int | None,
) -> Select[Any]:
    """`place_areas`: with a place, how many area keys it has (parameters area_0, ...)."""
    d = SearchDocument
    sql = open_now_sql(filters.at, dialect)
    is_open, needs_exact = sql.is_open, sql.needs_exact
    statement = select(
        d.id,
        d.service_id,
        d.name,
        d.kind,
        d.last_verified_at,
        is_open.label("is_open"),
        d.hours_known,
        d.issue_codes,
        d.channel_types,
        needs_exact.label("needs_exact"),
        d.revision,
    ).where(
        *document_conditions(
            session,
            replace(filters, open_now=None),
            rows_chosen_elsewhere=with_text,
            issue_open_at=_issue_open_at(dialect, filters),
        )
    )
    statement = sql.joined(statement)
    if filters.open_now is True:
        statement = statement.where(or_(and_(d.hours_known, is_open), needs_exact))
    elif filters.open_now is False:
        statement = statement.where(or_(not_(is_open), needs_exact))
    near_ids = among(d.id, "near_ids", dialect)
    if place_areas is not None:
        # National services count wherever they cover (nation already filtered); local ones
        # where the place is inside their coverage; ones without a location in their areas.
        listed = _in_listed_areas(d.coverage_areas, place_areas)
        statement = statement.where(
            or_(
                d.coverage_scope == "national",
                near_ids,
                and_(d.remote_area_coverage, or_(*listed)),
            )
        )
    if with_text:
        return statement.where(among(d.id, "text_ids", dialect))
    # No text: keep the pool bounded, in the order ranking would put them (rank()): nearby
    # first, then open, hours unknown, closed; then by freshness, then by name. So the
    # pool's size does not change the order.
    order = [near_ids.desc()] if nearby else []
    if filters.open_now is None:
        known_open = and_(d.hours_known, is_open)
        order.append(case((known_open, 2), (not_(d.hours_known), 1), else_=0).desc())
    # Freshness (ranking.freshness): 1 while fresh; then falling with the date; 0 from twice
    # the stale period on, where only the name orders them.
    today, days = to_london(filters.at).date(), stale_days()
    fresh = d.last_verified_at >= today - timedelta(days=days)
    falling = d.last_verified_at > today - timedelta(days=2 * days)
    order += [
        case((fresh, 2), (falling, 1), else_=0).desc(),
        case((fresh, None), (falling, d.last_verified_at), else_=None).desc().nulls_last(),
    ]
    size = MAX_CANDIDATES_WITH_PLACE if place_areas is not None else MAX_CANDIDATES
    return statement.order_by(*order, d.name, d.service_id).limit(size)


def _issue_open_at(dialect: str, filters: ServiceFilters) -> int | None:
    """The minute of the week at which an issue filter may rule out closed services on its
    own index (filters.issue_open_now): on PostgreSQL, when only open services are wanted."""
    if dialect != "postgresql" or filters.open_now is not True:
        return None
    return open_now_key(filters.at)[0]


def _exact_open_now(
    session: Session, rows: list[Any], filters: ServiceFilters, revisions: dict[str, str]
) -> dict[str, bool | None]:
    """Open-now from the full rules, for the few services the weekly intervals cannot answer."""
    ids = [row.service_id for row in rows if row.needs_exact]
    if not ids:
        return {}
    services = load_services(session, ids, revisions)
    answers: dict[str, bool | None] = {}
    for service_id, service in services.items():
        status = service_status(service, filters.at, filters.nation)
        answers[service_id] = None if status is None else status.open_now
    return answers


def _matched(
    service: ServiceRecord,
    parsed: ParsedQuery | None,
    filters: ServiceFilters,
    place: Place | None,
    km: float | None,
) -> dict[str, Any]:
    """Why this service is in the results, in terms a person can check."""
    codes = {term.code for term in service.issues}
    parents = {term.parent.code for term in service.issues if term.parent is not None}
    words: list[str] = []
    if parsed:
        found = _found_by(service)
        looked_for = [*parsed.words, *(meant for _, meant in parsed.corrections)]
        words = [
            w
            for w in dict.fromkeys(looked_for)
            if f" {w} " in found
            or (len(w) >= 5 and f" {w[:5]}" in found)  # stems: "attacks"
            or (w == parsed.prefix and f" {w}" in found)
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
            {"coverage": "nearby", "distance_km": shown_distance_km(service, km)}
            if km is not None
            else {"coverage": scope, "nations": service.nations}
        )
    return {
        "terms": words,
        "synonyms": synonyms,
        "issues": issues,
        "place": place_reason,
    }


def _found_by(service: ServiceRecord) -> str:
    """The words a service is found by, normalised, each with a space before and after.
    Kept while the record lives (records never change, snapshots.py; they hash by
    identity)."""
    found = _found_by_record.get(service)
    if found is None:
        found = f" {' '.join(words_in(' '.join(document_text(service))))} "
        _found_by_record[service] = found
    return found


_found_by_record: WeakKeyDictionary[ServiceRecord, str] = WeakKeyDictionary()


def _sorted_counts(counter: Counter[str]) -> dict[str, int]:
    """Most frequent first, then by name: the same order on every call."""
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
