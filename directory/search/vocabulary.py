"""The words search understands: issue synonyms and a vocabulary for typo correction; and the
issue terms' names and narrower terms, which filters and triage look up on every request.

Read from the database and kept for a short while per process: a taxonomy edit reaches every
host within VOCABULARY_TTL seconds, and no host holds state another one needs. (A term newer
than the vocabulary is looked up in the taxonomy itself: filters.issue_exists, narrower.)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from threading import Lock
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from directory.models import ISSUES_TAXONOMY, Location, SearchDocument, Taxonomy, TaxonomyTerm
from directory.search.text import normalise, synonym_table, vocabulary_of

VOCABULARY_TTL = 60.0


@dataclass(frozen=True)
class Vocabulary:
    synonyms: dict[str, str]  # normalised phrase -> issue code
    # issue code -> phrases that find its services: its code's words in order, and its
    # broader term's name ("older people", not "older" or "people")
    issue_phrases: dict[str, tuple[str, ...]]
    words: frozenset[str]  # every word worth correcting a typo towards
    issue_names: dict[str, str]  # issue code -> its name
    # issue code -> it and its narrower terms' codes: the services "with this issue"
    narrower: dict[str, tuple[str, ...]]


# By engine, not URL, so that two databases at one URL (tests' in-memory ones) never share one.
_cache: WeakKeyDictionary[Engine, tuple[float, Vocabulary]] = WeakKeyDictionary()
_lock = Lock()


def load_vocabulary(session: Session) -> Vocabulary:
    """The current vocabulary for this database, rebuilt when older than VOCABULARY_TTL."""
    key = session.get_bind()
    assert isinstance(key, Engine)
    now = time.monotonic()
    with _lock:
        cached = _cache.get(key)
        if cached and now - cached[0] < VOCABULARY_TTL:
            return cached[1]
    vocabulary = build_vocabulary(session)
    with _lock:
        _cache[key] = (now, vocabulary)
    return vocabulary


def forget_vocabulary() -> None:
    """Drop cached vocabularies (tests, and after a bulk import)."""
    with _lock:
        _cache.clear()


def build_vocabulary(session: Session) -> Vocabulary:
    """Read issue terms, service names and towns into a Vocabulary."""
    rows = session.execute(
        select(
            TaxonomyTerm.id,
            TaxonomyTerm.code,
            TaxonomyTerm.name,
            TaxonomyTerm.synonyms,
            TaxonomyTerm.parent_id,
        )
        .join(Taxonomy)
        .where(Taxonomy.slug == ISSUES_TAXONOMY)
    ).all()
    terms = [(code, name, syns, parent) for _, code, name, syns, parent in rows]
    synonyms = synonym_table((code, name, syns or []) for code, name, syns, _ in terms)
    # A named issue finds its own services and, for a narrower term, its broader term's too
    # ("panic attacks" finds anxiety services).
    names_by_id = {
        term_id: name
        for term_id, name in session.execute(select(TaxonomyTerm.id, TaxonomyTerm.name)).all()
    }
    parent_of = {code: parent for code, _, _, parent in terms}
    issue_phrases = {
        code: tuple(
            normalise(phrase)
            for phrase in [
                code.replace("-", " "),
                *([names_by_id[parent_of[code]]] if parent_of[code] else []),
            ]
        )
        for code, _, _, _ in terms
    }
    code_of = {term_id: code for term_id, code, _, _, _ in rows}
    children: dict[str, list[str]] = {code: [] for code, _, _, _ in terms}
    for code, _, _, parent in terms:
        if parent in code_of:
            children[code_of[parent]].append(code)
    texts = [name for _, name, _, _ in terms]
    texts += [" ".join(syns or []) for _, _, syns, _ in terms]
    texts += session.scalars(select(SearchDocument.name)).all()
    texts += [t for t in session.scalars(select(Location.town).distinct()).all() if t]
    return Vocabulary(
        synonyms=synonyms,
        issue_phrases=issue_phrases,
        words=vocabulary_of(texts),
        issue_names={code: name for code, name, _, _ in terms},
        narrower={code: (code, *sorted(kids)) for code, kids in children.items()},
    )
