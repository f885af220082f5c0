"""The full-text index's side of a search: which documents match the text, and how well.

A pool of the best hundred or so matches goes on to ranking. The index ranks and cuts in one
step (FTS5 bm25 / ts_rank), but scoring costs 1.3-2.4 µs per match in FTS5 and about 3.5 µs in
PostgreSQL (fetching the match is most of it), and a common concept ("anxiety", "depression")
matches a fifth of a 50,000-service directory: ranking every match cost 11-25 ms of each such
search in SQLite and 23-65 ms in PostgreSQL. So a concept with more than RANK_ALL_UP_TO matches
is ranked in tiers instead: the matches in service names by relevance (a name match weighs
most, 10 : 5 : 1 / A : B : C; unscored too past RANK_NAMES_UP_TO of them), then, if the pool is
not yet full, the other matches in issue terms, then the rest, unscored. Those unscored ones
rank on distance, open-now and freshness alone; they are past the first pages of a pool this
size anyway.

PostgreSQL ranks with ts_rank (term frequency, by weight), as bm25 does, not ts_rank_cd (cover
density): ts_rank_cd zeroed memory for every match it scored (memset inside it was 5% of the
machine's CPU under the load benchmark), and its ranking queries took twice as long (2.57 ->
1.28 ms of each text search, EXPLAIN ANALYZE of 377 of them); in the seeded directory the top
five of seven common searches are the same services (two swap a neighbouring pair).

Which side of RANK_ALL_UP_TO a query is on, recent counts of its concepts tell when they can
(match_counts.py; on PostgreSQL, also its words' counts: word_counts.py); otherwise
PostgreSQL's ranking query finds out as it fetches the matches, and SQLite counts them first.

A place search's pool is the best matches among the documents it can find without their
being nearby (WIDE: national ones, mostly), and every nearby match besides.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, Integer, Select, TextClause, select, text
from sqlalchemy.orm import Session

from directory.search.filters import among_param
from directory.search.match_counts import CountKey, keep_count, kept_verdict
from directory.search.text import Concept, fts5_match, tsquery
from directory.search.word_counts import PhraseBounds, phrase_bounds

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

# The documents a place search finds without their being near it (search.service's
# candidates): national services, and those that cover listed areas and have no location.
# A place search's pool is the best matches among these, and every nearby match: the best
# matches in the whole country are mostly local services elsewhere, which the place rules out
# ("anxiety" matches 9,414 of 50,000 synthetic documents, 931 of them wide). Before, the pool
# was the best 500 of all matches; this took a fifth off a text + place search's CPU on
# PostgreSQL (26.7 -> 21.5 ms, client and server, in process), which has partial indexes on
# this predicate (migrations 0012 and 0014). In IS TRUE, as the indexes' predicate is: bare,
# PostgreSQL also read the national ones through two other indexes to narrow the matches
# (0014).
WIDE = (
    "(search_document.coverage_scope = 'national' OR search_document.remote_area_coverage) IS TRUE"
)


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
        "SELECT id, ts_rank(document, query) AS score"  # noqa: S608
        " FROM search_document, to_tsquery('english', :match) AS query"
        f" WHERE {_document(column)} @@ query"
        + (f" AND {WIDE}" if wide else "")
        + " ORDER BY score DESC, id LIMIT :limit"
    )


@lru_cache(maxsize=8)
def _ranked_if_few_statement(column: Column, wide: bool, near: bool) -> TextClause:
    """PostgreSQL: _ranked_statement's query (with `near`, _RANKED_NEAR_SQL's: every match
    among :ids too), answered only when fewer than :cap documents match (:ids aside). The
    matches are fetched once (up to :cap of them), counted, and ranked only if fewer. Fetching
    a match is most of what counting or ranking it costs (1,030 matches: 2.2 ms to fetch, 0.5
    to rank), so this costs what counting alone did and spares the ranked query fetching them
    again. Rows (id, score, matches), or one row (NULL, NULL, matches) when none are ranked.
    Written from the fixed fragments here alone."""
    score = "ts_rank(document, to_tsquery('english', :match)) AS score"
    ranked = (
        f"SELECT id, {score} FROM m WHERE c.matches < :cap"  # noqa: S608 - fixed fragments
        " ORDER BY score DESC, id LIMIT :limit"
    )
    if near:
        ranked = (
            f"({ranked}) UNION SELECT id, {score} FROM search_document"  # noqa: S608
            " WHERE c.matches < :cap AND id = ANY(CAST(:ids AS integer[]))"
            " AND document @@ to_tsquery('english', :match)"
        )
    return text(
        "WITH m AS MATERIALIZED (SELECT id, document"  # noqa: S608 - fixed fragments
        f" FROM {_matches_sql(False, column, wide)} LIMIT :cap)"
        " SELECT r.id, r.score, c.matches FROM (SELECT count(*) AS matches FROM m) AS c"
        f" LEFT JOIN LATERAL ({ranked}) AS r ON true"
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
        " UNION SELECT id, ts_rank(document, query) AS score"
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
    found = _ranked_unless_too_many(
        session, concepts, prefix, match, every=every, size=size, wide=wide, nearby=nearby
    )
    if found is None:
        found = _tiered_matches(session, concepts, prefix, match, every, size, nearby, nearby_match)
    return sorted(found, key=lambda pair: (-pair[1], pair[0]))


def _ranked_unless_too_many(
    session: Session,
    concepts: list[Concept],
    prefix: str | None,
    match: str,
    *,
    every: bool,
    size: int,
    column: Column = None,
    wide: bool,
    nearby: set[int] | None = None,
) -> list[tuple[int, float]] | None:
    """The best `size` matches of `match` by relevance (in `column`, if given; WIDE ones, if
    `wide`) and every match among `nearby`; or None when more than RANK_ALL_UP_TO
    (RANK_NAMES_UP_TO in names) documents match: too many to rank. Kept counts decide when
    they can (match_counts.py). Otherwise PostgreSQL fetches the matches once, to count them
    and, if few enough, rank them (_ranked_if_few_statement); SQLite counts them, then ranks."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    sqlite = engine.dialect.name == "sqlite"
    up_to = RANK_NAMES_UP_TO if column == "name" else RANK_ALL_UP_TO
    counted_wide = _counts_wide(sqlite, wide)
    connection = session.connection()
    statement: TextClause
    verdict = _kept_verdict(session, concepts, prefix, every, up_to, column, counted_wide)
    if verdict is None and not sqlite:
        statement = _ranked_if_few_statement(column, wide, bool(nearby))
        if nearby:
            statement = statement.bindparams(among_param("ids", sorted(nearby), "postgresql"))
        statement = statement.bindparams(match=match, cap=up_to + 1, limit=size)
        rows = connection.execute(statement).all()
        matches = int(rows[0].matches)
        _keep_if_one_concept(engine, concepts, (match, column, counted_wide, up_to + 1), matches)
        return None if matches > up_to else [(d, float(s)) for d, s, _ in rows if d is not None]
    if verdict is None:
        verdict = _count_kept(session, concepts, match, up_to, column, counted_wide) > up_to
    if verdict:
        return None
    if nearby:
        ids = among_param("ids", sorted(nearby), engine.dialect.name)
        statement = text(_RANKED_NEAR_SQL[sqlite]).bindparams(ids, match=match)
    else:
        statement = _ranked_statement(sqlite, column, wide).bindparams(
            match=_column_match(sqlite, column, match)
        )
    statement = statement.bindparams(limit=size)
    return [(d, float(score)) for d, score in connection.execute(statement).all()]


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
    in_names = _ranked_unless_too_many(
        session, concepts, prefix, match, every=every, size=size, column="name", wide=wide
    )
    if in_names is None:
        tiers.insert(0, "name")
    else:
        found.update(in_names)
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


def _kept_verdict(
    session: Session,
    concepts: list[Concept],
    prefix: str | None,
    every: bool,
    up_to: int,
    column: Column,
    wide: bool,
) -> bool | None:
    """match_counts.kept_verdict for this database's index; on PostgreSQL, phrases no search
    counted are bounded by their words' counts (word_counts.py)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    sqlite = engine.dialect.name == "sqlite"
    words = None if sqlite else _word_bounds(session, column, wide)
    return kept_verdict(
        engine,
        concepts,
        prefix,
        _match_for(sqlite),
        every=every,
        up_to=up_to,
        column=column,
        wide=wide,
        phrase_bounds=words,
    )


def _word_bounds(session: Session, column: Column, wide: bool) -> PhraseBounds:
    """PostgreSQL: bounds on what a phrase matches in `column` (None: anywhere), among the WIDE
    documents only if `wide`, from its words' counts."""
    where = f" WHERE {WIDE}" if wide else ""
    documents = f"SELECT document FROM search_document{where}"  # noqa: S608 - fixed fragments
    return phrase_bounds(session, documents, None if column is None else _WEIGHTS[column])


def _count_kept(
    session: Session, concepts: list[Concept], match: str, up_to: int, column: Column, wide: bool
) -> int:
    """_count_up_to(match) up to `up_to` + 1, kept when the query is one concept."""
    count = _count_up_to(session, match, up_to + 1, column, wide)
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    _keep_if_one_concept(engine, concepts, (match, column, wide, up_to + 1), count)
    return count


def _keep_if_one_concept(
    engine: Engine, concepts: list[Concept], key: CountKey, count: int
) -> None:
    """Keep a query's count for later searches when the query is one concept (its match is
    the concept's: match_counts.kept_verdict)."""
    if len(concepts) == 1:
        keep_count(engine, key, count)


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
