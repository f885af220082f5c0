"""How many documents a concept matches, as counted by recent searches, and what such counts
tell about a whole query: fulltext.py asks whether a query matches too many documents to rank
them all.

A count only chooses how to rank, so one a minute old does no harm: each is kept for
CONCEPT_COUNT_TTL seconds, per process and database. Counts are kept for concepts that were
a whole query ("anxiety", "panic | anxiety"); a concept of several phrases is also bounded by
its phrases' counts: at least the commonest's, at most their sum. So a misspelled word, a
concept seen once ("anixous" | "anxious"), is often decided by its correction's count alone.
A phrase no search counted may still be bounded by its words' counts (word_counts.py, given
as `phrase_bounds`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from threading import Lock
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

from directory.search.text import Concept
from directory.search.word_counts import PhraseBounds

CONCEPT_COUNT_TTL = 60.0
MAX_CONCEPT_COUNTS = 10_000

# (concept's match, column, WIDE only, cap): see keep_count.
CountKey = tuple[str, str | None, bool, int]
# engine -> key -> (when counted, count); by engine, not URL, so that two databases at one
# URL (tests' in-memory ones) never share counts.
_concept_counts: WeakKeyDictionary[Engine, dict[CountKey, tuple[float, int]]] = WeakKeyDictionary()
_lock = Lock()

# Writes a concept's query for the database's index: text.fts5_match or text.tsquery.
MatchFor = Callable[[Sequence[Concept], str | None], str]


def keep_count(engine: Engine, key: CountKey, count: int) -> None:
    """Keep what a concept's query matched: `key` is its match (for this database's index), the
    column counted (None: all), whether only WIDE documents were, and the cap counted up to;
    `count` is at most the cap."""
    with _lock:
        counts = _concept_counts.setdefault(engine, {})
        if len(counts) >= MAX_CONCEPT_COUNTS:
            counts.clear()
        counts[key] = (time.monotonic(), count)


def kept_verdict(
    engine: Engine,
    concepts: Sequence[Concept],
    prefix: str | None,
    match_for: MatchFor,
    *,
    every: bool,
    up_to: int,
    column: str | None,
    wide: bool,
    phrase_bounds: PhraseBounds | None = None,
) -> bool | None:
    """Whether the query of `concepts` (all of them, or any if not `every`) matches more than
    `up_to` documents, as far as kept counts (and `phrase_bounds`, for phrases not counted)
    tell; None when they cannot. All of the concepts match no more than the rarest one does,
    any of them no more than their sum and no fewer than the commonest."""
    cap = up_to + 1
    now = time.monotonic()

    def kept(phrases: Concept) -> int | None:
        found = counts.get((match_for([phrases], prefix), column, wide, cap))
        return found[1] if found is not None and now - found[0] < CONCEPT_COUNT_TTL else None

    def phrase(words: str, whole: bool) -> tuple[int, int] | None:
        """At least and at most (up to the cap) what one phrase of a concept matches."""
        count = None if whole else kept((words,))  # a concept of one phrase: looked up already
        if count is not None:
            return count, count
        found = phrase_bounds(words, prefix) if phrase_bounds is not None else None
        return None if found is None else (min(found[0], cap), min(found[1], cap))

    def bounds(concept: Concept) -> tuple[int, int]:
        whole = kept(concept)
        if whole is not None:
            return whole, whole
        each = [phrase(words, len(concept) == 1) for words in concept]
        known = [found for found in each if found is not None]
        at_most = min(sum(most for _, most in known), cap) if len(known) == len(each) else cap
        return max((least for least, _ in known), default=0), at_most

    with _lock:
        counts = _concept_counts.get(engine, {})
        found = [bounds(concept) for concept in concepts]
    at_most = min(most for _, most in found) if every else sum(most for _, most in found)
    if len(found) == 1:
        at_least = found[0][0]
    else:
        at_least = 0 if every else max(least for least, _ in found)
    if at_most <= up_to:
        return False
    if at_least > up_to:
        return True
    return None
