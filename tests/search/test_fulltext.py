"""The text pool: the index's best matches for ranking, bounded for common concepts."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from directory.extensions import db
from directory.search import fulltext
from directory.search.fulltext import text_matches, text_pool


def matching(session, match: str) -> set[int]:
    """Documents an FTS5 match finds (SQLite)."""
    rows = session.execute(
        text("SELECT rowid FROM service_fts WHERE service_fts MATCH :m"), {"m": match}
    )
    return {document for (document,) in rows}


def test_text_pool_keeps_every_match_among_nearby_documents(seeded_app):
    concepts = [("group",)]
    with seeded_app.app_context():
        session = db.session
        everything = text_matches(session, concepts, None, size=500, every=True, nearby=None)
        assert len(everything) < 500  # so these are all of them
        nearby = {document for document, _ in everything[-2:]}
        alone = text_pool(session, concepts, None, size=1)
        with_nearby = text_pool(session, concepts, None, size=1, nearby=nearby)
    assert len(everything) > 3
    assert len(alone) == 1
    assert set(with_nearby) == set(alone) | nearby
    # The nearby ones keep the relevance they have among all matches.
    assert all(with_nearby[d] == dict(everything)[d] for d in nearby)


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


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_common_concept_ranks_name_matches_then_issue_terms_then_the_rest(seeded_app, tiered):
    with seeded_app.app_context():
        session = db.session
        in_names = matching(session, '{name} : ("mental")')
        in_issues = matching(session, '{issues} : ("mental")') - in_names
        anywhere = matching(session, '"mental"')
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


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_common_concept_still_brings_every_nearby_match(seeded_app, tiered):
    with seeded_app.app_context():
        session = db.session
        anywhere = matching(session, '"mental"')
        alone = text_pool(session, [("mental",)], None, size=2)
        elsewhere = sorted(anywhere - set(alone))[:3]
        no_match = max(anywhere) + 1 if max(anywhere) + 1 not in anywhere else -1
        pool = text_pool(session, [("mental",)], None, size=2, nearby={*elsewhere, no_match})
    assert set(pool) == set(alone) | set(elsewhere)
