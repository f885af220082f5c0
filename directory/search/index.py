"""Keep each service's search document and opening intervals in step with every write.

Writes record which services they touched (after each flush); just before the transaction
commits, those services' derived rows are rebuilt inside the same transaction. So search sees
a change exactly when it commits, and there is no rebuild step to remember.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any
from uuid import uuid4

from sqlalchemy import Engine, delete, event, func, insert, select, text
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.orm import Session

from directory.geo import area_keys
from directory.hours import WeeklyHours, weekly_intervals
from directory.models import (
    Base,
    Channel,
    Coverage,
    CoverageNation,
    Eligibility,
    Location,
    OpeningInterval,
    Organization,
    Schedule,
    SearchCard,
    SearchDocument,
    SearchIssue,
    SearchPoint,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
    service_taxonomy_term,
)
from directory.search.availability import INFORMATION_ONLY, channel_hours, schedule_hours
from directory.search.records import ServiceRecord, all_services, record_json, services_by_id
from directory.search.text import fold_accents

_PENDING = "signpost.reindex"
CHUNK = 500
BULK_CHUNK = 5000  # a full rebuild: bigger chunks, fewer queries
# What index_services rebuilds from each service.
DERIVED = (SearchDocument, SearchCard, OpeningInterval, SearchPoint, SearchIssue)


def document_text(service: ServiceRecord) -> tuple[str, str, str]:
    """The text a service is found by: its name, its issues with their synonyms, and the
    rest (description, organisation, kind, towns)."""
    issue_words: list[str] = []
    for term in service.issues:
        issue_words += [term.name, term.code.replace("-", " "), *term.synonyms]
        if term.parent is not None:
            issue_words.append(term.parent.name)
    towns = sorted(link.location.town or "" for link in service.location_links)
    body = [service.description, service.organization.name, service.kind.replace("_", " "), *towns]
    # Accents folded here, not by the index: PostgreSQL's english config keeps them.
    return (
        fold_accents(service.name),
        fold_accents(" ".join(issue_words)),
        fold_accents(" ".join(part for part in body if part)),
    )


def document_for(service: ServiceRecord, hours: list[WeeklyHours]) -> dict[str, Any]:
    """The search document: the text a service is found by, copies of what the filters and
    ranking read, and what search needs to know about its hours."""
    issues = service.issues
    name, issue_text, body = document_text(service)
    rules, coverage = service.eligibility, service.coverage
    return {
        "service_id": service.id,
        "name": name,
        "issues": issue_text,
        "body": body,
        "hours_known": bool(hours),
        "issue_codes": padded(term.code for term in issues),
        "channel_types": padded(sorted({c.type for c in service.channels if c.published})),
        "remote_area_coverage": service.coverage is not None
        and service.coverage.scope in ("areas", "commissioned")
        and not service.location_links,
        "closes_on_bank_holidays": any(h.closed_on_bank_holidays for h in hours),
        "has_validity_dates": any(h.valid_from or h.valid_to for h in hours),
        "active": service.status == "active",
        "demo": service.demo,
        "kind": service.kind,
        "cost": service.cost,
        "self_referral": service.self_referral,
        "min_age": rules.min_age if rules is not None else None,
        "max_age": rules.max_age if rules is not None else None,
        "nations": padded(service.nations),
        "languages": padded(service.languages or []),
        # No coverage recorded: reachable wherever its nations are, like a national service.
        "coverage_scope": coverage.scope if coverage is not None else "national",
        "coverage_radius_km": coverage.radius_km if coverage is not None else None,
        "coverage_areas": padded(area_keys(coverage.areas or []) if coverage is not None else []),
        "last_verified_at": service.last_verified_at,
        "revision": uuid4().hex,
    }


def padded(codes: Iterable[str]) -> str:
    """A list as the copies store it: " ENG WLS ", so LIKE '% ENG %' matches whole codes."""
    return f" {' '.join(codes)} "


def points_for(
    document: dict[str, Any], document_id: int, service: ServiceRecord
) -> list[dict[str, Any]]:
    """The service's locations with a position, for nearby search, with its coverage."""
    return [
        {
            "service_id": service.id,
            "document_id": document_id,
            "latitude": link.location.latitude,
            "longitude": link.location.longitude,
            "coverage_scope": document["coverage_scope"],
            "coverage_radius_km": document["coverage_radius_km"],
            "coverage_areas": document["coverage_areas"],
        }
        for link in service.location_links
        if link.location.latitude is not None and link.location.longitude is not None
    ]


def issue_codes_under(service: ServiceRecord) -> list[str]:
    """The issues a service is found under: its terms and their broader terms."""
    codes = {term.code for term in service.issues}
    codes |= {term.parent.code for term in service.issues if term.parent is not None}
    return sorted(codes)


def effective_hours(service: ServiceRecord) -> list[WeeklyHours]:
    """The published hours that decide whether the service is open."""
    # Mirrors availability.service_status: any published contact channel's hours, else the
    # service's.
    hours = [
        h
        for channel in service.channels
        if channel.published
        and channel.type not in INFORMATION_ONLY
        and (h := channel_hours(channel, service)) is not None
    ]
    if not hours and (own := schedule_hours(service.schedule)) is not None:
        hours = [own]
    return hours


def intervals_for(service: ServiceRecord, hours: list[WeeklyHours]) -> list[dict[str, Any]]:
    """Opening intervals (minutes of the London week) in which some channel is open, merged
    where they overlap or touch: at most one holds any minute, so open-now is a plain join."""
    merged: list[list[int]] = []
    for start, end in sorted({span for h in hours for span in weekly_intervals(h)}):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [
        {"service_id": service.id, "start_minute": start, "end_minute": end}
        for start, end in merged
    ]


def open_week(intervals: list[dict[str, Any]]) -> list[Range[int]]:
    """A search document's open_week (PostgreSQL's multirange) from intervals_for's rows."""
    return [Range(row["start_minute"], row["end_minute"]) for row in intervals]


def open_week_incomplete(document: dict[str, Any]) -> bool:
    """Whether open-now may need the exact rules, whatever open_week says (search_issue's
    copy): hours with validity dates, or closed on bank holidays (filters.open_now_sql's
    needs_exact, on any day)."""
    return bool(document["has_validity_dates"] or document["closes_on_bank_holidays"])


def index_services(session: Session, service_ids: Iterable[str]) -> int:
    """Rebuild the derived rows of these services; return how many services were indexed."""
    ids = list(service_ids)
    indexed = 0
    for chunk in _chunks(ids, CHUNK):
        for table in DERIVED:
            session.execute(delete(table).where(table.service_id.in_(chunk)))
        # Read back through Core (the session has flushed): what every write has changed.
        services = services_by_id(session.connection(), chunk)
        indexed += _write_rows(session, list(services.values()))
    return indexed


def reindex_all(session: Session) -> int:
    """Rebuild every service's derived rows (the `signpost reindex` repair)."""
    indexed = 0
    with _text_index_rebuilt_after(session):
        for table in DERIVED:
            session.execute(delete(table))
        for records in all_services(session, BULK_CHUNK):
            indexed += _write_rows(session, records)
    return indexed


def _write_rows(session: Session, services: Sequence[ServiceRecord]) -> int:
    """Insert the documents, cards, opening intervals and points of services that have none."""
    if not services:
        return 0
    hours = {service.id: effective_hours(service) for service in services}
    documents = [document_for(service, hours[service.id]) for service in services]
    week = {service.id: intervals_for(service, hours[service.id]) for service in services}
    if session.get_bind().dialect.name == "postgresql":
        for document, service in zip(documents, services, strict=True):
            document["open_week"] = open_week(week[service.id])
    # Core inserts of the tables, not ORM bulk inserts: one executemany, no primary key
    # fetching (measured 3 times faster at 50,000 services).
    connection = session.connection()
    connection.execute(insert(SearchDocument.__table__), documents)
    cards = [{"service_id": service.id, "card": record_json(service)} for service in services]
    connection.execute(insert(SearchCard.__table__), cards)
    # Read back rather than RETURNING: several times faster for thousands of rows.
    document_ids: dict[str, int] = {
        service_id: document_id
        for service_id, document_id in session.execute(
            select(SearchDocument.service_id, SearchDocument.id).where(
                SearchDocument.service_id.in_([s.id for s in services])
            )
        )
    }
    intervals = [row for s in services for row in week[s.id]]
    # In latitude order, so that a place's nearby points share pages: PostgreSQL reads a
    # point's row for its coverage (search.service._nearby), and in service order a 25 km
    # box's thousand points lay on 570 of the table's 720 pages (50,000 services).
    points = sorted(
        (
            row
            for document, service in zip(documents, services, strict=True)
            for row in points_for(document, document_ids[service.id], service)
        ),
        key=lambda row: (row["latitude"], row["longitude"]),
    )
    issues = [
        {
            "issue_code": code,
            "document_id": document_ids[service.id],
            "service_id": service.id,
            "nations": document["nations"],
            "open_week": document.get("open_week"),
            "open_week_incomplete": open_week_incomplete(document),
        }
        for document, service in zip(documents, services, strict=True)
        for code in issue_codes_under(service)
    ]
    for table, rows in ((OpeningInterval, intervals), (SearchPoint, points), (SearchIssue, issues)):
        if rows:
            connection.execute(insert(table.__table__), rows)
    return len(services)


@contextmanager
def _text_index_rebuilt_after(session: Session) -> Iterator[None]:
    """SQLite: keep FTS5 out of a bulk rebuild, then build its index in one pass.

    The triggers that keep FTS5 in step cost a full-text update per row; rebuilding the
    index from the finished documents is several times faster. Everything happens in the
    caller's transaction, so a failure leaves the old index and triggers in place.
    """
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    triggers = session.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
        {"t": SearchDocument.__tablename__},
    ).all()
    for name, _ in triggers:
        session.execute(text(f'DROP TRIGGER "{name}"'))
    yield
    session.execute(text("INSERT INTO service_fts(service_fts) VALUES ('rebuild')"))
    for _, sql in triggers:
        session.execute(text(sql))


def commit_bulk_change(session: Session) -> None:
    """Commit a bulk change (seed, import, reindex), then bring what the query planner and
    the indexes rely on up to date with it, as the app's commands do after one.

    SQLite: ANALYZE; without statistics it picks plans that are a hundred times slower at
    50,000 services. PostgreSQL: VACUUM (ANALYZE) of the app's tables (a bare ANALYZE would
    take every schema of the database), on a connection of its own, as VACUUM cannot run in
    a transaction. Besides the statistics, it merges what the bulk change left in the GIN
    indexes' pending lists (447 pages after building 50,000 services, read whole by every
    full-text query) and fills the visibility map, without which index-only scans read the
    table too (an issue and nation filter read 1,032 pages of search_issue; filters +
    open_now in process 14.7 -> 10.0 ms). Autovacuum does all that in time, where it is on;
    this makes it so at once."""
    session.commit()
    engine = session.get_bind()
    if engine.dialect.name != "postgresql":
        session.execute(text("ANALYZE"))
        session.commit()
        return
    assert isinstance(engine, Engine)
    tables = ", ".join(engine.dialect.identifier_preparer.quote(t) for t in Base.metadata.tables)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"VACUUM (ANALYZE) {tables}"))  # noqa: S608 - the app's tables


def index_is_complete(session: Session) -> bool:
    """Whether every service has its search document."""
    services = session.scalar(select(func.count(Service.id))) or 0
    documents = session.scalar(select(func.count(SearchDocument.id))) or 0
    return services == documents


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _touched(session: Session) -> dict[str, set[str]]:
    kinds = ("services", "channels", "terms", "orgs", "locations")
    return session.info.setdefault(_PENDING, {kind: set() for kind in kinds})


def _record_touched(session: Session, _flush_context: Any) -> None:
    touched = _touched(session)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Service):
            touched["services"].add(obj.id)
        elif isinstance(obj, Channel | Eligibility | Coverage | CoverageNation | ServiceAtLocation):
            touched["services"].add(obj.service_id)
        elif isinstance(obj, Schedule):
            if obj.service_id:
                touched["services"].add(obj.service_id)
            if obj.channel_id:
                touched["channels"].add(obj.channel_id)
        elif isinstance(obj, TaxonomyTerm):
            touched["terms"].add(obj.id)
        elif isinstance(obj, Organization):
            touched["orgs"].add(obj.id)
        elif isinstance(obj, Location):
            touched["locations"].add(obj.id)


def _reindex_touched(session: Session) -> None:
    session.flush()  # commit() calls this hook before its own flush: record pending writes too
    touched = session.info.pop(_PENDING, None)
    if not touched:
        return
    ids = {i for i in touched["services"] if i}
    links = service_taxonomy_term.c
    lookups = {
        "channels": select(Channel.service_id).where(Channel.id.in_(touched["channels"])),
        "terms": select(links.service_id).where(links.taxonomy_term_id.in_(touched["terms"])),
        "orgs": select(Service.id).where(Service.organization_id.in_(touched["orgs"])),
        "locations": select(ServiceAtLocation.service_id).where(
            ServiceAtLocation.location_id.in_(touched["locations"])
        ),
    }
    for kind, statement in lookups.items():
        if touched[kind]:
            ids |= set(session.scalars(statement))
    if ids:
        index_services(session, ids)


def _forget_touched(session: Session, *_: Any) -> None:
    session.info.pop(_PENDING, None)


def keep_index_in_step() -> None:
    """Listen to every session (once per process): record touched services, reindex on commit."""
    if event.contains(Session, "after_flush", _record_touched):
        return
    event.listen(Session, "after_flush", _record_touched)
    event.listen(Session, "before_commit", _reindex_touched)
    event.listen(Session, "after_rollback", _forget_touched)
