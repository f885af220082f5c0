"""The text pool: the index's best matches for ranking, bounded for common concepts."""

from __future__ import annotations

from weakref import WeakKeyDictionary

import pytest
from sqlalchemy import event, text

from bench import synthetic
from directory.extensions import db
from directory.search import fulltext, match_counts, word_counts
from directory.search.filters import among_param
from directory.search.fulltext import text_matches, text_pool
from directory.search.index import commit_bulk_change, reindex_all
from directory.search.text import fts5_match, tsquery
from tests.conftest import POSTGRES

WORD_BOUNDS = fulltext._word_bounds  # the `counted` fixture turns words' counts off


def matching(session, match: str, column: str | None = None) -> set[int]:
    """Documents the index's query `match` finds (in `column`, if given), asked without
    fulltext.py: FTS5 on SQLite, the document's or the column's own tsvector on PostgreSQL."""
    if session.get_bind().dialect.name == "sqlite":
        sql = "SELECT rowid FROM service_fts WHERE service_fts MATCH :m"
        match = match if column is None else f"{{{column}}} : ({match})"
    else:
        vector = "document" if column is None else f"to_tsvector('english', {column})"
        sql = f"SELECT id FROM search_document WHERE {vector} @@ to_tsquery('english', :m)"  # noqa: S608
    return {document for (document,) in session.execute(text(sql), {"m": match})}


def query(session, concepts, *, every: bool = True) -> str:
    """The index's query for these concepts (FTS5 match or tsquery)."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    return (fts5_match if sqlite else tsquery)(concepts, None, every=every)


def wide_documents(session) -> set[int]:
    """The documents a place search finds without their being near it, asked without
    fulltext.py: national ones, and those covering listed areas with no location."""
    sql = "SELECT id FROM search_document WHERE coverage_scope = 'national' OR remote_area_coverage"
    return set(session.scalars(text(sql)))


@pytest.mark.parametrize("concepts", [[("mental",)], [("support",)]])
def test_a_place_searchs_pool_is_the_best_wide_matches_and_every_nearby_one(seeded_app, concepts):
    with seeded_app.app_context():
        session = db.session
        everything = text_matches(session, concepts, None, size=500, every=True, nearby=None)
        assert len(everything) < 500  # so these are all of them
        wide = wide_documents(session)
        best_wide = [document for document, _ in everything if document in wide][:2]
        # The least relevant local ones: the best ones in the country would not bring them.
        nearby = {document for document, _ in everything if document not in wide}
        nearby = set(sorted(nearby, key=lambda d: dict(everything)[d])[:2])
        with_nearby = text_pool(session, concepts, None, size=2, nearby=nearby)
        nothing_nearby = text_pool(session, concepts, None, size=2, nearby=set())
        alone = text_pool(session, concepts, None, size=2)
    assert len(best_wide) == len(nearby) == 2
    assert set(with_nearby) == set(best_wide) | nearby
    assert set(nothing_nearby) == set(best_wide)
    # All of them keep the relevance they have among all matches.
    assert all(with_nearby[d] == dict(everything)[d] for d in with_nearby)
    # Without a place, the best in the country, wherever they are.
    assert list(alone) == [document for document, _ in everything[:2]]


def test_text_pool_asks_for_every_concept_then_for_any(seeded_app, monkeypatch):
    with seeded_app.app_context():
        session = db.session
        crisis = text_pool(session, [("crisis",)], None, size=500)
        cafe = text_pool(session, [("cafe",)], None, size=500)
        few = text_pool(session, [("crisis",), ("cafe",)], None, size=500)
        either = text_pool(session, [("cafe",), ("xyzzy",)], None, size=500)
        monkeypatch.setattr(fulltext, "MIN_EVERY_MATCHES", 1)
        both = text_pool(session, [("crisis",), ("cafe",)], None, size=500)
    assert both
    assert set(both) == set(crisis) & set(cafe)
    assert set(both) < set(crisis) | set(cafe)
    # Fewer than MIN_EVERY_MATCHES match both: any will do, and those with both come first.
    assert set(few) == set(crisis) | set(cafe)
    ranked = sorted(few, key=lambda document: -few[document])
    assert set(ranked[: len(both)]) == set(both)
    # Nothing has both "cafe" and "xyzzy".
    assert set(either) == set(cafe)


def test_a_phrase_finds_the_words_in_order_only(seeded_app):
    with seeded_app.app_context():
        session = db.session
        phrase = text_pool(session, [("crisis cafe",)], None, size=500)
        words = text_pool(session, [("crisis",), ("cafe",)], None, size=500)
        backwards = text_pool(session, [("cafe crisis",)], None, size=500)
    assert phrase
    assert set(phrase) <= set(words)
    assert not backwards


def test_every_match_is_scored_while_there_are_few(seeded_app):
    with seeded_app.app_context():
        pool = text_pool(db.session, [("mental",)], None, size=500)
    assert len(pool) > 50
    assert all(score > 0 for score in pool.values())


@pytest.fixture
def tiered(monkeypatch):
    """Tiers from the first match on: the seeded directory has tens of matches, not thousands."""
    monkeypatch.setattr(fulltext, "RANK_ALL_UP_TO", 1)


def test_a_common_concept_ranks_name_matches_then_issue_terms_then_the_rest(seeded_app, tiered):
    with seeded_app.app_context():
        session = db.session
        in_names = matching(session, query(session, [("mental",)]), "name")
        in_issues = matching(session, query(session, [("mental",)]), "issues") - in_names
        anywhere = matching(session, query(session, [("mental",)]))
        assert len(in_names) > 3
        assert len(in_issues) > 3
        assert anywhere > in_names | in_issues
        full = len(in_names) + len(in_issues)

        names_first = text_pool(session, [("mental",)], None, size=len(in_names) + 2)
        then_the_rest = text_pool(session, [("mental",)], None, size=full + 1)

    # Name matches are scored, in bm25 order; the others are matches too, unscored.
    assert {d for d, score in names_first.items() if score > 0} == in_names
    assert len(names_first) == len(in_names) + 2
    assert set(names_first) - in_names <= in_issues
    assert set(then_the_rest) == in_names | in_issues | (set(then_the_rest) & anywhere)
    assert len(set(then_the_rest) - in_names - in_issues) == 1
    assert all(then_the_rest[d] == 0.0 for d in set(then_the_rest) - in_names)


def test_a_concept_common_in_names_takes_name_matches_first_unscored(
    seeded_app, tiered, monkeypatch
):
    monkeypatch.setattr(fulltext, "RANK_NAMES_UP_TO", 1)
    with seeded_app.app_context():
        session = db.session
        in_names = matching(session, query(session, [("mental",)]), "name")
        in_issues = matching(session, query(session, [("mental",)]), "issues") - in_names
        names_only = text_pool(session, [("mental",)], None, size=len(in_names))
        then_issues = text_pool(session, [("mental",)], None, size=len(in_names) + 2)
    assert len(in_names) > 1
    assert set(names_only) == in_names
    assert set(then_issues) - in_names <= in_issues
    assert set(then_issues.values()) == {0.0}


def test_a_common_concept_still_brings_every_nearby_match(seeded_app, tiered):
    with seeded_app.app_context():
        session = db.session
        anywhere = matching(session, query(session, [("mental",)]))
        wide = text_pool(session, [("mental",)], None, size=2, nearby=set())
        elsewhere = sorted(anywhere - set(wide))[:3]
        no_match = max(anywhere) + 1 if max(anywhere) + 1 not in anywhere else -1
        pool = text_pool(session, [("mental",)], None, size=2, nearby={*elsewhere, no_match})
        assert set(wide) <= wide_documents(session)
    assert len(wide) == 2
    assert set(pool) == set(wide) | set(elsewhere)


@pytest.mark.parametrize(
    ("concepts", "every"),
    [
        ([("mental",)], True),  # one concept: its own count decides
        ([("mental",), ("zzzunknown",)], True),  # the rarest bounds all of them
        ([("mental",), ("crisis",)], True),  # both common: the query itself is counted
        ([("mental",), ("crisis",)], False),  # any of them: at least the commonest
        ([("zzzunknown",), ("qqqunknown",)], False),  # no more than their sum
        ([("mental", "zzzunknown")], True),  # a typo and its correction
        ([("mental", "crisis"), ("zzzunknown", "qqqunknown")], False),
    ],
)
@pytest.mark.parametrize("cap", [1, 5, 20, 40, 2_000])
@pytest.mark.parametrize("searched_alone", [False, True])
@pytest.mark.parametrize("words_counted", [False, True])
def test_kept_concept_counts_choose_as_counting_the_query_would(
    seeded_app, monkeypatch, counted, concepts, every, cap, searched_alone, words_counted
):
    """Whatever counts are kept: none, or those of each concept and phrase searched alone;
    with words' counts too (PostgreSQL: word_counts.py) or not."""
    monkeypatch.setattr(fulltext, "RANK_ALL_UP_TO", cap)
    if words_counted:
        monkeypatch.setattr(fulltext, "_word_bounds", WORD_BOUNDS)
        word_counts.forget_word_counts()
    with seeded_app.app_context():
        session = db.session
        match = query(session, concepts, every=every)
        exact = len(matching(session, match)) > cap
        alone = [*concepts, *[(phrase,) for concept in concepts for phrase in concept]]
        for words in alone if searched_alone else []:
            too_many(session, [words])
        for _ in range(2):  # counted, then kept
            assert too_many(session, concepts, every=every) == exact


def too_many(session, concepts, *, every: bool = True) -> bool:
    """Whether fulltext finds the query matches too many documents to rank them all."""
    match = query(session, concepts, every=every)
    found = fulltext._ranked_unless_too_many(
        session, concepts, None, match, every=every, size=1, wide=False
    )
    return found is None


@pytest.fixture
def counted(monkeypatch):
    """The queries fulltext counts (their matches), with no counts kept yet, nor words' counts
    to go by (test_word_counts.py)."""
    monkeypatch.setattr(match_counts, "_concept_counts", WeakKeyDictionary())
    monkeypatch.setattr(fulltext, "_word_bounds", lambda *args: lambda *phrase: None)
    queries = []
    count_up_to = fulltext._count_up_to
    monkeypatch.setattr(
        fulltext, "_count_up_to", lambda *args: queries.append(args[1]) or count_up_to(*args)
    )
    return queries


def test_kept_concept_counts_spare_counting(seeded_app, monkeypatch, counted):
    """Counting statements: a count (SQLite) or the count-and-rank one (PostgreSQL)."""
    monkeypatch.setattr(fulltext, "RANK_ALL_UP_TO", 1)
    statements = []

    def counts(concepts, every=True):
        statements.clear()
        too_many(db.session, concepts, every=every)
        return sum("count(*)" in statement for statement in statements)

    with seeded_app.app_context():
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            assert counts([("mental",)]) == 1
            assert counts([("mental",)]) == 0  # kept
            assert counts([("zzzunknown",)]) == 1
            assert counts([("mental",), ("zzzunknown",)]) == 0  # the rarest bounds all of them
            assert counts([("mental",), ("zzzunknown",)], every=False) == 0  # the commonest
            assert counts([("mental",), ("crisis",)]) == 1  # only kept counts: the query itself
            assert counts([("mental",), ("crisis",)]) == 1  # ... which is not one concept's
            # A typed word with its correction, seen once: its correction's count decides.
            assert counts([("mnetal", "mental")]) == 0
            assert counts([("zzzunknown", "qqqunknown")]) == 1  # one of them not kept: counted
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)


@pytest.mark.parametrize("shape", ["all", "names", "wide and nearby"])
def test_a_query_is_ranked_unless_too_many_match(seeded_app, monkeypatch, counted, shape):
    """On PostgreSQL one statement counts and ranks (SQLite counts first); either way, the same
    ranking as the ranked query alone, or None past the limit, and the count kept."""
    concepts = [("mental",)]
    column = "name" if shape == "names" else None
    with seeded_app.app_context():
        session = db.session
        sqlite = session.get_bind().dialect.name == "sqlite"
        match = query(session, concepts)
        if shape == "wide and nearby":
            wide = True
            anywhere = matching(session, match)
            local = sorted(anywhere - wide_documents(session))[:3]
            nearby = {*local, max(anywhere) + 1}  # and one that does not match
            # What the WIDE part counts: all matches on SQLite (fulltext._counts_wide).
            matches = len(anywhere if sqlite else anywhere & wide_documents(session))
            alone = text(fulltext._RANKED_NEAR_SQL[sqlite]).bindparams(
                among_param("ids", sorted(nearby), session.get_bind().dialect.name),
                match=match,
                limit=5,
            )
        else:
            wide, nearby, local = False, None, []
            matches = len(matching(session, match, column))
            alone = fulltext._ranked_statement(sqlite, column, False).bindparams(
                match=fulltext._column_match(sqlite, column, match), limit=5
            )
        expected = [(d, float(score)) for d, score in session.execute(alone)]
        statements = []
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            for turn, up_to in enumerate((matches, matches - 1, matches, matches - 1)):
                monkeypatch.setattr(fulltext, "RANK_ALL_UP_TO", up_to)
                monkeypatch.setattr(fulltext, "RANK_NAMES_UP_TO", up_to)
                statements.clear()
                ranked = fulltext._ranked_unless_too_many(
                    session,
                    concepts,
                    None,
                    match,
                    every=True,
                    size=5,
                    column=column,
                    wide=wide,
                    nearby=nearby,
                )
                assert sorted(ranked or []) == sorted(expected if up_to == matches else [])
                assert ranked is not None or up_to < matches
                if turn >= 2:  # kept: the ranked query alone, if any
                    assert len(statements) == (0 if ranked is None else 1)
                elif sqlite:  # counted, then ranked if few
                    assert len(statements) == (1 if ranked is None else 2)
                else:
                    assert len(statements) == 1
                    assert "MATERIALIZED" in statements[0]
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
    assert len(expected) == 5 + len(local)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_concept_counts_are_kept_per_database(seeded_app, monkeypatch, counted):
    from tests.conftest import _dispose, _make_app

    monkeypatch.setattr(fulltext, "RANK_ALL_UP_TO", 1)
    empty = _make_app("sqlite", "unused")  # the same URL, sqlite://, another database
    mental = fts5_match([("mental",)], None)
    try:
        with seeded_app.app_context():
            assert too_many(db.session, [("mental",)])
        with empty.app_context():
            assert not too_many(db.session, [("mental",)])
    finally:
        _dispose(empty)
    assert counted == [mental, mental]


def test_widening_to_any_concept_reuses_the_every_concept_pool(seeded_app, monkeypatch):
    concepts = [("anxiety",), ("crisis",)]
    with seeded_app.app_context():
        session = db.session
        every = text_pool(session, concepts, None, size=500)
        widened = text_pool(session, concepts, None, size=500, any_concept=True)
        asked = []
        real = fulltext.text_matches
        monkeypatch.setattr(
            fulltext, "text_matches", lambda *a, **k: asked.append(k["every"]) or real(*a, **k)
        )
        reused = text_pool(session, concepts, None, size=500, any_concept=True, every_pool=every)
    assert every
    assert len(widened) > len(every)
    assert reused == widened
    assert asked == [False]  # the every-concept query is not asked again


@pytest.mark.parametrize("concepts", [[("mental",)], [("mental",), ("crisis",)]])
def test_nearby_documents_known_to_match_give_the_same_pool(seeded_app, tiered, concepts):
    with seeded_app.app_context():
        session = db.session
        any_match = query(session, concepts, every=False)
        # As search_services finds them: nearby documents that match some concept.
        nearby = set(sorted(matching(session, any_match))[::3])
        asked = text_pool(session, concepts, None, size=3, nearby=nearby)
        known = text_pool(session, concepts, None, size=3, nearby=nearby, nearby_match_any=True)
        widened = text_pool(session, concepts, None, size=3, nearby=nearby, any_concept=True)
        widened_known = text_pool(
            session, concepts, None, size=3, nearby=nearby, any_concept=True, nearby_match_any=True
        )
    assert len(asked) > 3
    assert known == asked
    assert widened_known == widened


@pytest.mark.parametrize("backend", [POSTGRES], indirect=True)
@pytest.mark.parametrize(
    ("column", "wide", "index"),
    [
        ("name", False, "ix_search_document_name_terms"),
        ("issues", False, "ix_search_document_issue_terms"),
        (None, True, "ix_search_document_wide_document"),
        ("name", True, "ix_search_document_wide_name_terms"),
        ("issues", True, "ix_search_document_wide_issue_terms"),
    ],
)
def test_postgresql_finds_matches_through_the_index_made_for_them(seeded_app, column, wide, index):
    """The queries' expressions, and WIDE, the partial indexes' predicate, are the ones
    migrations 0010 and 0012 indexed: were they to drift apart, the tiers and a place search's
    pool would read the whole table, and no result would show it."""
    statements = [f"SELECT id FROM {fulltext._matches_sql(False, column, wide)}"]  # noqa: S608
    if column != "issues":  # ranked: the name tier; a place search's pool
        statements.append(fulltext._ranked_statement(False, column, wide).text)
    with seeded_app.app_context():
        session = db.session
        # A few rows: the planner would rather read the table; the index is what is asked.
        session.execute(text("SET LOCAL enable_seqscan = off"))
        session.execute(text("SET LOCAL enable_indexscan = off"))
        plans = [
            "\n".join(
                session.execute(
                    text(f"EXPLAIN {statement}"), {"match": "mental", "limit": 5}
                ).scalars()
            )
            for statement in statements
        ]
        session.rollback()
    assert all(index in plan for plan in plans)


@pytest.mark.parametrize("backend", [POSTGRES], indirect=True)
def test_postgresql_reads_a_place_searchs_pool_through_the_wide_index_alone(app, seed):
    """WIDE is a predicate no other index answers (migration 0014). Bare, as 0012 had it, the
    planner also read every national document through two other indexes to narrow the wide
    matches, in a directory where most services are local (as the synthetic one is)."""
    seed(demo=False)
    with app.app_context():
        session = db.session
        synthetic.generate(session, 2_000, seed=7)
        reindex_all(session)
        commit_bulk_change(session)
        session.execute(text("ANALYZE"))
        plans = [
            "\n".join(
                session.execute(
                    text(f"EXPLAIN {fulltext._ranked_statement(False, column, True).text}"),
                    {"match": word, "limit": 100},
                ).scalars()
            )
            for column in (None, "name")
            for word in ("mental", "support")
        ]
        session.rollback()
    assert all("ix_search_document_wide_" in plan for plan in plans)
    assert not any("ix_search_document_national_freshness" in plan for plan in plans)


def test_a_place_searchs_pool_counts_the_matches_its_database_reads(seeded_app, monkeypatch):
    """Ranking all or in tiers is chosen by the matches the database reads to rank them: on
    PostgreSQL the WIDE ones alone (partial indexes), on SQLite all of them (FTS5)."""
    concepts = [("mental",)]
    with seeded_app.app_context():
        session = db.session
        sqlite = session.get_bind().dialect.name == "sqlite"
        anywhere = matching(session, query(session, concepts))
        wide = anywhere & wide_documents(session)
        in_names = matching(session, query(session, concepts), "name")
        assert 0 < len(wide) < len(anywhere)
        assert wide - in_names  # so tiers leave some unscored
        monkeypatch.setattr(fulltext, "RANK_ALL_UP_TO", len(wide))  # every WIDE one, not all
        monkeypatch.setattr(match_counts, "_concept_counts", WeakKeyDictionary())
        pool = text_pool(session, concepts, None, size=len(wide), nearby=set())
    assert set(pool) == wide
    assert (0.0 in pool.values()) is sqlite  # tiers: the matches past the names unscored
