"""What people type, understood: normalising, lay synonyms, typos, and the text-index query.

Pure: the vocabulary and synonyms come in as data, a frozen ParsedQuery comes out. Anything a
person types is just text here: quotes, `*`, NEAR, AND, emoji and 2 KB strings never reach the
index's query syntax, because only [a-z0-9] words survive normalising and each is quoted.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

MAX_QUERY_CHARS = 200  # a search box, not an essay; longer input is cut, never an error
MAX_WORDS = 12
TYPO_CUTOFF = 80  # rapidfuzz ratio; "anxeity" -> anxiety scores 86
MIN_TYPO_LENGTH = 4
MAX_COMPLETIONS = 3

STOP_WORDS = frozenset(
    """a about an and any are as at be by can cant could do for from get got have help
    how i im in is it me my need near now of on only or please service services some someone
    something support the to today want what where who with you your""".split()
)


@dataclass(frozen=True)
class Synonym:
    typed: str  # the phrase as the taxonomy lists it, normalised
    issue: str  # the issue code it means


@dataclass(frozen=True)
class ParsedQuery:
    text: str  # normalised, as echoed back to the client
    words: tuple[str, ...]  # words searched for (stop words and synonym phrases removed)
    synonyms: tuple[Synonym, ...]  # phrases that named an issue
    corrections: tuple[tuple[str, str], ...]  # (typed, meant) for words not in the vocabulary
    prefix: str | None  # the last word, matched as a prefix for type-ahead
    suggestion: str | None  # "anxiety" for "anxeity": the query with corrections applied
    # Vocabulary words the prefix may be the start of ("gamblin" -> gambling): searched as
    # whole words too, because the index stems words ("gambl") and "gamblin*" misses them.
    completions: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.synonyms)


def normalise(text: str) -> str:
    """What was typed as lower-case ASCII words separated by single spaces, everything else
    dropped; cut to MAX_QUERY_CHARS."""
    return " ".join(words_in(text[: MAX_QUERY_CHARS * 4]))[:MAX_QUERY_CHARS].strip()


def words_in(text: str) -> list[str]:
    """Every word of a text, however long, as normalise() gives them."""
    if not text.isascii():  # ASCII has no accents to fold: the common case, and far quicker
        # Accents go ("café" -> cafe); apostrophes join ("can't" -> cant); anything else
        # separates.
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower().replace("'", "").replace("\u2019", "")
    return re.findall(r"[a-z0-9]+", text)


def synonym_table(terms: Iterable[tuple[str, str, Iterable[str]]]) -> dict[str, str]:
    """Map each normalised label, code and synonym phrase to its issue code."""
    table: dict[str, str] = {}
    for code, label, synonyms in terms:
        for phrase in (code.replace("-", " "), label, *synonyms):
            key = normalise(phrase)
            if key:
                table.setdefault(key, code)
    return table


def parse_query(
    text: str,
    synonyms: Mapping[str, str],
    vocabulary: frozenset[str] | set[str],
    *,
    prefix_last_word: bool = True,
) -> ParsedQuery:
    """Find synonym phrases (longest first), drop stop words, and correct likely typos."""
    normalised = normalise(text)
    words = normalised.split()[:MAX_WORDS]
    found: list[Synonym] = []
    remaining: list[str] = []
    longest = max((len(k.split()) for k in synonyms), default=1)
    index = 0
    while index < len(words):
        for size in range(min(longest, len(words) - index), 0, -1):
            phrase = " ".join(words[index : index + size])
            if phrase in synonyms and (size > 1 or phrase not in STOP_WORDS):
                found.append(Synonym(typed=phrase, issue=synonyms[phrase]))
                index += size
                break
        else:
            remaining.append(words[index])
            index += 1
    searched = [w for w in remaining if w not in STOP_WORDS]
    prefix = searched[-1] if prefix_last_word and searched and words[-1] == searched[-1] else None
    corrections = tuple(
        (word, meant)
        for word in list(searched)
        # A last word still being typed ("lonel") is a prefix, not a typo.
        if not (word == prefix and _starting_with(word, vocabulary))
        and (meant := correct_word(word, vocabulary)) is not None
    )
    # A typo of a stop word ("suspport") is a stop word too: neither it nor its correction
    # is searched for.
    typo_stops = {word for word, meant in corrections if meant in STOP_WORDS}
    searched = [w for w in searched if w not in typo_stops]
    corrections = tuple((w, m) for w, m in corrections if w not in typo_stops)
    corrected = dict(corrections)
    suggestion = " ".join(corrected.get(w, w) for w in normalised.split()) if corrections else None
    return ParsedQuery(
        text=normalised,
        words=tuple(dict.fromkeys(searched)),
        synonyms=tuple(dict.fromkeys(found)),
        corrections=corrections,
        prefix=prefix,
        completions=completions_of(prefix, vocabulary) if prefix else (),
        suggestion=suggestion,
    )


def fold_accents(text: str) -> str:
    """Text without accents ("café" -> "cafe"), so every database indexes what people type."""
    if text.isascii():
        return text  # nearly always, and 100 times faster than decomposing it
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def completions_of(prefix: str, vocabulary: frozenset[str] | set[str]) -> tuple[str, ...]:
    """The shortest few vocabulary words that start with a prefix being typed."""
    if len(prefix) < MIN_TYPO_LENGTH:
        return ()
    found = sorted((w for w in _starting_with(prefix, vocabulary) if w != prefix), key=len)
    return tuple(sorted(found[:MAX_COMPLETIONS]))


def _starting_with(prefix: str, vocabulary: frozenset[str] | set[str]) -> list[str]:
    """The vocabulary's words that start with `prefix`, from the words in order (a scan of
    thousands of words per search before)."""
    words = _in_order(vocabulary) if isinstance(vocabulary, frozenset) else sorted(vocabulary)
    found = []
    for word in words[bisect_left(words, prefix) :]:
        if not word.startswith(prefix):
            break
        found.append(word)
    return found


@lru_cache(maxsize=4)
def _in_order(vocabulary: frozenset[str]) -> tuple[str, ...]:
    """A vocabulary's words in order; kept, as a vocabulary lives for a minute
    (vocabulary.py) and a frozenset keeps its hash."""
    return tuple(sorted(vocabulary))


def correct_word(word: str, vocabulary: frozenset[str] | set[str]) -> str | None:
    """The closest vocabulary word to a word that is not in it, if one is close enough."""
    if word in vocabulary or len(word) < MIN_TYPO_LENGTH or word.isdigit():
        return None
    match = process.extractOne(word, vocabulary, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF)
    return match[0] if match else None


def vocabulary_of(texts: Iterable[str]) -> frozenset[str]:
    """Every word of these texts, for typo correction."""
    return frozenset(w for text in texts for w in words_in(text) if len(w) >= 2)


# Phrases any of which will do: one word each for what was typed, a few words in order for a
# named issue.
Concept = tuple[str, ...]


def query_concepts(
    parsed: ParsedQuery, issue_phrases: Mapping[str, Iterable[str]]
) -> list[Concept]:
    """What a query asks for: concepts a service should match all of, each a few phrases any
    of which will do (a typed word with its correction or completions; a named issue's
    phrases)."""
    corrected = dict(parsed.corrections)
    concepts: list[Concept] = []
    for word in parsed.words:
        completions = parsed.completions if word == parsed.prefix else ()
        concepts.append((word, *([corrected[word]] if word in corrected else []), *completions))
    for synonym in parsed.synonyms:
        # An issue is found by its phrase, not by each of its words: "older people" must not
        # find every service that mentions people.
        phrases = issue_phrases.get(synonym.issue, [synonym.typed])
        concepts.append(tuple(normalise(phrase) for phrase in phrases))
    kept = (
        tuple(p for p in dict.fromkeys(concept) if p and not STOP_WORDS.issuperset(p.split()))
        for concept in concepts
    )
    return list(dict.fromkeys(concept for concept in kept if concept))


def query_terms(parsed: ParsedQuery, issue_phrases: Mapping[str, Iterable[str]]) -> list[str]:
    """Every word the query looks for, once."""
    return list(
        dict.fromkeys(
            word
            for concept in query_concepts(parsed, issue_phrases)
            for phrase in concept
            for word in phrase.split()
        )
    )


def fts5_match(concepts: Sequence[Concept], prefix: str | None, *, every: bool = True) -> str:
    """An FTS5 MATCH expression: every concept (or, with every=False, any), each phrase quoted,
    the prefix word with `*`."""

    def word(w: str) -> str:
        return f'"{w}"*' if w == prefix else f'"{w}"'

    if not every:
        return " OR ".join(word(w) for w in dict.fromkeys(w for c in concepts for w in c))
    groups = [" OR ".join(word(w) for w in concept) for concept in concepts]
    return " AND ".join(f"({g})" if len(concepts) > 1 else g for g in groups)


def tsquery(concepts: Sequence[Concept], prefix: str | None, *, every: bool = True) -> str:
    """A PostgreSQL to_tsquery expression, like fts5_match: the prefix word with `:*`, a
    phrase's words joined by `<->`."""

    def word(w: str) -> str:
        if w == prefix:
            return f"{w}:*"
        return f"({' <-> '.join(w.split())})" if " " in w else w

    if not every:
        return " | ".join(word(w) for w in dict.fromkeys(w for c in concepts for w in c))
    groups = [" | ".join(word(w) for w in concept) for concept in concepts]
    return " & ".join(f"({g})" if len(concepts) > 1 else g for g in groups)
