"""PostgreSQL: how many documents each word of the full-text index is in, read from the index
(ts_stat) and kept for WORD_COUNTS_TTL seconds per process and database, so that whether a
concept matches too many documents to rank them all (match_counts.kept_verdict) is often known
without asking: a phrase of one word matches its word's documents, a prefix at least the
commonest word it begins and at most all of them together, a phrase of words in order no
more than its rarest word.

This matters most for a misspelled word: its concept ("anxoius" | "anxious") is new to every
search, so no kept count knows it, and finding out by fetching up to RANK_ALL_UP_TO + 1 of
its matches cost 4.4 ms of each search where there were more (half of the load benchmark's
misspelled searches). Its correction is a word of the vocabulary, whose stem is known here.

Reading the counts takes about 150 ms at 50,000 services (70 ms for the names alone); like a
kept count, one a few minutes old only chooses how to rank. Words are matched by their stems:
the vocabulary's words (vocabulary.py), stemmed by PostgreSQL as to_tsquery stems them; other
words (a typo) are unknown here.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from threading import Lock
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from directory.search.vocabulary import load_vocabulary

WORD_COUNTS_TTL = 300.0

# At least and at most how many documents a phrase matches; None when the counts cannot tell.
PhraseBounds = Callable[[str, str | None], tuple[int, int] | None]


@dataclass(frozen=True)
class _Counts:
    """Documents per stem, sorted by stem so that a prefix's stems are a slice."""

    stems: list[str]
    documents: list[int]

    def of_stem(self, stem: str) -> int:
        at = bisect_left(self.stems, stem)
        return self.documents[at] if at < len(self.stems) and self.stems[at] == stem else 0

    def of_prefix(self, stem: str) -> list[int]:
        start = bisect_left(self.stems, stem)
        end = bisect_left(self.stems, stem + "\U0010ffff", start)
        return self.documents[start:end]


# engine -> (documents' SQL, weights) -> (when read, counts); engine -> (when read, stems).
_counts: WeakKeyDictionary[Engine, dict[tuple[str, str | None], tuple[float, _Counts]]] = (
    WeakKeyDictionary()
)
_stems: WeakKeyDictionary[Engine, tuple[float, dict[str, str]]] = WeakKeyDictionary()
_lock = Lock()


def phrase_bounds(session: Session, documents_sql: str, weights: str | None) -> PhraseBounds:
    """Bounds on how many of the documents `documents_sql` selects (a query of their tsvector,
    fixed text) a phrase matches (in the parts of the given weights, as ts_filter would keep
    them): a function of the phrase and the query's prefix word (matched as a prefix). The
    counts are read when first asked for, not when kept counts have decided already."""

    @cache
    def read() -> tuple[_Counts, dict[str, str]]:
        return _documents_per_stem(session, documents_sql, weights), _vocabulary_stems(session)

    def bounds(phrase: str, prefix: str | None) -> tuple[int, int] | None:
        counts, stem_of = read()
        words = phrase.split()
        stems = [stem_of.get(word) for word in words]
        if len(words) == 1:
            stem = stems[0]
            if stem is None:
                return None
            if phrase == prefix:
                found = counts.of_prefix(stem)
                return max(found, default=0), sum(found)
            documents = counts.of_stem(stem)
            return documents, documents
        # Words in order: no more than the rarest one's documents.
        known = [counts.of_stem(stem) for stem in stems if stem is not None]
        return (0, min(known)) if known else None

    return bounds


def forget_word_counts() -> None:
    """Drop the counts and stems read so far (tests; after a bulk import they age out)."""
    with _lock:
        _counts.clear()
        _stems.clear()


def _documents_per_stem(session: Session, documents_sql: str, weights: str | None) -> _Counts:
    engine = _engine(session)
    key = (documents_sql, weights)
    now = time.monotonic()
    with _lock:
        kept = _counts.get(engine, {}).get(key)
    if kept is not None and now - kept[0] < WORD_COUNTS_TTL:
        return kept[1]
    arguments = "CAST(:documents AS text)" + (", CAST(:weights AS text)" if weights else "")
    statement = text(f"SELECT word, ndoc FROM ts_stat({arguments})")  # noqa: S608
    params = {"documents": documents_sql, **({"weights": weights} if weights else {})}
    # Sorted here, not by the database's collation: a prefix's stems are a slice in Python's
    # order of code points (of_prefix).
    rows = sorted(session.connection().execute(statement, params).all())
    counts = _Counts(
        stems=[word for word, _ in rows], documents=[int(documents) for _, documents in rows]
    )
    with _lock:
        _counts.setdefault(engine, {})[key] = (now, counts)
    return counts


def _vocabulary_stems(session: Session) -> dict[str, str]:
    """Each vocabulary word with a stem of its own -> that stem ('anxious' -> 'anxious',
    'counselling' -> 'counsel'); stop words and words of several parts are left out."""
    engine = _engine(session)
    now = time.monotonic()
    with _lock:
        kept = _stems.get(engine)
    if kept is not None and now - kept[0] < WORD_COUNTS_TTL:
        return kept[1]
    words = sorted(load_vocabulary(session).words)
    statement = text(
        "SELECT w, tsvector_to_array(to_tsvector('english', w))"
        " FROM unnest(CAST(:words AS text[])) AS w"
    )
    rows = session.connection().execute(statement, {"words": words}).all()
    stems = {word: found[0] for word, found in rows if len(found) == 1}
    with _lock:
        _stems[engine] = (now, stems)
    return stems


def _engine(session: Session) -> Engine:
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    return engine
