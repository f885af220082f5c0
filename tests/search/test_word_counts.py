"""PostgreSQL: words' document counts bound what a phrase matches, and spare counting it."""

from __future__ import annotations

from weakref import WeakKeyDictionary

import pytest
from sqlalchemy import event

from directory.extensions import db
from directory.search import fulltext, match_counts, word_counts
from directory.search.text import tsquery
from tests.conftest import POSTGRES
from tests.search.test_fulltext import matching, too_many, wide_documents

pytestmark = pytest.mark.parametrize("backend", [POSTGRES], indirect=True)


@pytest.fixture(autouse=True)
def fresh_counts(monkeypatch):
    """No counts read or kept by earlier tests."""
    word_counts.forget_word_counts()
    monkeypatch.setattr(match_counts, "_concept_counts", WeakKeyDictionary())
    yield
    word_counts.forget_word_counts()


# (phrase, prefix): one word; one typed last (a prefix: every word it begins); words in order;
# not words of the vocabulary (a typo; a word half typed): unknown.
PHRASES = [
    ("mental", None),
    ("support", None),
    ("crisis", None),
    ("mental", "mental"),
    ("child", "child"),  # children, childhood...
    ("mental health", None),
    ("zzzunknown", None),
    ("ment", "ment"),
]
UNKNOWN = {("zzzunknown", None), ("ment", "ment")}


@pytest.mark.parametrize("column", [None, "name"])
@pytest.mark.parametrize("wide", [False, True])
def test_a_phrases_bounds_hold_what_it_matches(seeded_app, column, wide):
    with seeded_app.app_context():
        session = db.session
        bounds = fulltext._word_bounds(session, column, wide)
        found = {}
        for phrase, prefix in PHRASES:
            matches = matching(session, tsquery([(phrase,)], prefix), column)
            if wide:
                matches &= wide_documents(session)
            found[phrase, prefix] = (len(matches), bounds(phrase, prefix))
        child_alone = len(matching(session, "child"))
    for (phrase, prefix), (matches, known) in found.items():
        if (phrase, prefix) in UNKNOWN:
            assert known is None
            continue
        assert known is not None, phrase
        least, most = known
        assert least <= matches <= most, (phrase, matches, known)
        if " " not in phrase and prefix is None:
            assert least == matches == most, phrase  # one word: exactly its documents
    assert found["mental", None][0] > 0  # the seeded directory has matches to count
    if column is None and not wide:  # more than the word itself: every word it begins
        assert found["child", "child"][0] > child_alone


def count_statements(session, concepts, *, every: bool = True) -> tuple[bool, int]:
    """too_many's answer, and how many statements it took to count (all but ranking)."""
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listen)
    try:
        answer = too_many(session, concepts, every=every)
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listen)
    return answer, sum("count(*)" in statement for statement in statements)


@pytest.mark.parametrize("cap", [1, 2_000])
def test_words_counts_decide_a_misspelled_word_without_counting(seeded_app, monkeypatch, cap):
    """A typo never searched before, with its correction: the correction's documents decide."""
    monkeypatch.setattr(fulltext, "RANK_ALL_UP_TO", cap)
    concepts = [("mnetal", "mental")]
    with seeded_app.app_context():
        session = db.session
        too_many(session, [("crisis",)])  # reads the counts and stems once
        exact = len(matching(session, tsquery(concepts, None))) > cap
        answer, counted = count_statements(session, concepts)
        unknown_answer, unknown_counted = count_statements(session, [("zzzunknown", "qqqunknown")])
    assert answer == exact
    assert counted == (0 if exact else 1)  # too many: known; few: the typo's count is not
    assert (unknown_answer, unknown_counted) == (False, 1)


def test_counts_are_read_again_once_old(seeded_app, monkeypatch):
    with seeded_app.app_context():
        session = db.session
        read = []
        documents_per_stem = word_counts._documents_per_stem

        def reading(*args):
            read.append(args[1:])
            return documents_per_stem(*args)

        monkeypatch.setattr(word_counts, "_documents_per_stem", reading)
        before = word_counts._vocabulary_stems(session)
        fulltext._word_bounds(session, None, False)("mental", None)
        first = word_counts._counts[session.get_bind()][(read[0][0], None)]
        fulltext._word_bounds(session, None, False)("mental", None)
        assert word_counts._counts[session.get_bind()][(read[0][0], None)] is first  # kept
        monkeypatch.setattr(word_counts, "WORD_COUNTS_TTL", 0.0)
        fulltext._word_bounds(session, None, False)("mental", None)
        again = word_counts._counts[session.get_bind()][(read[0][0], None)]
    assert again is not first
    assert again[1] == first[1]  # nothing changed meanwhile
    assert before["mental"] == "mental"
    assert before["counselling"] == "counsel"  # stemmed as the index stems it


def test_counts_are_not_read_when_kept_counts_decide(seeded_app, monkeypatch):
    monkeypatch.setattr(fulltext, "RANK_ALL_UP_TO", 1)
    with seeded_app.app_context():
        session = db.session
        match = tsquery([("mental",)], None)
        match_counts.keep_count(session.get_bind(), (match, None, False, 2), 57)
        answer, counted = count_statements(session, [("mental",)])
        assert word_counts._counts.get(session.get_bind()) is None  # never read
        too_many(session, [("mnetal", "mental")])  # a phrase no search counted: read now
        assert word_counts._counts.get(session.get_bind())
    assert (answer, counted) == (True, 0)
