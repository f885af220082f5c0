"""Fully loaded services, read-only and shared by the requests of one process.

Loading a service with everything a response shows builds a dozen ORM objects, and was the
largest single cost of a search page and of a triage answer. Every change to a service
re-indexes it in the same transaction, and a new search document gets a new random
`revision`: a service cached under its revision therefore always matches the database, on this
host and on any other, without any message between them.

Cached services are detached from the session that loaded them, with every attribute the
responses read already loaded, so they never go back to the database; they are never changed.
Only read paths use them: search results and triage. Anything that writes loads services in
its own session.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from threading import Lock

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import SearchDocument, Service
from directory.search.filters import with_details

MAX_CACHED = 10_000  # services; about 15 objects each


_cache: OrderedDict[str, Service] = OrderedDict()
_lock = Lock()


def load_services(session: Session, service_ids: Iterable[str]) -> dict[str, Service]:
    """These services with everything a response shows: service id -> read-only service."""
    ids = list(dict.fromkeys(service_ids))
    if not ids:
        return {}
    revisions = dict(
        session.execute(
            select(SearchDocument.service_id, SearchDocument.revision).where(
                SearchDocument.service_id.in_(ids)
            )
        ).all()
    )
    found: dict[str, Service] = {}
    with _lock:
        for service_id, revision in revisions.items():
            if (cached := _cache.get(revision)) is not None:
                _cache.move_to_end(revision)
                found[service_id] = cached
    missing = [service_id for service_id in ids if service_id not in found]
    if missing:
        # Loaded in a session of their own on the request's connection (so inside its
        # transaction), closed at once: the services come out detached and fully loaded, and
        # nothing the request's session holds or does later can reach them.
        with Session(bind=session.connection(), join_transaction_mode="rollback_only") as loader:
            query = with_details(select(Service).where(Service.id.in_(missing)))
            fresh = {service.id: service for service in loader.scalars(query)}
        found.update(fresh)
        with _lock:
            for service_id, service in fresh.items():
                if (revision := revisions.get(service_id)) is not None:
                    _cache[revision] = service
            while len(_cache) > MAX_CACHED:
                _cache.popitem(last=False)
    return found


def forget_services() -> None:
    """Drop every cached service (tests)."""
    with _lock:
        _cache.clear()
