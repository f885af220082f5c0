"""Read-only copies of fully loaded services, shared by the requests of one process.

Loading a service with everything a response shows builds a dozen ORM objects, and was the
largest single cost of a search page and of a triage answer. Every change to a service
re-indexes it in the same transaction, and a new search document gets a new random
`revision`: a copy cached under its revision therefore always matches the database, on this
host and on any other, without any message between them.

Copies are transient (in no session), with every attribute the responses read already loaded,
so they never go back to the database; they are never changed. Only read paths use them:
search results and triage. Anything that writes loads services from its own session.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from threading import Lock
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, configure_mappers
from sqlalchemy.orm.attributes import set_committed_value

from directory.models import Channel, SearchDocument, Service, ServiceAtLocation, TaxonomyTerm
from directory.search.filters import with_details

MAX_CACHED = 10_000  # services; about 15 objects each

# What with_details loads, and so what is copied: nothing else is followed.
_COPIED = {
    Service: {
        "organization",
        "schedule",
        "eligibility",
        "coverage",
        "channels",
        "nation_rows",
        "issues",
        "location_links",
    },
    Channel: {"schedule"},
    TaxonomyTerm: {"parent"},
    ServiceAtLocation: {"location"},
}

_cache: OrderedDict[str, Service] = OrderedDict()
_lock = Lock()


def load_services(session: Session, service_ids: Iterable[str]) -> dict[str, Service]:
    """These services with everything a response shows: service id -> read-only copy."""
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
            if (copy := _cache.get(revision)) is not None:
                _cache.move_to_end(revision)
                found[service_id] = copy
    missing = [service_id for service_id in ids if service_id not in found]
    if missing:
        loaded = session.scalars(with_details(select(Service).where(Service.id.in_(missing))))
        fresh = {service.id: detached_copy(service) for service in loaded}
        found.update(fresh)
        with _lock:
            for service_id, copy in fresh.items():
                if (revision := revisions.get(service_id)) is not None:
                    _cache[revision] = copy
            while len(_cache) > MAX_CACHED:
                _cache.popitem(last=False)
    return found


def forget_services() -> None:
    """Drop every cached copy (tests)."""
    with _lock:
        _cache.clear()


def detached_copy(obj: Any, memo: dict[int, Any] | None = None) -> Any:
    """A transient copy of a loaded object and of everything loaded from it."""
    memo = {} if memo is None else memo
    if obj is None:
        return None
    if id(obj) in memo:
        return memo[id(obj)]
    configure_mappers()
    state = inspect(obj)
    mapper = state.mapper
    copy = mapper.class_manager.new_instance()
    memo[id(obj)] = copy
    loaded = state.dict
    for attribute in mapper.column_attrs:
        if attribute.key in loaded:
            set_committed_value(copy, attribute.key, loaded[attribute.key])
    followed = _COPIED.get(mapper.class_, set())
    for relationship in mapper.relationships:
        if relationship.key not in followed or relationship.key not in loaded:
            continue
        value = loaded[relationship.key]
        if isinstance(value, list):
            value = [detached_copy(item, memo) for item in value]
        else:
            value = detached_copy(value, memo)
        set_committed_value(copy, relationship.key, value)
    return copy
