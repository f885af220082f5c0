"""Fully loaded services, read-only and shared by the requests of one process.

Loading a service with everything a response shows was the largest single cost of a search
page and of a triage answer. Each service is kept as JSON beside its search document (its card,
search_card), so a page reads one row per service; the plain records (records.py) made from
the cards are kept between requests. Every change to a service re-indexes it in the same
transaction, and a new search document gets a new random `revision`: a service cached under
its revision therefore always matches the database, on this host and on any other, without any
message between them.

Cached records hold every attribute the responses read, so they never go back to the
database; they are never changed. Only read paths use them: search results and triage.
Anything that writes loads services through the ORM in its own session.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from threading import Lock
from typing import Any

from sqlalchemy import Select, String, bindparam, or_, select
from sqlalchemy.orm import Session

from directory.models import SearchCard, SearchDocument, Service
from directory.search.filters import among, among_value
from directory.search.records import ServiceRecord, record_from_json, services_by_id

MAX_CACHED = 10_000  # services; about 15 small records each


_cache: OrderedDict[str, ServiceRecord] = OrderedDict()
_lock = Lock()

# Built once, not per call (building them cost about 0.4 ms of each service read, in
# cProfile): a service's id and revision by its id or slug, and the services' revisions and
# cards by id (cards_statement).
_service = Service.__table__.c
_ID_OR_SLUG = (
    select(_service.id, SearchDocument.revision)
    .outerjoin(SearchDocument, SearchDocument.service_id == _service.id)
    .where(or_(_service.id == bindparam("id_or_slug"), _service.slug == bindparam("id_or_slug")))
)


@lru_cache(maxsize=4)
def _cards_statement(dialect: str) -> Select[Any]:
    """The services' revisions and cards, the ids one parameter (filters.among): one statement
    whatever their number, so PostgreSQL prepares it once (a placeholder per id made a
    statement per page length: 19 of them in the load benchmark's mix)."""
    return (
        select(SearchDocument.service_id, SearchDocument.revision, SearchCard.card)
        .outerjoin(SearchCard, SearchCard.service_id == SearchDocument.service_id)
        .where(among(SearchDocument.service_id, "ids", dialect, String))
    )


def load_services(
    session: Session, service_ids: Iterable[str], revisions: Mapping[str, str] | None = None
) -> dict[str, ServiceRecord]:
    """These services with everything a response shows: service id -> read-only service.

    `revisions`: their search documents' revisions, when the caller has just read them in
    this transaction (a search has); services cached under them need no query at all.
    """
    ids = list(dict.fromkeys(service_ids))
    found: dict[str, ServiceRecord] = {}
    if revisions:
        with _lock:
            for service_id in ids:
                revision = revisions.get(service_id)
                if revision is not None and (cached := _cache.get(revision)) is not None:
                    _cache.move_to_end(revision)
                    found[service_id] = cached
    missing = [service_id for service_id in ids if service_id not in found]
    if missing:
        found.update(_read(session, missing))
    return found


def _read(session: Session, ids: list[str]) -> dict[str, ServiceRecord]:
    """Services from the cache by their current revision, else from their cards, else from
    the tables; caching what was read."""
    dialect = session.get_bind().dialect.name
    rows = session.connection().execute(
        _cards_statement(dialect), {"ids": among_value(ids, dialect)}
    )
    stored = {service_id: (revision, card) for service_id, revision, card in rows.all()}
    found: dict[str, ServiceRecord] = {}
    with _lock:
        for service_id, (revision, _) in stored.items():
            if (cached := _cache.get(revision)) is not None:
                _cache.move_to_end(revision)
                found[service_id] = cached
    fresh = {
        service_id: record_from_json(card)
        for service_id, (_, card) in stored.items()
        if service_id not in found and card is not None
    }
    # No card yet (a database from before they were kept, until reindexed) or no document:
    # read from the tables, on the request's connection so inside its transaction.
    unread = [
        service_id for service_id in ids if service_id not in found and service_id not in fresh
    ]
    fresh.update(services_by_id(session.connection(), unread))
    found.update(fresh)
    with _lock:
        for service_id, service in fresh.items():
            if service_id in stored:
                _cache[stored[service_id][0]] = service
        while len(_cache) > MAX_CACHED:
            _cache.popitem(last=False)
    return found


def load_service(session: Session, id_or_slug: str) -> ServiceRecord | None:
    """One service by its id or slug, or None; with its revision, so that a cached one needs
    no second query (a service read was two statements, one of them its card)."""
    found = session.connection().execute(_ID_OR_SLUG, {"id_or_slug": id_or_slug}).first()
    if found is None:
        return None
    service_id, revision = found
    revisions = {service_id: revision} if revision is not None else None
    return load_services(session, [service_id], revisions).get(service_id)


def forget_services() -> None:
    """Drop every cached service (tests)."""
    with _lock:
        _cache.clear()
