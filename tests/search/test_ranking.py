"""Ordering: relevance first, then distance, open now and freshness; always deterministic."""

from __future__ import annotations

from datetime import date

from directory.search.ranking import Candidate, rank

TODAY = date(2026, 11, 25)


def candidate(name, relevance=1.0, km=None, open_now=True, verified=TODAY, service_id=None):
    return Candidate(service_id or name, name, relevance, km, open_now, verified)


def order(candidates, has_place=True):
    return [c.name for c, _ in rank(candidates, has_place=has_place, today=TODAY)]


def test_more_relevant_first():
    assert order([candidate("b", 1.0), candidate("a", 3.0)]) == ["a", "b"]


def test_nearer_first_when_equally_relevant():
    assert order([candidate("far", km=20), candidate("near", km=1)]) == ["near", "far"]


def test_open_now_before_closed_and_unknown():
    found = order(
        [
            candidate("closed", open_now=False),
            candidate("unknown", open_now=None),
            candidate("open"),
        ]
    )
    assert found == ["open", "unknown", "closed"]


def test_recently_verified_first():
    old = candidate("old", verified=date(2024, 1, 1))
    assert order([old, candidate("fresh")]) == ["fresh", "old"]


def test_ties_break_by_name_then_id_and_never_depend_on_input_order():
    a = [candidate("same", service_id="2"), candidate("same", service_id="1"), candidate("abc")]
    assert [c.service_id for c, _ in rank(a, has_place=False, today=TODAY)] == ["abc", "1", "2"]
    assert rank(a, has_place=False, today=TODAY) == rank(a[::-1], has_place=False, today=TODAY)


def test_a_stale_service_ranks_below_an_otherwise_equal_fresh_one():
    # "a" would win the tie on name; one day past the stale line it no longer does.
    just_stale = candidate("a", verified=date.fromordinal(TODAY.toordinal() - 181))
    assert order([just_stale, candidate("b")]) == ["b", "a"]
    on_the_line = candidate("a", verified=date.fromordinal(TODAY.toordinal() - 180))
    assert order([on_the_line, candidate("b")]) == ["a", "b"]


def test_the_configured_stale_days_move_the_line():
    from directory.search.ranking import stale_after

    month_old = candidate("a", verified=date.fromordinal(TODAY.toordinal() - 31))
    assert order([month_old, candidate("b")]) == ["a", "b"]
    with stale_after(30):
        assert order([month_old, candidate("b")]) == ["b", "a"]
    assert order([month_old, candidate("b")]) == ["a", "b"]


def test_stale_is_a_clear_step_below_fresh():
    from directory.search.ranking import freshness

    assert freshness(TODAY, TODAY, 30) == 1.0
    assert freshness(date.fromordinal(TODAY.toordinal() - 31), TODAY, 30) <= 0.5
    assert freshness(None, TODAY, 30) == 0.0
