"""The full-text index's side of a search: which documents match the text, and how well.

A pool of the best hundred or so matches goes on to ranking. The index ranks and cuts in one
step (FTS5 bm25 / ts_rank_cd), but scoring costs 1.3-2.4 µs per match in FTS5 and about 3.5 µs
in PostgreSQL, and a common concept ("anxiety", "depression") matches a fifth of a
50,000-service directory: ranking every match cost 11-25 ms of each such search in SQLite and
23-65 ms in PostgreSQL. So a concept with more than RANK_ALL_UP_TO matches is ranked in tiers
instead: the matches in service names by relevance (a name match weighs most, 10 : 5 : 1 /
A : B : C; unscored too past RANK_NAMES_UP_TO of them), then, if the pool is not yet full, the
other matches in issue terms, then the rest, unscored. Those unscored ones rank on distance,
open-now and freshness alone; they are past the first pages of a pool this size anyway.

A place search's pool is the best matches among the documents it can find without their
being nearby (WIDE: national ones, mostly), and every nearby match besides.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache
from threading import Lock
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, Integer, Select, TextClause, select, text
from sqlalchemy.orm import Session

from directory.search.filters import among_param
from directory.search.text import Concept, fts5_match, tsquery

# Which part of a document a tier's matches are in: its name, its issue terms (None: anywhere).
Column = str | None

# Search ranks at most this many candidates: the best text matches (with a place, besides
# every nearby match), or (without text) the open and freshly checked ones. Five pages of 20;
# it bounds the work of every query: each candidate costs about 17 us (its row, open-now,
# ranking, facets; 200 -> 100 took 1.7 ms off a text search's median).
MAX_CANDIDATES = 100
# A query of several concepts asks for all of them; when fewer services than this match all,
# it asks for any of them instead.
MIN_EVERY_MATCHES = 20
# Up to this many matches, every one is ranked (about 3 ms at most in SQLite; PostgreSQL
# ranked "anxiety"'s 899 name matches in 2.5 ms); past it, in tiers.
RANK_ALL_UP_TO = 2_000
# The same for a common concept's matches in service names, the first tier: "support" is in
# the names of 7,000 of 50,000 services, and ranking those cost 7 ms.
RANK_NAMES_UP_TO = 2_000
# How long a concept's count of matches is reused, like the vocabulary (vocabulary.py).
CONCEPT_COUNT_TTL = 60.0
MAX_CONCEPT_COUNTS = 10_000

# The documents a place search finds without their being near it (search.service's
# candidates): national services, and those that cover listed areas and have no location.
# A place search's pool is the best matches among these, and every nearby match: the best
# matches in the whole country are mostly local services elsewhere, which the place rules out
# ("anxiety" matches 9,414 of 50,000 synthetic documents, 931 of them wide). Before, the pool
# was the best 500 of all matches; this took a fifth off a text + place search's CPU on
# PostgreSQL (26.7 -> 21.5 ms, client and server, in process), which has partial indexes on
# this predicate (migration 0012).
WIDE = "(search_document.coverage_scope = 'national' OR search_document.remote_area_coverage)"


# PostgreSQL: a tier's matches in one part of the document, by its weight (name A, issue
# terms B). Each part has a GIN index of its own (migrations 0010 and 0012), so ranking the
# names reads only them.
_WEIGHTS = {"name": "a", "issues": "b"}


def _document(column: Column) -> str:
    """PostgreSQL: the tsvector of `column`'s part of the document (None: all of it)."""
    return "document" if column is None else f"ts_filter(document, '{{{_WEIGHTS[column]}}}')"


def _matches_sql(sqlite: bool, column: Column, wide: bool = False) -> str:
    """FROM and WHERE of the documents that match :match (in `column`, if given; on SQLite the
    match itself names the column: _column_match), only the WIDE ones if `wide`. Their id is
    `service_fts.rowid` on SQLite, `id` here."""
    if sqlite:
        if not wide:
            return "service_fts WHERE service_fts MATCH :match"
        return (
            "service_fts JOIN search_document ON search_document.id = service_fts.rowid"
            f" WHERE service_fts MATCH :match AND {WIDE}"
        )
    where = f"{_document(column)} @@ to_tsquery('english', :match)"
    return f"search_document WHERE {where}" + (f" AND {WIDE}" if wide else "")


@lru_cache(maxsize=8)
def _ranked_statement(sqlite: bool, column: Column, wide: bool) -> TextClause:
    """The full-text query over search documents (names only, with `column` "name"): (document
    id, relevance), best first, then by id, at most :limit. bm25 is lower for better matches;
    name, issues and body weigh 10 : 5 : 1 (SQLite) and A : B : C (PostgreSQL), whatever the
    part matched. Written from the fixed fragments here alone."""
    if sqlite:  # the match names the column (_column_match)
        return text(
            "SELECT service_fts.rowid, -bm25(service_fts, 10.0, 5.0, 1.0) AS score"  # noqa: S608
            f" FROM {_matches_sql(True, column, wide)} ORDER BY score DESC, service_fts.rowid"
            " LIMIT :limit"
        )
    # The query as a FROM item, parsed once rather than for every match ranked.
    return text(
        "SELECT id, ts_rank_cd(document, query) AS score"  # noqa: S608
        " FROM search_document, to_tsquery('english', :match) AS query"
        f" WHERE {_document(column)} @@ query"
        + (f" AND {WIDE}" if wide else "")
        + " ORDER BY score DESC, id LIMIT :limit"
    )


# SQLite? -> a place search's pool from one query: the best :limit WIDE matches, and every
# match among the nearby documents (:ids), scored alike. (In SQLite, given `rowid IN (...)`
# beside MATCH, FTS5 would re-run the whole match for every id; in an OR, it cannot.)
_RANKED_NEAR_SQL = {
    True: (
        "WITH m AS MATERIALIZED (SELECT service_fts.rowid AS id,"  # noqa: S608 - fixed fragments
        f" -bm25(service_fts, 10.0, 5.0, 1.0) AS score, {WIDE} AS wide"
        " FROM service_fts JOIN search_document ON search_document.id = service_fts.rowid"
        f" WHERE service_fts MATCH :match AND ({WIDE}"
        " OR service_fts.rowid IN (SELECT value FROM json_each(:ids))))"
        " SELECT id, score FROM (SELECT id, score FROM m WHERE wide"
        " ORDER BY score DESC, id LIMIT :limit)"
        " UNION SELECT id, score FROM m WHERE id IN (SELECT value FROM json_each(:ids))"
    ),
    False: (
        f"({_ranked_statement(False, None, True).text})"  # noqa: S608 - fixed fragments
        " UNION SELECT id, ts_rank_cd(document, query) AS score"
        " FROM search_document, to_tsquery('english', :match) AS query"
        " WHERE id = ANY(CAST(:ids AS integer[])) AND document @@ query"
    ),
}
# SQLite? -> which of :ids match.
_MATCHING_IDS_SQL = {
    True: (
        "SELECT value FROM json_each(:ids)"
        " WHERE value IN (SELECT rowid FROM service_fts WHERE service_fts MATCH :match)"
    ),
    False: (
        "SELECT id FROM search_document"
        " WHERE id = ANY(CAST(:ids AS integer[])) AND document @@ to_tsquery('english', :match)"
    ),
}


@lru_cache(maxsize=16)
def _tier_statement(sqlite: bool, column: Column, wide: bool, *, counting: bool) -> TextClause:
    """How many documents match :match in `column` (up to :cap), or the newest :limit of
    them, unscored; only WIDE ones if `wide`. Written from the fixed fragments here alone."""
    matches = _matches_sql(sqlite, column, wide)
    identity = "service_fts.rowid" if sqlite else "id"
    if counting:
        return text(f"SELECT count(*) FROM (SELECT 1 FROM {matches} LIMIT :cap) AS m")  # noqa: S608
    return text(
        f"SELECT {identity} FROM {matches} ORDER BY {identity} DESC LIMIT :limit"  # noqa: S608
    )


def _column_match(sqlite: bool, column: Column, match: str) -> str:
    """The query to bind as :match in _matches_sql: on SQLite, restricted to `column`."""
    return match if column is None or not sqlite else f"{{{column}}} : ({match})"


_MATCHING_SQL = {
    True: "SELECT rowid AS id FROM service_fts WHERE service_fts MATCH :any_match",
    False: "SELECT id FROM search_document WHERE document @@ to_tsquery('english', :any_match)",
}


def matching_any(session: Session, concepts: list[Concept], prefix: str | None) -> str:
    """The full-text query for documents that match any concept, to keep a nearby search to
    the services the text can find (its ids: matching_ids)."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    return _match_for(sqlite)(concepts, prefix, every=False)


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
    """The best `size` text matches: search document id -> relevance, larger is better (0:
    matched, unscored). With `nearby` (a place search; it may be empty), the best `size` of the
    WIDE matches, and every match among the nearby documents too.

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
    """The index's best `size` matches, best first; with `nearby` (a place search), the best
    `size` WIDE ones and every match among `nearby`, not every match in the country.
    `nearby_match`: the nearby documents are known to match."""
    dialect = session.get_bind().dialect.name
    sqlite = dialect == "sqlite"
    match = _match_for(sqlite)(concepts, prefix, every=every)
    wide = nearby is not None
    if _too_many_to_rank(
        session, concepts, prefix, match, every=every, wide=_counts_wide(sqlite, wide)
    ):
        found = _tiered_matches(session, concepts, prefix, match, every, size, nearby, nearby_match)
    else:
        if nearby:
            ids = among_param("ids", sorted(nearby), dialect)
            statement = text(_RANKED_NEAR_SQL[sqlite]).bindparams(ids)
        else:
            statement = _ranked_statement(sqlite, None, wide)
        statement = statement.bindparams(match=match, limit=size)
        found = [(d, float(score)) for d, score in session.connection().execute(statement).all()]
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))


def _counts_wide(sqlite: bool, wide: bool) -> bool:
    """Whether a WIDE pool chooses between ranking every match and the tiers by the count of
    WIDE matches alone. What ranking costs grows with the matches read: on PostgreSQL, whose
    partial indexes hold only the WIDE ones, those; on SQLite, where FTS5 finds every match and
    then checks each, all of them (counting the WIDE ones alone, text + place searches took
    15 ms instead of 11-13 in process)."""
    return wide and not sqlite


def _match_for(sqlite: bool) -> Callable[..., str]:
    """The function that writes a query for this database's index (text.fts5_match / tsquery)."""
    return fts5_match if sqlite else tsquery


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
    """A common concept: name matches by relevance (unscored too when there are more than
    RANK_NAMES_UP_TO), then issue-term matches, then the rest, unscored (0.0), until the pool
    is full (of WIDE matches only, with `nearby`); and every match among `nearby`. `match`:
    the query for this database's index."""
    connection = session.connection()
    dialect = session.get_bind().dialect.name
    sqlite = dialect == "sqlite"
    wide = nearby is not None
    tiers: list[Column] = ["issues", None]
    found: dict[int, float] = {}
    in_names = _too_many_to_rank(
        session,
        concepts,
        prefix,
        match,
        every=every,
        up_to=RANK_NAMES_UP_TO,
        column="name",
        wide=_counts_wide(sqlite, wide),
    )
    if in_names:
        tiers.insert(0, "name")
    else:
        names = _column_match(sqlite, "name", match)
        ranked = _ranked_statement(sqlite, "name", wide).bindparams(match=names, limit=size)
        found.update(connection.execute(ranked).all())
    for column in tiers:
        if len(found) >= size:
            break
        wanted = size + len(found)  # enough left after skipping those already found
        unscored = _tier_statement(sqlite, column, wide, counting=False).bindparams(
            match=_column_match(sqlite, column, match), limit=wanted
        )
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
        ids = among_param("ids", sorted(nearby), dialect)
        near = text(_MATCHING_IDS_SQL[sqlite]).bindparams(ids, match=match)
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
    column: Column = None,
    wide: bool = False,
) -> bool:
    """Whether the query (`match`, in `column` if given) matches more than `up_to`
    documents (default RANK_ALL_UP_TO); WIDE ones only, if `wide`.

    Counting costs about a millisecond at the cap (3-4 in PostgreSQL), so each concept's
    count is kept for a while (a count only chooses how to rank, so a minute-old one does no
    harm): all of the concepts match no more than the rarest one does, any of them no more
    than their sum and no fewer than the commonest. Only between those bounds is the query
    itself counted.
    """
    up_to = RANK_ALL_UP_TO if up_to is None else up_to
    cap = up_to + 1
    counts = [_concept_count(session, concept, prefix, cap, column, wide) for concept in concepts]
    at_most = min(counts) if every else sum(counts)
    at_least = counts[0] if len(counts) == 1 else (0 if every else max(counts))
    if at_most <= up_to:
        return False
    if at_least > up_to:
        return True
    return _count_up_to(session, match, cap, column, wide) > up_to


# engine -> (concept's match, column, WIDE only, cap) -> (when counted, count); by engine, not
# URL, so that two databases at one URL (tests' in-memory ones) never share counts.
_concept_counts: WeakKeyDictionary[
    Engine, dict[tuple[str, Column, bool, int], tuple[float, int]]
] = WeakKeyDictionary()
_counts_lock = Lock()


def _concept_count(
    session: Session,
    concept: Concept,
    prefix: str | None,
    cap: int,
    column: Column = None,
    wide: bool = False,
) -> int:
    """How many documents match one concept (in `column`, if given; WIDE ones only, if
    `wide`), counting no further than `cap`; kept for CONCEPT_COUNT_TTL seconds."""
    engine, now = session.get_bind(), time.monotonic()
    assert isinstance(engine, Engine)
    match = _match_for(engine.dialect.name == "sqlite")([concept], prefix)
    key = (match, column, wide, cap)
    with _counts_lock:
        counts = _concept_counts.setdefault(engine, {})
        kept = counts.get(key)
    if kept is not None and now - kept[0] < CONCEPT_COUNT_TTL:
        return kept[1]
    count = _count_up_to(session, match, cap, column, wide)
    with _counts_lock:
        if len(counts) >= MAX_CONCEPT_COUNTS:
            counts.clear()
        counts[key] = (now, count)
    return count


def _count_up_to(
    session: Session, match: str, cap: int, column: Column = None, wide: bool = False
) -> int:
    """How many documents match (in `column`, if given; WIDE ones only, if `wide`), counting
    no further than `cap`."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    statement = _tier_statement(sqlite, column, wide, counting=True).bindparams(
        match=_column_match(sqlite, column, match), cap=cap
    )
    return int(session.connection().execute(statement).scalar_one())
