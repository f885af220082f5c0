"""The full-text index's side of a search: which documents match the text, and how well.

A pool of the best hundred or so matches goes on to ranking. The index ranks and cuts in one
step (FTS5 bm25 / ts_rank_cd), but scoring costs 1.3-2.4 µs per match in FTS5, and a common
concept ("anxiety", "depression") matches a fifth of a 50,000-service directory: ranking every
match cost 11-25 ms of each such search. So on SQLite a concept with more than RANK_ALL_UP_TO
matches is ranked in tiers instead: the matches in service names by bm25 (a name match weighs
most, 10 : 5 : 1; unscored too past RANK_NAMES_UP_TO of them), then, if the pool is not yet
full, the other matches in issue terms, then the rest, unscored. Those unscored ones rank on
distance, open-now and freshness alone; they are past the first pages of a pool this size
anyway.
"""

from __future__ import annotations

import time
from threading import Lock
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, Integer, Select, select, text
from sqlalchemy.orm import Session

from directory.search.filters import among_value
from directory.search.text import Concept, fts5_match, tsquery

# Search ranks at most this many candidates: the best text matches, or (without text) the
# open and freshly checked ones. Five pages of 20; it bounds the work of every query: each
# candidate costs about 17 us (its row, open-now, ranking, facets; 200 -> 100 took 1.7 ms
# off a text search's median).
MAX_CANDIDATES = 100
# With a place, the best text matches in the country are mostly local services elsewhere that
# the place then rules out; a larger pool keeps enough national ones, and only those and the
# nearby ones go on to ranking.
MAX_CANDIDATES_WITH_PLACE = 500
# A query of several concepts asks for all of them; when fewer services than this match all,
# it asks for any of them instead.
MIN_EVERY_MATCHES = 20
# Up to this many matches, SQLite ranks every one (about 3 ms at most); past it, in tiers.
RANK_ALL_UP_TO = 2_000
# The same for a common concept's matches in service names, the first tier: "support" is in
# the names of 7,000 of 50,000 services, and ranking those cost 7 ms.
RANK_NAMES_UP_TO = 2_000
# How long a concept's count of matches is reused, like the vocabulary (vocabulary.py).
CONCEPT_COUNT_TTL = 60.0
MAX_CONCEPT_COUNTS = 10_000

# SQLite? -> the full-text query over search documents: (document id, relevance), best first,
# then by id. bm25 is lower for better matches; name, issues and body weigh 10 : 5 : 1
# (SQLite) and A : B : C (PostgreSQL).
_RANKED_SQL = {
    True: (
        "SELECT rowid, -bm25(service_fts, 10.0, 5.0, 1.0) AS score FROM service_fts"
        " WHERE service_fts MATCH :match ORDER BY score DESC, rowid LIMIT :limit"
    ),
    False: (
        "SELECT id, ts_rank_cd(document, query) AS score"
        " FROM search_document, to_tsquery('english', :match) AS query"
        " WHERE document @@ query ORDER BY score DESC, id LIMIT :limit"
    ),
}
# The same, and every match among these documents (:ids), from one ranking of all matches.
# (In SQLite, given `rowid IN (...)`, FTS5 would re-run the whole match for every id.)
_RANKED_NEAR_SQL = {
    True: (
        "WITH m AS MATERIALIZED (SELECT rowid AS id, -bm25(service_fts, 10.0, 5.0, 1.0) AS score"
        " FROM service_fts WHERE service_fts MATCH :match)"
        " SELECT id, score FROM (SELECT id, score FROM m ORDER BY score DESC, id LIMIT :limit)"
        " UNION SELECT id, score FROM m WHERE id IN (SELECT value FROM json_each(:ids))"
    ),
    False: (
        "WITH m AS MATERIALIZED (SELECT id, ts_rank_cd(document, query) AS score"
        " FROM search_document, to_tsquery('english', :match) AS query WHERE document @@ query)"
        " (SELECT id, score FROM m ORDER BY score DESC, id LIMIT :limit)"
        " UNION SELECT id, score FROM m WHERE id = ANY(:ids)"
    ),
}
# SQLite only, for the tiers: how many match (up to :cap, so a common word stops early); the
# matches unscored, newest document first; and which of :ids match.
_COUNT_UP_TO_SQL = (
    "SELECT count(*) FROM (SELECT 1 FROM service_fts WHERE service_fts MATCH :match LIMIT :cap)"
)
_UNSCORED_SQL = (
    "SELECT rowid FROM service_fts WHERE service_fts MATCH :match ORDER BY rowid DESC LIMIT :limit"
)
_MATCHING_IDS_SQL = (
    "SELECT value FROM json_each(:ids)"
    " WHERE value IN (SELECT rowid FROM service_fts WHERE service_fts MATCH :match)"
)


_MATCHING_SQL = {
    True: "SELECT rowid AS id FROM service_fts WHERE service_fts MATCH :any_match",
    False: "SELECT id FROM search_document WHERE document @@ to_tsquery('english', :any_match)",
}


def matching_any(session: Session, concepts: list[Concept], prefix: str | None) -> str:
    """The full-text query for documents that match any concept, to keep a nearby search to
    the services the text can find (its ids: matching_ids)."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    return (fts5_match if sqlite else tsquery)(concepts, prefix, every=False)


def matching_ids(dialect: str) -> Select[Any]:
    """The ids of the documents that match the query given as `any_match`, unranked."""
    found = text(_MATCHING_SQL[dialect == "sqlite"]).columns(id=Integer)
    return select(found.subquery().c.id)


def text_pool(
    session: Session,
    concepts: list[Concept],
    prefix: str | None,
    *,
    size: int,
    nearby: set[int] | None = None,
    any_concept: bool = False,
    every_pool: dict[int, float] | None = None,
    nearby_match_any: bool = False,
) -> dict[int, float]:
    """The best `size` text matches, and with `nearby` every match among those documents
    too: search document id -> relevance, larger is better (0: matched, unscored).

    A query asks for every concept first, and for any of them (those with all first) when
    few services match all, or when asked to (`any_concept`; `every_pool`: this query's
    pool of every concept, if already found; `nearby_match_any`: every nearby document is
    known to match some concept, as search_services finds them).
    """
    if every_pool is not None:
        matches = sorted(every_pool.items(), key=lambda pair: (-pair[1], pair[0]))
    else:
        matches = text_matches(
            session,
            concepts,
            prefix,
            size=size,
            every=True,
            nearby=nearby,
            nearby_match=nearby_match_any and len(concepts) == 1,
        )
    if len(concepts) > 1 and (any_concept or len(matches) < MIN_EVERY_MATCHES):
        # Those that matched every concept stay first.
        first = {document for document, _ in matches}
        any_of = text_matches(
            session,
            concepts,
            prefix,
            size=size,
            every=False,
            nearby=nearby,
            nearby_match=nearby_match_any,
        )
        top = max((score for _, score in any_of), default=0.0) + 1.0
        boosted = [(d, score + top if d in first else score) for d, score in any_of]
        matches = sorted(boosted, key=lambda pair: (-pair[1], pair[0]))
    pool = dict(matches[:size])
    if nearby:
        pool.update((document, score) for document, score in matches if document in nearby)
    return pool


def text_matches(
    session: Session,
    concepts: list[Concept],
    prefix: str | None,
    *,
    size: int,
    every: bool,
    nearby: set[int] | None,
    nearby_match: bool = False,
) -> list[tuple[int, float]]:
    """The index's best `size` matches and every match among `nearby`, best first;
    only the nearby matches come back besides, not every match in the country.
    `nearby_match`: the nearby documents are known to match."""
    dialect = session.get_bind().dialect.name
    sqlite = dialect == "sqlite"
    match = (fts5_match if sqlite else tsquery)(concepts, prefix, every=every)
    if sqlite and _too_many_to_rank(session, concepts, prefix, match, every=every):
        found = _tiered_matches(session, concepts, prefix, match, every, size, nearby, nearby_match)
    else:
        statement = text(_RANKED_NEAR_SQL[sqlite] if nearby else _RANKED_SQL[sqlite])
        statement = statement.bindparams(match=match, limit=size)
        if nearby:
            ids = sorted(nearby)
            statement = statement.bindparams(ids=among_value(ids, dialect))
        found = [(d, float(score)) for d, score in session.connection().execute(statement).all()]
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))


def _tiered_matches(
    session: Session,
    concepts: list[Concept],
    prefix: str | None,
    match: str,
    every: bool,
    size: int,
    nearby: set[int] | None,
    nearby_match: bool,
) -> list[tuple[int, float]]:
    """SQLite, a common concept: name matches by bm25 (unscored too when there are more
    than RANK_NAMES_UP_TO), then issue-term matches, then the rest, unscored (0.0), until
    the pool is full; and every match among `nearby`. `match`: the query's FTS5 match."""
    connection = session.connection()
    in_names = _in_columns("name", match)
    tiers = [_in_columns("issues", match), match]
    found: dict[int, float] = {}
    if _too_many_to_rank(
        session, concepts, prefix, in_names, every=every, up_to=RANK_NAMES_UP_TO, column="name"
    ):
        tiers.insert(0, in_names)
    else:
        ranked = text(_RANKED_SQL[True]).bindparams(match=in_names, limit=size)
        found.update(connection.execute(ranked).all())
    for tier in tiers:
        if len(found) >= size:
            break
        wanted = size + len(found)  # enough left after skipping those already found
        unscored = text(_UNSCORED_SQL).bindparams(match=tier, limit=wanted)
        for (document,) in connection.execute(unscored).all():
            if len(found) >= size:
                break
            found.setdefault(document, 0.0)
    if nearby and nearby_match:
        # Known to match, unscored either way: no need to find the match set again (its cost
        # grows with the matches in the whole country).
        for document in nearby:
            found.setdefault(document, 0.0)
    elif nearby:
        ids = among_value(sorted(nearby), "sqlite")
        near = text(_MATCHING_IDS_SQL).bindparams(match=match, ids=ids)
        for (document,) in connection.execute(near).all():
            found.setdefault(document, 0.0)
    return [(document, float(score)) for document, score in found.items()]


def _too_many_to_rank(
    session: Session,
    concepts: list[Concept],
    prefix: str | None,
    match: str,
    *,
    every: bool,
    up_to: int | None = None,
    column: str | None = None,
) -> bool:
    """Whether the query (`match`, in `column` if given) matches more than `up_to`
    documents (default RANK_ALL_UP_TO).

    Counting costs about a millisecond at the cap, so each concept's count is kept for a
    while (a count only chooses how to rank, so a minute-old one does no harm): all of
    the concepts match no more than the rarest one does, any of them no more than their sum
    and no fewer than the commonest. Only between those bounds is the query itself counted.
    """
    up_to = RANK_ALL_UP_TO if up_to is None else up_to
    cap = up_to + 1
    counts = [_concept_count(session, concept, prefix, cap, column) for concept in concepts]
    at_most = min(counts) if every else sum(counts)
    at_least = counts[0] if len(counts) == 1 else (0 if every else max(counts))
    if at_most <= up_to:
        return False
    if at_least > up_to:
        return True
    return _count_up_to(session, match, cap) > up_to


# engine -> (concept's match, cap) -> (when counted, count); by engine, not URL, so that two
# databases at one URL (tests' in-memory ones) never share counts.
_concept_counts: WeakKeyDictionary[Engine, dict[tuple[str, int], tuple[float, int]]] = (
    WeakKeyDictionary()
)
_counts_lock = Lock()


def _concept_count(
    session: Session, concept: Concept, prefix: str | None, cap: int, column: str | None = None
) -> int:
    """How many documents match one concept (in `column`, if given), counting no further
    than `cap`; kept for CONCEPT_COUNT_TTL seconds."""
    match = fts5_match([concept], prefix)
    if column is not None:
        match = _in_columns(column, match)
    engine, now = session.get_bind(), time.monotonic()
    assert isinstance(engine, Engine)
    with _counts_lock:
        counts = _concept_counts.setdefault(engine, {})
        kept = counts.get((match, cap))
    if kept is not None and now - kept[0] < CONCEPT_COUNT_TTL:
        return kept[1]
    count = _count_up_to(session, match, cap)
    with _counts_lock:
        if len(counts) >= MAX_CONCEPT_COUNTS:
            counts.clear()
        counts[(match, cap)] = (now, count)
    return count


def _count_up_to(session: Session, match: str, cap: int) -> int:
    """How many documents match, counting no further than `cap`."""
    statement = text(_COUNT_UP_TO_SQL).bindparams(match=match, cap=cap)
    return int(session.connection().execute(statement).scalar_one())


def _in_columns(column: str, match: str) -> str:
    """An FTS5 match restricted to one column."""
    return f"{{{column}}} : ({match})"
