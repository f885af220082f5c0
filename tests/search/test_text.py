"""Understanding what people type: synonyms, typos, prefixes, and hostile input."""

from __future__ import annotations

import pytest

from directory.search.text import (
    fts5_match,
    normalise,
    parse_query,
    query_concepts,
    query_terms,
    synonym_table,
    tsquery,
)

SYNONYMS = synonym_table(
    [
        ("bereavement", "Bereavement and grief", ["grief", "loss", "someone died"]),
        ("panic", "Panic attacks", ["panic attack", "panic attacks"]),
        ("anxiety", "Anxiety", ["worry", "anxious"]),
        ("eating-disorders", "Eating disorders", ["cant stop eating", "anorexia"]),
        ("loneliness", "Loneliness and isolation", ["lonely"]),
    ]
)
VOCABULARY = frozenset(
    "anxiety bereavement loneliness grief panic attacks samaritans helpline eating".split()
)


def parse(text):
    return parse_query(text, SYNONYMS, VOCABULARY)


@pytest.mark.parametrize(
    ("typed", "issue"),
    [
        ("grief", "bereavement"),
        ("Grief!", "bereavement"),
        ("panic attacks", "panic"),
        ("I have PANIC ATTACKS at night", "panic"),
        ("can't stop eating", "eating-disorders"),
        ("someone died", "bereavement"),
    ],
)
def test_lay_synonyms_name_an_issue(typed, issue):
    assert issue in {s.issue for s in parse(typed).synonyms}


def test_a_narrower_issue_also_searches_its_broader_one():
    parsed = parse("panic attacks")
    terms = query_terms(parsed, {"panic": ("panic", "anxiety")})
    assert "anxiety" in terms


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("anxeity", "anxiety"), ("berevement", "bereavement"), ("loneliess", "loneliness")],
)
def test_typos_are_corrected_with_a_suggestion(typed, meant):
    parsed = parse_query(typed, SYNONYMS, VOCABULARY, prefix_last_word=False)
    assert (typed, meant) in parsed.corrections
    assert parsed.suggestion == meant


def test_a_word_being_typed_is_a_prefix_not_a_typo():
    parsed = parse("samar")
    assert parsed.prefix == "samar"
    assert parsed.corrections == ()
    concepts = query_concepts(parsed, {})
    # The completion is searched as a whole word too: the index stems words.
    assert fts5_match(concepts, parsed.prefix) == '"samar"* OR "samaritans"'
    assert tsquery(concepts, parsed.prefix) == "samar:* | samaritans"


def test_a_query_asks_for_every_concept_each_with_its_alternatives():
    parsed = parse_query("anxeity grief leeds", SYNONYMS, VOCABULARY, prefix_last_word=False)
    concepts = query_concepts(parsed, {"bereavement": ("bereavement",)})
    assert concepts == [("anxeity", "anxiety"), ("leeds",), ("bereavement",)]
    every = '("anxeity" OR "anxiety") AND ("leeds") AND ("bereavement")'
    assert fts5_match(concepts, None) == every
    assert fts5_match(concepts, None, every=False) == (
        '"anxeity" OR "anxiety" OR "leeds" OR "bereavement"'
    )
    assert tsquery(concepts, "leeds") == "(anxeity | anxiety) & (leeds:*) & (bereavement)"
    assert tsquery(concepts, None, every=False) == "anxeity | anxiety | leeds | bereavement"


def test_a_named_issue_is_searched_as_its_phrases_not_its_separate_words():
    parsed = parse("cant stop eating")
    phrases = {"eating-disorders": ("eating disorders",), "panic": ("panic", "anxiety")}
    concepts = query_concepts(parsed, phrases)
    assert concepts == [("eating disorders",)]
    assert fts5_match(concepts, None) == '"eating disorders"'
    assert tsquery(concepts, None) == "(eating <-> disorders)"
    assert query_terms(parsed, phrases) == ["eating", "disorders"]
    # A narrower term finds its broader term's services too.
    both = query_concepts(parse("panic attack anorexia"), phrases)
    assert both == [("panic", "anxiety"), ("eating disorders",)]
    assert tsquery(both, None) == "(panic | anxiety) & ((eating <-> disorders))"


def test_known_words_and_short_words_are_not_corrected():
    assert parse_query("grief", SYNONYMS, VOCABULARY).corrections == ()
    assert parse_query("gp", SYNONYMS, VOCABULARY).corrections == ()


@pytest.mark.parametrize(
    "hostile",
    [
        '"unbalanced',
        "anxiety*",
        "NEAR(anxiety grief)",
        "anxiety AND OR NOT grief",
        "grief 🙂🙂 \u202e\u0000",
        "'; DROP TABLE service; --",
        "x" * 2048,
        "{}[]()^:-+",
    ],
)
def test_hostile_input_is_just_words(hostile):
    parsed = parse(hostile)
    concepts = query_concepts(parsed, {})
    for term in query_terms(parsed, {}):
        assert term.isalnum()
    match = fts5_match(concepts, parsed.prefix)
    assert match.count('"') % 2 == 0
    assert len(parsed.text) <= 200


def test_normalise():
    assert normalise("  Café   & Crisis—Line ") == "cafe crisis line"
    assert normalise("Don't") == "dont"


def test_a_prefix_longer_than_its_stem_still_finds_the_word():
    # The index stems "gambling" to "gambl": "gamblin*" alone would miss it.
    parsed = parse_query("gamblin", SYNONYMS, VOCABULARY | {"gambling", "gamblers"})
    assert parsed.prefix == "gamblin"
    assert "gambling" in query_terms(parsed, {})


def test_a_typo_of_a_stop_word_is_dropped_not_searched():
    vocabulary = VOCABULARY | {"support"}
    parsed = parse_query("suspport grief", SYNONYMS, vocabulary, prefix_last_word=False)
    assert parsed.words == ()
    assert parsed.corrections == ()
    assert [s.issue for s in parsed.synonyms] == ["bereavement"]


def test_the_vocabulary_takes_every_word_of_a_long_text():
    from directory.search.text import vocabulary_of

    long_text = "listening " * 40 + "befriending"  # past the 200 characters of a query
    assert "befriending" in vocabulary_of([long_text])
    assert normalise(long_text).split()[-1] != "befriending"


@pytest.mark.parametrize("prefix", ["lon", "lonely", "a", "zz", "bereavemen", "samaritansx"])
def test_words_starting_with_a_prefix_are_all_found(prefix):
    from directory.search.text import _starting_with

    vocabulary = frozenset(
        ["lonely", "loneliness", "long", "anxiety", "bereavement", "samaritans", "zebra", "a"]
    )
    expected = sorted(w for w in vocabulary if w.startswith(prefix))
    assert _starting_with(prefix, vocabulary) == expected
    assert _starting_with(prefix, set(vocabulary)) == expected
